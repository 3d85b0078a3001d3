// The network configuration danm hands to the delegate CNI plugin of a network (danm-spec §11.6).
//
// Decision: DANM's addresses reach the delegate through the `static` IPAM plugin of the reference
// containernetworking-plugins (Debian ships it), not through upstream's own `fakeipam` binary: it
// does the same job (echo given addresses back as the IPAM result), needs no extra executable on
// the node, and also installs the network's routes (§11.8) in the main table.
import { normalNetworkType, type NetworkObject, type NetworkOptions } from "../domain/api/network";
import { tryParseCidr, tryParseIp } from "../domain/net/cidr";
import { parentDevice } from "./naming";
import { CNI_ERROR, CniError } from "./protocol";

export interface StaticIpam {
  type: "static";
  addresses: { address: string }[];
  routes?: { dst: string; gw: string }[];
}

const realAddress = (a: string | undefined): a is string => !!a && a !== "none" && a !== "dynamic" && tryParseCidr(a) !== undefined;

/** The NetworkType as danm compares it: lowercase, empty = ipvlan (design decision 8). */

function routeList(routes: Record<string, string> | undefined, family: 4 | 6): { dst: string; gw: string }[] {
  // §11.8: entries with an unparseable destination or gateway are skipped
  return Object.entries(routes ?? {})
    .filter(([dst, gw]) => tryParseCidr(dst)?.family === family && tryParseIp(gw)?.family === family)
    .map(([dst, gw]) => ({ dst, gw }));
}

/**
 * The static IPAM section for the real addresses among `addresses` (not "", "none", or a literal
 * request), with the network's routes of each family that got an address; undefined when none is real.
 */
export function staticIpam(addresses: { ip?: string; ip6?: string }, options: NetworkOptions | undefined): StaticIpam | undefined {
  const list = [addresses.ip, addresses.ip6].filter(realAddress);
  if (list.length === 0) return undefined;
  const routes = [...(realAddress(addresses.ip) ? routeList(options?.routes, 4) : []), ...(realAddress(addresses.ip6) ? routeList(options?.routes6, 6) : [])];
  return { type: "static", addresses: list.map((address) => ({ address })), ...(routes.length ? { routes } : {}) };
}

export interface DelegateRequest {
  network: NetworkObject;
  /** What the DanmEp records: addresses DANM reserved, or the raw requests when it did not. */
  addresses: { ip?: string; ip6?: string };
  /** DANM reserved the addresses (always for dynamic types; §11.2 e for static ones). */
  ipamByDanm: boolean;
  /** Contents of <cniDir>/<NetworkID>.conf, for static delegates. */
  staticConf?: string;
  staticConfPath?: string;
  cniVersion: string;
  /** sriov: the VF handed to the interface (§11.7) and the PF owning it, when sysfs shows it. */
  device?: { deviceID: string; master?: string };
}

/** The delegate's binary name and its netconf. */
export function delegateConfig(req: DelegateRequest): { type: string; conf: Record<string, unknown> } {
  const spec = req.network.spec ?? {};
  const options = spec.Options ?? {};
  const type = normalNetworkType(spec.NetworkType);
  const label = `${req.network.kind} ${req.network.metadata.namespace ? `${req.network.metadata.namespace}/` : ""}${req.network.metadata.name}`;
  const ipam = req.ipamByDanm ? staticIpam(req.addresses, options) : undefined;
  const name = spec.NetworkID || req.network.metadata.name || "danm";
  if (type === "macvlan" || type === "ipvlan") {
    const master = parentDevice(spec.NetworkID, options);
    if (!master) throw new CniError(CNI_ERROR.invalidNetworkConfig, `${label}: a ${type} network needs Options.host_device (the host interface to attach to)`);
    // Upstream omits "type" for macvlan (§15 quirk 15); it is set here. ipvlan is upstream's built-in
    // backend (§11.4, L2 mode); here it is the reference ipvlan plugin in l2 mode, same parent.
    return { type, conf: { cniVersion: req.cniVersion, name, type, master, mode: type === "macvlan" ? "bridge" : "l2", ...(ipam ? { ipam } : {}) } };
  }
  if (type === "sriov") {
    // §11.6/§11.7: the SR-IOV CNI plugin's netconf; the VF's VLAN tag is set by the plugin (Options.vlan)
    if (!req.device?.deviceID)
      throw new CniError(
        CNI_ERROR.invalidNetworkConfig,
        `${label}: an SR-IOV interface needs the VF the kubelet handed the Pod (PodResources API) from device pool ${options.device_pool ?? "(Options.device_pool is not set)"}, and none was given`,
      );
    const { deviceID, master } = req.device;
    return {
      type,
      conf: {
        cniVersion: req.cniVersion,
        name,
        type,
        deviceID,
        ...(master ? { master } : {}),
        ...(options.vlan ? { vlan: options.vlan } : {}),
        ...(ipam ? { ipam } : {}),
      },
    };
  }
  if (req.staticConf === undefined)
    throw new CniError(
      CNI_ERROR.invalidNetworkConfig,
      `${label}: the CNI configuration ${req.staticConfPath ?? `${name}.conf`} of NetworkType ${type} does not exist`,
    );
  let conf: Record<string, unknown>;
  try {
    conf = JSON.parse(req.staticConf) as Record<string, unknown>;
  } catch (e) {
    throw new CniError(CNI_ERROR.invalidNetworkConfig, `${label}: ${req.staticConfPath ?? `${name}.conf`} is not JSON: ${(e as Error).message}`);
  }
  if (typeof conf !== "object" || conf === null || Array.isArray(conf))
    throw new CniError(CNI_ERROR.invalidNetworkConfig, `${label}: ${req.staticConfPath} must be one JSON object (a .conf, not a .conflist)`);
  const binary = typeof conf.type === "string" && conf.type ? conf.type : type;
  return { type: binary, conf: ipam ? { ...conf, ipam } : conf };
}

/**
 * Whether DANM's IPAM reserves the addresses (§11.2 e): always for dynamic types; for static ones only
 * if the Pod asked "none" for a family, or an address of a family the network has a pool for.
 */
export function danmReservesAddresses(network: NetworkObject, request: { ip?: string; ip6?: string }): boolean {
  const type = normalNetworkType(network.spec?.NetworkType);
  if (type === "ipvlan" || type === "macvlan" || type === "sriov") return true;
  const o = network.spec?.Options ?? {};
  const asked = (r: string | undefined) => !!r && r !== "none";
  return request.ip === "none" || request.ip6 === "none" || (asked(request.ip) && !!o.cidr) || (asked(request.ip6) && !!o.allocation_pool_v6?.cidr);
}
