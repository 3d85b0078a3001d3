// The Pods on a network and the Pods danm refused (POD-1..4 in docs/rules.md), read
// as the signed-in person: the DanmEps say which Pods are attached, the Pods their phase and node,
// the Pods' FailedCreatePodSandbox Events why danm refused one. Without the right to list Pods the
// attachments show without phase; without Pods or Events, no Pod shows as stuck.
import { z } from "zod";
import type { DanmEp } from "../../domain/api/danmEp";
import { podsOnNetwork, stuckOn, stuckPods } from "../../domain/podAttachments";
import { listPods, listSandboxFailures } from "../../kube/podReads";
import { authedProcedure, kubeToTrpc, router } from "../trpc";
import { readNetwork, Target } from "./networks";
import { listObjects, ObjectName } from "./objects";

export const podsRouter = router({
  /**
   * The Pods attached to a network and the Pods stuck wanting it. For a ClusterNetwork, `inNamespace`
   * limits both to one namespace (a tenant may not list cluster-wide), as networks.addresses does.
   */
  onNetwork: authedProcedure.input(Target.extend({ inNamespace: ObjectName.optional() })).query(async ({ ctx, input }) => {
    const net = await readNetwork(ctx.kube, input.kind, input.namespace, input.name);
    const scope = input.kind === "ClusterNetwork" ? input.inNamespace : net.metadata.namespace;
    try {
      const [endpoints, pods, events] = await Promise.all([
        listObjects<DanmEp>(ctx.kube, "DanmEp", scope),
        listPods(ctx.kube, scope),
        listSandboxFailures(ctx.kube, scope),
      ]);
      const ref = { kind: input.kind, namespace: input.kind === "ClusterNetwork" ? undefined : net.metadata.namespace, name: net.metadata.name };
      return {
        scope: scope ?? null,
        podsReadable: pods !== undefined,
        eventsReadable: events !== undefined,
        pods: podsOnNetwork(net, endpoints, pods),
        stuck: pods && events ? stuckOn(ref, stuckPods(pods, events)) : [],
      };
    } catch (e) {
      throw kubeToTrpc(e);
    }
  }),

  /** The Pods of a namespace that danm refused, with its error and the networks they want. */
  stuck: authedProcedure.input(z.object({ namespace: ObjectName })).query(async ({ ctx, input }) => {
    try {
      const [pods, events] = await Promise.all([listPods(ctx.kube, input.namespace), listSandboxFailures(ctx.kube, input.namespace)]);
      return {
        namespace: input.namespace,
        podsReadable: pods !== undefined,
        eventsReadable: events !== undefined,
        stuck: pods && events ? stuckPods(pods, events) : [],
      };
    } catch (e) {
      throw kubeToTrpc(e);
    }
  }),
});
