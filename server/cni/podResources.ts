// Client of the kubelet's PodResources API v1 (podresources.proto beside this file): which devices
// the kubelet's device plugins gave a Pod, per resource (danm-spec §11.7). Uses Get(pod, namespace)
// and falls back to List when the kubelet does not offer Get (before 1.27, or the feature gate off).
//
// @grpc/grpc-js and @grpc/proto-loader are imported when a query is made, so only ADDs with an
// SR-IOV network pay for loading them. The service definition is the JSON descriptor below (the same
// definition as podresources.proto, checked by podResources.test.ts), so the bundled plugin needs no
// .proto file next to it.
import { CNI_ERROR, CniError } from "./protocol";

export const DEFAULT_PODRESOURCES_SOCKET = "/var/lib/kubelet/pod-resources/kubelet.sock";

const str = (id: number) => ({ type: "string", id });
const list = (type: string, id: number) => ({ rule: "repeated", type, id });

/** podresources.proto as a protobuf.js JSON descriptor. */
export const PODRESOURCES_DESCRIPTOR = {
  nested: {
    v1: {
      nested: {
        PodResourcesLister: {
          methods: {
            List: { requestType: "ListPodResourcesRequest", responseType: "ListPodResourcesResponse" },
            Get: { requestType: "GetPodResourcesRequest", responseType: "GetPodResourcesResponse" },
          },
        },
        ListPodResourcesRequest: { fields: {} },
        ListPodResourcesResponse: { fields: { pod_resources: list("PodResources", 1) } },
        GetPodResourcesRequest: { fields: { pod_name: str(1), pod_namespace: str(2) } },
        GetPodResourcesResponse: { fields: { pod_resources: { type: "PodResources", id: 1 } } },
        PodResources: { fields: { name: str(1), namespace: str(2), containers: list("ContainerResources", 3) } },
        ContainerResources: { fields: { name: str(1), devices: list("ContainerDevices", 2) } },
        ContainerDevices: { fields: { resource_name: str(1), device_ids: { rule: "repeated", type: "string", id: 2 } } },
      },
    },
  },
};

/** proto-loader options shared by the client and the tests' stand-in kubelet. */
export const PROTO_LOADER_OPTIONS = { keepCase: true, defaults: true, arrays: true } as const;

export interface PodResourcesMessage {
  name?: string;
  namespace?: string;
  containers?: { name?: string; devices?: { resource_name?: string; device_ids?: string[] }[] }[];
}

/** Device ids per resource name, over all containers of the Pod, in the order the kubelet lists them. */
export function devicesByResource(pod: PodResourcesMessage | undefined | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of pod?.containers ?? []) {
    for (const d of c.devices ?? []) {
      if (!d.resource_name) continue;
      out.set(d.resource_name, [...(out.get(d.resource_name) ?? []), ...(d.device_ids ?? [])]);
    }
  }
  return out;
}

interface GrpcError {
  code?: number;
  details?: string;
  message?: string;
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

type Unary<Req, Res> = (req: Req, options: { deadline: Date }, cb: (err: GrpcError | null, res?: Res) => void) => void;
interface ListerClient {
  List: Unary<Record<string, never>, { pod_resources?: PodResourcesMessage[] }>;
  Get: Unary<{ pod_name: string; pod_namespace: string }, { pod_resources?: PodResourcesMessage }>;
  close(): void;
}

function call<Req, Res>(fn: Unary<Req, Res>, client: ListerClient, req: Req, timeoutMs: number): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn.call(client, req, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res as Res))),
  );
}

const reason = (e: GrpcError) => e.details || e.message || String(e);

export interface PodResourcesQuery {
  socket: string;
  namespace: string;
  name: string;
  timeoutMs?: number;
}

/**
 * The devices the kubelet allocated to a Pod, by resource name. Throws a CniError naming the socket
 * when the kubelet cannot be asked. A Pod the kubelet does not list has no devices (empty map).
 */
export async function podDevices(q: PodResourcesQuery): Promise<Map<string, string[]>> {
  const timeoutMs = q.timeoutMs ?? 10_000;
  const [grpc, loader] = await Promise.all([import("@grpc/grpc-js"), import("@grpc/proto-loader")]);
  const definition = loader.fromJSON(PODRESOURCES_DESCRIPTOR as Parameters<typeof loader.fromJSON>[0], PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { v1: { PodResourcesLister: new (address: string, creds: unknown) => ListerClient } };
  const client = new pkg.v1.PodResourcesLister(`unix:${q.socket}`, grpc.credentials.createInsecure());
  const unreachable = (e: GrpcError) =>
    new CniError(
      CNI_ERROR.ioFailure,
      `cannot ask the kubelet which devices pod ${q.namespace}/${q.name} got: PodResources API at ${q.socket}: ${reason(e)} (SR-IOV networks need the kubelet's pod-resources socket mounted for danm; set podResourcesSocket in the danm netconf when it lives elsewhere)`,
    );
  try {
    try {
      const got = await call(client.Get, client, { pod_name: q.name, pod_namespace: q.namespace }, timeoutMs);
      return devicesByResource(got.pod_resources);
    } catch (e) {
      const err = e as GrpcError;
      if (err.code === GRPC_UNAVAILABLE || err.code === GRPC_DEADLINE_EXCEEDED) throw unreachable(err);
      // Get is missing (UNIMPLEMENTED), switched off, or does not know the Pod: List answers on every kubelet
      let all: { pod_resources?: PodResourcesMessage[] };
      try {
        all = await call(client.List, client, {}, timeoutMs);
      } catch (f) {
        throw unreachable({ details: `Get: ${reason(err)}; List: ${reason(f as GrpcError)}` });
      }
      return devicesByResource(all.pod_resources?.find((p) => p.name === q.name && p.namespace === q.namespace));
    }
  } finally {
    client.close();
  }
}
