// NetworkAttachmentDefinitions (k8s.cni.cncf.io/v1, Multus) as netwatcher reads them (danm-spec
// §12.3): the single CNI config in spec.config names a NetworkID (`name`), a NetworkType (`type`),
// a host device (`master`) and a VLAN or VxLAN (`vlan`, `vxlan`: integer keys outside standard
// CNI). The node agent creates the host interface as for the danm kinds (§12.2) and rewrites
// `master` to that interface. Pure: server/agent reads the objects and writes the rewrite.
//
// The unconfirmed upstream quirk (the update caused by the rewrite deletes the fresh interface) is
// avoided by design: the rewrite records the lower device in NAD_HOST_DEVICE_ANNOTATION and the
// rewritten name in NAD_MASTER_ANNOTATION, and a `master` equal to the recorded name is read as the
// recorded lower device (NAD-4). So the rewritten object wants exactly what the original wanted.
import { vlanInterfaceName, vxlanInterfaceName } from "./api/network";
import { issueMessage, type Issue } from "./issue";

export const NAD_API = { group: "k8s.cni.cncf.io", version: "v1", plural: "network-attachment-definitions", kind: "NetworkAttachmentDefinition" } as const;
export const NAD_CRD_NAME = `${NAD_API.plural}.${NAD_API.group}`;

/** The lower device `master` named before the agent rewrote it. */
export const NAD_HOST_DEVICE_ANNOTATION = "tenet.dev/host-device";
/** The host interface name the agent wrote into `master`. */
export const NAD_MASTER_ANNOTATION = "tenet.dev/rewritten-master";

export const MAX_VLAN_ID = 4094;
export const MAX_VXLAN_VNI = 16_777_215;

export interface NetworkAttachmentDefinition {
  apiVersion?: string;
  kind: "NetworkAttachmentDefinition";
  metadata: { name?: string; namespace?: string; resourceVersion?: string; uid?: string; generation?: number; annotations?: Record<string, string> };
  spec?: { config?: string };
}

/** What netwatcher makes of one NAD. */
export type NadReading =
  /** NAD-1: a conflist or a config without `type`; not netwatcher's business. */
  | { use: "ignored"; reason: string }
  /** NAD-1..NAD-3: the config cannot be used; the issues say why. */
  | { use: "invalid"; issues: Issue[] }
  | {
      use: "network";
      networkId: string;
      networkType: string;
      /** The lower device: `master`, or the recorded one when `master` is our own rewrite (NAD-4). */
      hostDevice?: string;
      vlan: number;
      vxlan: number;
      /** The parsed config, to rewrite. */
      config: Record<string, unknown>;
    };

export function nadLabel(nad: Pick<NetworkAttachmentDefinition, "metadata">): string {
  return `NetworkAttachmentDefinition ${nad.metadata.namespace ?? ""}/${nad.metadata.name ?? ""}`;
}

/** One line per issue, naming the object, the field and the rule. */
export function nadIssuesMessage(nad: NetworkAttachmentDefinition, issues: readonly Issue[]): string {
  return `${nadLabel(nad)}: ${issues.map((i) => `${i.path}: ${issueMessage(i)}`).join("; ")}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function vniKey(config: Record<string, unknown>, key: "vlan" | "vxlan", max: number, issues: Issue[]): number {
  const value = config[key];
  if (value === undefined || value === null || value === 0) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    issues.push({
      rule: "NAD-2",
      type: "Invalid",
      path: `spec.config.${key}`,
      value,
      detail: `${key} must be a whole number from 1 to ${max} (0 or absent: none)`,
    });
    return 0;
  }
  return value;
}

/** Reads a NAD's spec.config (§12.3). */
export function readNad(nad: NetworkAttachmentDefinition): NadReading {
  const text = nad.spec?.config;
  if (typeof text !== "string" || text.trim() === "")
    return {
      use: "invalid",
      issues: [{ rule: "NAD-1", type: "Required", path: "spec.config", detail: "spec.config must hold a CNI config as a JSON string" }],
    };
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    return { use: "invalid", issues: [{ rule: "NAD-1", type: "Invalid", path: "spec.config", detail: `spec.config is not JSON (${(e as Error).message})` }] };
  }
  if (!isObject(config))
    return { use: "invalid", issues: [{ rule: "NAD-1", type: "Invalid", path: "spec.config", detail: "spec.config must be a JSON object (one CNI config)" }] };
  // NAD-1: only single configs with a type are netwatcher's.
  if ("plugins" in config) return { use: "ignored", reason: "spec.config is a conflist (plugins); netwatcher reads single CNI configs only (NAD-1)" };
  if (typeof config.type !== "string" || config.type === "")
    return { use: "ignored", reason: "spec.config has no type; netwatcher reads CNI configs with a type only (NAD-1)" };

  const issues: Issue[] = [];
  const vlan = vniKey(config, "vlan", MAX_VLAN_ID, issues);
  const vxlan = vniKey(config, "vxlan", MAX_VXLAN_VNI, issues);
  if (vlan && vxlan)
    issues.push({
      rule: "NAD-3",
      type: "Forbidden",
      path: "spec.config.vxlan",
      detail: "vlan and vxlan cannot both be set: master can name only one host interface",
    });
  const wantsInterface = vlan !== 0 || vxlan !== 0;
  const name = config.name;
  if (wantsInterface && (typeof name !== "string" || name === ""))
    issues.push({ rule: "NAD-2", type: "Required", path: "spec.config.name", detail: "name is the NetworkID the host interface is named after; set it" });
  const master = config.master;
  if (master !== undefined && typeof master !== "string")
    issues.push({ rule: "NAD-2", type: "Invalid", path: "spec.config.master", value: master, detail: "master must be the name of a host device" });
  else if (wantsInterface && !master)
    issues.push({
      rule: "NAD-2",
      type: "Required",
      path: "spec.config.master",
      detail: "master names the host device the VLAN or VxLAN interface is made on; set it",
    });
  if (issues.length) return { use: "invalid", issues };

  const annotations = nad.metadata.annotations ?? {};
  const recorded = annotations[NAD_HOST_DEVICE_ANNOTATION];
  // NAD-4: our own rewrite names the interface; the lower device is the one recorded with it.
  const hostDevice = typeof master === "string" && recorded && annotations[NAD_MASTER_ANNOTATION] === master ? recorded : (master as string | undefined);
  const networkId = typeof name === "string" ? name : "";
  // Without the record, a master naming the NAD's own interface would make it its own lower device.
  const own = vlan ? vlanInterfaceName(networkId, vlan) : vxlan ? vxlanInterfaceName(networkId) : undefined;
  if (own && hostDevice === own)
    return {
      use: "invalid",
      issues: [
        {
          rule: "NAD-4",
          type: "Invalid",
          path: "spec.config.master",
          value: master,
          detail: `master names this NAD's own host interface and the lower device it was made on is not recorded (annotations ${NAD_HOST_DEVICE_ANNOTATION} and ${NAD_MASTER_ANNOTATION}); set master to the host device`,
        },
      ],
    };
  return { use: "network", networkId, networkType: config.type, hostDevice, vlan, vxlan, config };
}

/** The host interface a NAD wants (its `master` after the rewrite), when it wants one. */
export function nadHostInterface(reading: NadReading): { name: string; kind: "vlan" | "vxlan"; id: number; parent: string } | undefined {
  if (reading.use !== "network" || !reading.hostDevice || !reading.networkId) return undefined;
  if (reading.vlan) return { name: vlanInterfaceName(reading.networkId, reading.vlan), kind: "vlan", id: reading.vlan, parent: reading.hostDevice };
  if (reading.vxlan) return { name: vxlanInterfaceName(reading.networkId), kind: "vxlan", id: reading.vxlan, parent: reading.hostDevice };
  return undefined;
}

/**
 * The NAD with `master` rewritten to its host interface and the lower device recorded (NAD-4), or
 * undefined when it is already so. Depends only on the object, so every node's agent computes the
 * same rewrite and a second writer finds nothing left to do.
 */
export function nadMasterRewrite(nad: NetworkAttachmentDefinition): NetworkAttachmentDefinition | undefined {
  const reading = readNad(nad);
  const wanted = nadHostInterface(reading);
  if (!wanted || reading.use !== "network") return undefined;
  const annotations = nad.metadata.annotations ?? {};
  if (reading.config.master === wanted.name && annotations[NAD_MASTER_ANNOTATION] === wanted.name && annotations[NAD_HOST_DEVICE_ANNOTATION] === wanted.parent)
    return undefined;
  return {
    ...nad,
    metadata: { ...nad.metadata, annotations: { ...annotations, [NAD_HOST_DEVICE_ANNOTATION]: wanted.parent, [NAD_MASTER_ANNOTATION]: wanted.name } },
    spec: { ...nad.spec, config: JSON.stringify({ ...reading.config, master: wanted.name }) },
  };
}
