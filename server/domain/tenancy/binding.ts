// TenantNetwork binding to the TenantConfig (danm-spec §9.2), denials B-1 … B-5.
import { isDynamicNetworkType, normalNetworkType, type NetworkObject } from "../api/network";
import type { TenantConfig, VniType } from "../api/tenantConfig";
import { issue, type Issue } from "../issue";
import { MAX_NETWORK_ID_LENGTH } from "../rules/networkIdentity";
import { isDevicePoolName, reserveVni } from "./vni";

export interface Binding {
  network: NetworkObject;
  /** Set when a VNI was reserved: the TenantConfig to persist before the network is admitted. */
  tenantConfig?: TenantConfig;
  reserved?: { profile: string; vniType: VniType; vni: number };
}

export type BindingResult = ({ ok: true } & Binding) | { ok: false; issues: Issue[] };

/** Picks among equally suitable host NIC profiles; upstream picks at random. */
export type ProfileChooser = (candidates: number) => number;
export const chooseRandomly: ProfileChooser = (n) => Math.floor(Math.random() * n);

/**
 * Every TenantNetwork of a NetworkType gets the same NetworkID from `networkIds`, so two
 * tenants' VxLAN networks would both want `vx_<NetworkID>` with different VNIs and break each other
 * on the node. A TenantNetwork bound to a VxLAN VNI therefore gets `<NetworkID>.<VNI>`, the NetworkID
 * cut so the whole fits N-21's 10 characters (`tn-ipvl` + 301 → `tn-ipv.301`, host interface
 * `vx_tn-ipv.301`). Two TenantNetworks with different VNIs never share a name; the same VNI is never
 * reserved twice for host NICs (reserveVni), so no two share one on different devices either.
 */
export function vxlanTenantNetworkId(networkId: string, vni: number): string {
  const suffix = `.${vni}`;
  return `${networkId.slice(0, Math.max(1, MAX_NETWORK_ID_LENGTH - suffix.length))}${suffix}`;
}

export function bindTenantNetwork(net: NetworkObject, config: TenantConfig | undefined, choose: ProfileChooser = chooseRandomly): BindingResult {
  const name = `${net.metadata.namespace ?? ""}/${net.metadata.name ?? ""}`;
  // 1. a TenantConfig must exist, for static types too
  if (!config) {
    return {
      ok: false,
      issues: [
        issue(
          "B-1",
          "Internal",
          "spec",
          `no TenantConfig exists, so TenantNetwork ${name} cannot be given physical resources; ask a network administrator to create one`,
        ),
      ],
    };
  }
  const spec = { ...(net.spec ?? {}) };
  const o = { ...(spec.Options ?? {}) };
  let tenantConfig: TenantConfig | undefined;
  let reserved: Binding["reserved"];

  if (isDynamicNetworkType(spec.NetworkType)) {
    // 2. select an interface profile
    const profiles = config.hostDevices ?? [];
    let selected = profiles.findIndex(
      (p) => (o.device_pool && p.name === o.device_pool) || (!o.device_pool && o.host_device && p.name === o.host_device && !isDevicePoolName(p.name)),
    );
    if (selected < 0) {
      if (o.device_pool || o.host_device) {
        const field = o.device_pool ? "device_pool" : "host_device";
        const offered = profiles.map((p) => p.name).join(", ") || "none";
        return {
          ok: false,
          issues: [
            issue(
              "B-2",
              "NotSupported",
              `spec.Options.${field}`,
              `${o[field]} is not offered to tenants by TenantConfig ${config.metadata.name} (offered: ${offered}); remove it to let the cluster choose`,
              o[field],
            ),
          ],
        };
      }
      const candidates = profiles.map((p, i) => (isDevicePoolName(p.name) ? -1 : i)).filter((i) => i >= 0);
      if (candidates.length === 0) {
        return {
          ok: false,
          issues: [
            issue(
              "B-3",
              "Internal",
              "spec.Options.host_device",
              `TenantConfig ${config.metadata.name} offers no host device for ${spec.NetworkType} networks; ask a network administrator to add one`,
            ),
          ],
        };
      }
      selected = candidates[Math.min(candidates.length - 1, Math.max(0, choose(candidates.length)))];
    }
    const profile = profiles[selected];
    // 3. attach
    if (!o.host_device && !o.device_pool) o.host_device = profile.name;
    const vniType = profile.vniType === "vlan" || profile.vniType === "vxlan" ? profile.vniType : undefined;
    if (vniType && !o[vniType]) {
      const r = reserveVni(config, profile.name, vniType);
      if (!r.ok)
        return {
          ok: false,
          issues: [
            issue(r.rule, "Internal", `spec.Options.${vniType}`, `cannot reserve a ${vniType} for TenantNetwork ${name} on ${profile.name}: ${r.reason}`),
          ],
        };
      o[vniType] = r.vni;
      tenantConfig = r.config;
      reserved = { profile: profile.name, vniType, vni: r.vni };
    }
  }
  // 4. NetworkID mapping, case-insensitive on NetworkType
  const type = normalNetworkType(spec.NetworkType);
  for (const [key, value] of Object.entries(config.networkIds ?? {})) {
    if (key.toLowerCase() === type) spec.NetworkID = value;
  }
  // 5. a VxLAN host interface is vx_<NetworkID>, without its VNI: the VNI goes into the NetworkID
  if (reserved?.vniType === "vxlan" && spec.NetworkID) spec.NetworkID = vxlanTenantNetworkId(spec.NetworkID, reserved.vni);
  return { ok: true, network: { ...net, spec: { ...spec, Options: o } } as NetworkObject, tenantConfig, reserved };
}
