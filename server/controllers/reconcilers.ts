// The three reconcilers of the controllers process: they repair what a crash of the CNI plugin, the
// webhook or a node leaves behind. Each pass:
// 1. delete DanmEps whose Pod is gone, then free their addresses;
// 2. free addresses that a network's bitmaps hold and no DanmEp holds;
// 3. release VNI reservations that no TenantNetwork holds.
// Nothing is fixed on first sight: a finding must persist for the grace period (an ADD allocates
// before it writes its DanmEp; the webhook reserves a VNI before the API server stores the network).
import type { KubeConfig } from "../kube/config";
import { Counter, type Registry } from "prom-client";
import type { DanmEp } from "../domain/api/danmEp";
import { isDynamicNetworkType, NETWORK_KINDS, type NetworkObject } from "../domain/api/network";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { leakedAddresses } from "../domain/ipam/leaks";
import { endpointsUsing } from "../domain/rules/networkIdentity";
import { releaseVni, staleVniReservations, vniHeldBy, type VniHolder } from "../domain/tenancy/vni";
import { retryOnConflict } from "../ipam/conflictRetry";
import { NetworkIpam } from "../ipam/networkIpam";
import { endpointNetworkRef, networkLabel, networkRefOf } from "../domain/networkRef";
import { recordEvent, type EventTarget } from "../kube/events";
import { podUids } from "../kube/pods";
import { DanmClient } from "../kube/danmClient";
import { KubeError } from "../kube/errors";
import { UsageMetrics } from "./usageMetrics";
import type { Log } from "../log";

export interface Fix {
  reconciler: "stale-endpoints" | "leaked-addresses" | "stale-vnis";
  target: string;
  message: string;
}

export interface ReconcilerOptions {
  kubeconfig: KubeConfig;
  /** How long a finding must persist before it is fixed. */
  graceMs: number;
  now?: () => number;
  log?: Log;
  registry?: Registry;
}

type Obj = { metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string } };

const eventTarget = (n: NetworkObject | TenantConfig): EventTarget => ({
  apiVersion: "danm.k8s.io/v1",
  kind: n.kind,
  name: n.metadata.name ?? "",
  namespace: n.metadata.namespace,
  uid: n.metadata.uid,
});

export class Reconcilers {
  private readonly danm: DanmClient;
  private readonly ipam: NetworkIpam;
  private readonly now: () => number;
  private firstSeen = new Map<string, number>();
  private seenThisPass = new Set<string>();
  private readonly fixes?: Counter<"reconciler">;
  private readonly usage?: UsageMetrics;

  constructor(private readonly options: ReconcilerOptions) {
    this.danm = new DanmClient(options.kubeconfig);
    this.ipam = new NetworkIpam(this.danm);
    this.now = options.now ?? Date.now;
    if (options.registry) {
      this.fixes = new Counter({
        name: "tenet_reconciler_fixes_total",
        help: "Problems the reconcilers fixed.",
        labelNames: ["reconciler"],
        registers: [options.registry],
      });
      this.usage = new UsageMetrics(options.registry, { now: this.now });
    }
  }

  /** True once the finding has been seen for the grace period. */
  private due(key: string): boolean {
    this.seenThisPass.add(key);
    const first = this.firstSeen.get(key);
    if (first === undefined) {
      this.firstSeen.set(key, this.now());
      return this.options.graceMs <= 0;
    }
    return this.now() - first >= this.options.graceMs;
  }

  private async report(fix: Fix, target: EventTarget | undefined, reason: string, fixes: Fix[]) {
    fixes.push(fix);
    this.fixes?.inc({ reconciler: fix.reconciler });
    this.options.log?.("reconciler fixed", { ...fix });
    if (target)
      await recordEvent(this.options.kubeconfig, target, reason, fix.message).catch((e) =>
        this.options.log?.("event not recorded", { error: (e as Error).message }),
      );
  }

  async runOnce(): Promise<Fix[]> {
    this.seenThisPass = new Set();
    const fixes: Fix[] = [];
    // networks first: an address allocated after this read cannot be mistaken for a leak
    const networks = (await Promise.all(NETWORK_KINDS.map((k) => this.danm.list<NetworkObject & Obj>(k)))).flat();
    const endpoints = await this.danm.list<DanmEp & Obj>("DanmEp");
    const live = await this.staleEndpoints(endpoints, networks, fixes);
    await this.leakedAddresses(networks, live, fixes);
    await this.staleVnis(networks, fixes);
    // findings that went away start from scratch if they come back
    for (const key of [...this.firstSeen.keys()]) if (!this.seenThisPass.has(key)) this.firstSeen.delete(key);
    return fixes;
  }

  /** 1. DanmEps whose Pod is gone (or was replaced): delete, then free (the CNI DEL order). Returns the live ones. */
  private async staleEndpoints(endpoints: (DanmEp & Obj)[], networks: NetworkObject[], fixes: Fix[]): Promise<DanmEp[]> {
    const pods = await podUids(this.options.kubeconfig);
    const live: DanmEp[] = [];
    for (const ep of endpoints) {
      const pod = `${ep.metadata.namespace}/${ep.spec?.Pod ?? ""}`;
      const uid = pods.get(pod);
      const gone = uid === undefined || (!!ep.spec?.PodUID && ep.spec.PodUID !== uid);
      if (!gone || !this.due(`ep/${ep.metadata.namespace}/${ep.metadata.name}/${ep.spec?.PodUID ?? ""}`)) {
        live.push(ep);
        continue;
      }
      try {
        await this.danm.delete("DanmEp", ep.metadata.name, ep.metadata.namespace);
      } catch (e) {
        if ((e as KubeError).status !== 404) throw e;
      }
      const ref = endpointNetworkRef(ep);
      const addresses = { ip: ep.spec?.Interface?.Address, ip6: ep.spec?.Interface?.AddressIPv6 };
      const freed = await this.ipam.free(ref, addresses).catch((e) => {
        this.options.log?.("addresses of a deleted endpoint not freed", { network: networkLabel(ref), error: (e as Error).message });
        return false;
      });
      const network = networks.find((n) => n.kind === ref.kind && n.metadata.name === ref.name && (ref.namespace ?? "") === (n.metadata.namespace ?? ""));
      const what = [addresses.ip, addresses.ip6].filter((a) => a && a !== "none").join(", ");
      await this.report(
        {
          reconciler: "stale-endpoints",
          target: `DanmEp ${ep.metadata.namespace}/${ep.metadata.name}`,
          message: `deleted DanmEp ${ep.metadata.name} of Pod ${pod}, which is gone${freed && what ? `, and freed ${what}` : ""}`,
        },
        network && eventTarget(network),
        "StaleEndpointDeleted",
        fixes,
      );
    }
    return live;
  }

  /** 2. Addresses set in a network's bitmaps that no DanmEp holds. */
  private async leakedAddresses(networks: NetworkObject[], endpoints: DanmEp[], fixes: Fix[]) {
    for (const net of networks) {
      const held = endpointsUsing(net, endpoints).map((ep) => ({ ip: ep.spec?.Interface?.Address, ip6: ep.spec?.Interface?.AddressIPv6 }));
      const leaks = leakedAddresses(net.spec?.Options ?? {}, held);
      const ref = networkRefOf(net);
      for (const [family, list] of [
        ["ip", leaks.ip],
        ["ip6", leaks.ip6],
      ] as const) {
        for (const address of list) {
          if (!this.due(`ip/${networkLabel(ref)}/${address}`)) continue;
          const freed = await this.ipam.free(ref, { [family]: address });
          if (freed)
            await this.report(
              {
                reconciler: "leaked-addresses",
                target: networkLabel(ref),
                message: `freed ${address}: allocated in ${networkLabel(ref)} but held by no DanmEp`,
              },
              eventTarget(net),
              "LeakedAddressFreed",
              fixes,
            );
        }
      }
    }
  }

  /** 3. VNI reservations in the TenantConfig that no TenantNetwork holds. */
  private async staleVnis(networks: NetworkObject[], fixes: Fix[]) {
    const configs = (await this.danm.list<TenantConfig & Obj>("TenantConfig")).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    this.usage?.observe(networks, configs);
    const config = configs[0];
    if (!config) return;
    const holders: VniHolder[] = networks
      .filter((n) => n.kind === "TenantNetwork" && isDynamicNetworkType(n.spec?.NetworkType))
      .map((n) => vniHeldBy(n.spec?.Options))
      .filter((h): h is VniHolder => !!h);
    for (const stale of staleVniReservations(config, holders)) {
      if (!this.due(`vni/${config.metadata.name}/${stale.profile}/${stale.vniType}/${stale.vni}`)) continue;
      await retryOnConflict(`TenantConfig ${config.metadata.name}`, async () => {
        const fresh = await this.danm.get<TenantConfig & Obj>("TenantConfig", config.metadata.name);
        const released = releaseVni(fresh, stale.profile, stale.vniType, stale.vni);
        if (released.ok) await this.danm.replace("TenantConfig", released.config as TenantConfig & Obj);
      });
      await this.report(
        {
          reconciler: "stale-vnis",
          target: `TenantConfig ${config.metadata.name}`,
          message: `released ${stale.vniType} ${stale.vni} of profile ${stale.profile}: reserved but held by no TenantNetwork`,
        },
        eventTarget(config),
        "VniReservationReleased",
        fixes,
      );
    }
  }
}
