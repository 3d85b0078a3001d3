// A stand-in for the kubelet's PodResources gRPC service, for tests: the real kubelet cannot run
// here (no container runtime, no device plugins). It serves podresources.proto (read from disk, so
// the wire format is the proto file's, not the plugin's embedded descriptor) on a unix socket and
// answers with the devices the test says each Pod got. `withoutGet` plays a kubelet older than
// 1.27 (Get is UNIMPLEMENTED) so the List fallback is exercised.
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as loader from "@grpc/proto-loader";
import { PROTO_LOADER_OPTIONS } from "../podResources";

export const PROTO_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "podresources.proto");

/** Per "namespace/name": resource name → device ids (one container per Pod). */
export type PodDevices = Map<string, Record<string, string[]>>;

export interface StandInKubelet {
  pods: PodDevices;
  calls: string[];
  close(): Promise<void>;
}

const podMessage = (key: string, devices: Record<string, string[]>) => {
  const [namespace, name] = key.split("/");
  return {
    name,
    namespace,
    containers: [{ name: "main", devices: Object.entries(devices).map(([resource_name, device_ids]) => ({ resource_name, device_ids })) }],
  };
};

export async function startStandInKubelet(socket: string, options: { withoutGet?: boolean } = {}): Promise<StandInKubelet> {
  const definition = loader.loadSync(PROTO_FILE, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { v1: { PodResourcesLister: { service: grpc.ServiceDefinition } } };
  const pods: PodDevices = new Map();
  const calls: string[] = [];
  const server = new grpc.Server();
  const handlers: grpc.UntypedServiceImplementation = {
    List: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      calls.push("List");
      cb(null, { pod_resources: [...pods].map(([key, d]) => podMessage(key, d)) });
    },
    Get: (call: grpc.ServerUnaryCall<{ pod_name: string; pod_namespace: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      calls.push(`Get ${call.request.pod_namespace}/${call.request.pod_name}`);
      if (options.withoutGet) return cb({ code: grpc.status.UNIMPLEMENTED, details: "unknown method Get for service v1.PodResourcesLister" });
      const key = `${call.request.pod_namespace}/${call.request.pod_name}`;
      const devices = pods.get(key);
      // the kubelet answers an unknown pod with an error, not an empty message
      if (!devices) return cb({ code: grpc.status.UNKNOWN, details: `pod ${call.request.pod_name} not found in namespace ${call.request.pod_namespace}` });
      cb(null, { pod_resources: podMessage(key, devices) });
    },
  };
  server.addService(pkg.v1.PodResourcesLister.service, handlers);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  return { pods, calls, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}
