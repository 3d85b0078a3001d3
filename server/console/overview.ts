// What the interim console page shows: the networks as a read-only identity sees them.
import fs from "node:fs";
import path from "node:path";
import { DanmClient } from "../kube/danmClient";
import { loadKubeConfig } from "../kube/config";
import type { NetworkObject } from "../domain/api/network";
import { poolUsage } from "../domain/ipam/allocate";

export interface NetworkRow {
  kind: string;
  namespace: string;
  name: string;
  type: string;
  cidr: string;
  net6: string;
  vni: string;
  device: string;
  used: string;
}

export interface Overview {
  server?: string;
  identity: string;
  rows: NetworkRow[];
  error?: string;
  users: { name: string; kubeconfig: string }[];
}

function row(n: NetworkObject): NetworkRow {
  const o = n.spec?.Options ?? {};
  const usage = poolUsage(o);
  return {
    kind: n.kind,
    namespace: n.metadata.namespace ?? "",
    name: n.metadata.name ?? "",
    type: n.spec?.NetworkType ?? "",
    cidr: o.cidr ?? "",
    net6: o.net6 ?? "",
    vni: o.vlan ? `vlan ${o.vlan}` : o.vxlan ? `vxlan ${o.vxlan}` : "",
    device: o.host_device ?? o.device_pool ?? "",
    used: usage.v4 ? `${usage.v4.used} / ${usage.v4.total}` : "",
  };
}

export async function loadOverview(): Promise<Overview> {
  const statePath = process.env.TENET_CLUSTER_STATE;
  const state = statePath && fs.existsSync(statePath) ? (JSON.parse(fs.readFileSync(statePath, "utf8")) as { server: string; kubeconfigs: Record<string, string> }) : undefined;
  const kubeconfig = process.env.TENET_VIEW_KUBECONFIG ?? state?.kubeconfigs.olga;
  const identity = process.env.TENET_VIEW_KUBECONFIG ? "the console's kubeconfig" : "olga (operator, read-only)";
  const users = state ? ["netadmin", "alice", "bob", "olga"].map((name) => ({ name, kubeconfig: path.relative(process.cwd(), state.kubeconfigs[name]) })) : [];
  try {
    const kc = loadKubeConfig(kubeconfig);
    const client = new DanmClient(kc);
    const kinds = ["ClusterNetwork", "TenantNetwork", "DanmNet"];
    const lists = await Promise.all(kinds.map((k) => client.list<NetworkObject>(k).catch(() => [] as NetworkObject[])));
    return { server: kc.getCurrentCluster()?.server, identity, users, rows: lists.flat().map(row) };
  } catch (e) {
    return { identity, users, rows: [], error: (e as Error).message };
  }
}
