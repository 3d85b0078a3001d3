// The node agent (design.md "node agent", danm-spec §12): watches DanmNets, TenantNetworks,
// ClusterNetworks, TenantConfigs and DanmEps, and NetworkAttachmentDefinitions where the cluster
// serves them (§12.3; looked for again at every pass until it does); on any change (debounced) and
// every heartbeat interval it brings the node's host interfaces to what the networks and NADs want,
// rewrites the NADs' `master` to their interfaces, inventories the SR-IOV pools, and publishes the
// node's NodeNetworkStatus with server-side apply: when its content changed, and otherwise once
// per heartbeat interval.
import fs from "node:fs";
import type { DanmEp } from "../domain/api/danmEp";
import type { NetworkObject } from "../domain/api/network";
import type { NodeCondition, NodeNetworkStatus } from "../domain/api/nodeStatus";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { desiredHostInterfaces, interfaceMatches, type ActualInterface } from "../domain/hostInterfaces";
import {
  nadHostInterface,
  nadIssuesMessage,
  nadLabel,
  nadMasterRewrite,
  readNad,
  type NetworkAttachmentDefinition,
} from "../domain/networkAttachmentDefinition";
import { nodeStatusContent, statusContentChanged, type NodeStatusContent } from "../domain/nodeNetworkStatus";
import { parseSriovDevicePluginConfig, sriovPoolNames, sriovPoolStatuses, vfHolders, type ParsedSriovConfig } from "../domain/sriov";
import { danmPath } from "../kube/access";
import { nadApiServed, nadPath, updateNetworkAttachmentDefinition } from "../kube/networkAttachmentDefinitions";
import type { KubeRest } from "../kube/rest";
import { SharedWatch, type WatchedObject } from "../kube/sharedWatch";
import { createLogger } from "../log";
import { HostInterfaceAgent, type ReconcileReport } from "./hostInterfaceAgent";
import { readLinks } from "./links";
import { readPhysicalFunctions } from "./sriovSysfs";
import type { AgentMetrics } from "./metrics";

export const AGENT_FIELD_MANAGER = "tenet-agent";

export interface NodeAgentOptions {
  node: string;
  /** The agent's API client (ServiceAccount tenet-agent). */
  kube: KubeRest;
  /** Manage the links of this named network namespace instead of the agent's own. */
  netns?: string;
  /** Root under which sys/class/net is read (a DaemonSet mounts the host's /sys at <root>/sys). */
  sysfsRoot?: string;
  /** The SR-IOV device plugin's config.json (pool → physical functions); see server/domain/sriov.ts. */
  sriovConfigFile?: string;
  heartbeatSeconds?: number;
  /** When set, the agent never changes links and reports every interface as NotApplied with this reason. */
  notAppliedReason?: string;
  /** Prometheus metrics of the passes (served by `tenet agent --metrics-port`). */
  metrics?: AgentMetrics;
  debounceMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

type Kinded = WatchedObject & { spec?: unknown };

const WATCHED = ["DanmNet", "TenantNetwork", "ClusterNetwork", "TenantConfig", "DanmEp"] as const;

export class NodeAgent {
  private readonly watches = new Map<(typeof WATCHED)[number], SharedWatch<Kinded>>();
  /** Set while the cluster serves the NAD API. */
  private nadWatch?: SharedWatch<Kinded>;
  /** What was last logged about the NAD API not being served, and about each unusable NAD (logged once). */
  private nadApiNote?: string;
  private readonly nadNotes = new Map<string, string>();
  private readonly interfaces: HostInterfaceAgent;
  private readonly heartbeatMs: number;
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private published?: { content: NodeStatusContent; at: number };
  private conditions?: NodeCondition[];
  private readonly log: (message: string, fields?: Record<string, unknown>) => void;
  /** Resolves after each completed pass (tests wait on it). */
  private passListeners = new Set<() => void>();

  constructor(private readonly options: NodeAgentOptions) {
    this.interfaces = new HostInterfaceAgent({ netns: options.netns });
    this.heartbeatMs = (options.heartbeatSeconds ?? 30) * 1000;
    this.log = options.log ?? createLogger("agent", { fields: { node: options.node } });
  }

  /** Starts the watches, waits for their first lists, reconciles and publishes once, then keeps going. */
  async start(): Promise<void> {
    if (this.options.notAppliedReason)
      this.log("host interfaces are NOT applied on this node; they are reported as NotApplied", { reason: this.options.notAppliedReason });
    for (const kind of WATCHED) {
      const w = new SharedWatch<Kinded>(this.options.kube, { path: danmPath(kind), log: (m, f) => this.log(m, f) });
      w.onEvent((_type, obj) => {
        if (kind === "DanmEp" && (obj.spec as DanmEp["spec"])?.Host !== this.options.node) return;
        this.reconcileSoon();
      });
      this.watches.set(kind, w);
    }
    await Promise.all([...this.watches.values()].map((w) => w.start()));
    await this.pass();
    this.timer = setInterval(() => this.reconcileSoon(0), this.heartbeatMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const w of this.watches.values()) w.stop();
    this.nadWatch?.stop();
    await this.running;
  }

  /** Schedules a pass after the debounce delay (changes arriving meanwhile share it). */
  reconcileSoon(delayMs = this.options.debounceMs ?? 50): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.pass();
    }, delayMs);
  }

  /** The next completed pass. */
  nextPass(): Promise<void> {
    return new Promise((resolve) => {
      const l = () => {
        this.passListeners.delete(l);
        resolve();
      };
      this.passListeners.add(l);
    });
  }

  /** One reconcile + inventory + publish; passes never overlap (a request during one runs after it). */
  pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.passNow();
        } catch (e) {
          this.log("pass failed", { error: (e as Error).message });
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
      for (const l of [...this.passListeners]) l();
    });
    return this.running;
  }

  private list<T>(kind: (typeof WATCHED)[number]): T[] {
    return (this.watches.get(kind)?.list() ?? []) as unknown as T[];
  }

  /** Starts watching NADs when the cluster serves them (§12.1); until then, says once why not. */
  private async watchNadsIfServed(): Promise<void> {
    if (this.nadWatch || this.stopped) return;
    const served = await nadApiServed(this.options.kube).catch((e: Error) => `cannot list NetworkAttachmentDefinitions: ${e.message}`);
    if (served !== true) {
      if (this.nadApiNote !== served) this.log("NetworkAttachmentDefinitions are not watched; looking again at every pass", { reason: served });
      this.nadApiNote = served;
      return;
    }
    this.nadApiNote = undefined;
    const watch: SharedWatch<Kinded> = new SharedWatch<Kinded>(this.options.kube, {
      path: nadPath(),
      log: (m, f) => this.log(m, f),
      onNotServed: () => {
        if (this.nadWatch === watch) this.nadWatch = undefined;
        this.log("the cluster stopped serving NetworkAttachmentDefinitions; their interfaces go with them");
        this.reconcileSoon();
      },
    });
    watch.onEvent(() => this.reconcileSoon());
    this.nadWatch = watch;
    await watch.start();
    this.log("watching NetworkAttachmentDefinitions");
  }

  /** Logs once why a NAD is ignored or unusable (NAD-1..NAD-3), again only when the reason changes. */
  private noteUnusableNads(nads: readonly NetworkAttachmentDefinition[]): void {
    const seen = new Set<string>();
    for (const nad of nads) {
      const reading = readNad(nad);
      if (reading.use === "network") continue;
      const key = nadLabel(nad);
      seen.add(key);
      const note = reading.use === "ignored" ? `${key}: ${reading.reason}` : nadIssuesMessage(nad, reading.issues);
      if (this.nadNotes.get(key) === note) continue;
      this.nadNotes.set(key, note);
      if (reading.use === "ignored") this.log("NetworkAttachmentDefinition ignored", { reason: note });
      else this.log("NetworkAttachmentDefinition not usable", { error: note });
    }
    for (const key of this.nadNotes.keys()) if (!seen.has(key)) this.nadNotes.delete(key);
  }

  /**
   * NAD-4: once a NAD's interface is on this node as the NAD asks (not in conflict), its `master`
   * names that interface. Every node's agent computes the same rewrite from the object alone and
   * writes it with the resourceVersion it read, so they never fight: after a conflict the others
   * find the rewrite done.
   */
  private async rewriteNadMasters(nads: readonly NetworkAttachmentDefinition[], links: readonly ActualInterface[], report: ReconcileReport): Promise<void> {
    for (const nad of nads) {
      const wanted = nadHostInterface(readNad(nad));
      if (!wanted || !nadMasterRewrite(nad)) continue;
      if (report.conflicts.some((c) => c.name === wanted.name) || report.failed.some((f) => f.name === wanted.name)) continue;
      const link = links.find((l) => l.name === wanted.name);
      if (!link?.ownedByTenet || !link.up || !interfaceMatches(link, { ...wanted, users: [] })) continue;
      const stillWanted = (n: NetworkAttachmentDefinition) => {
        const w = nadHostInterface(readNad(n));
        return w && w.name === wanted.name && w.kind === wanted.kind && w.id === wanted.id && w.parent === wanted.parent ? nadMasterRewrite(n) : undefined;
      };
      try {
        if (await updateNetworkAttachmentDefinition(this.options.kube, nad, stillWanted))
          this.log("NetworkAttachmentDefinition master rewritten", { nad: nadLabel(nad), master: wanted.name, hostDevice: wanted.parent });
      } catch (e) {
        this.log("cannot rewrite the master of a NetworkAttachmentDefinition; retrying at the next pass", { nad: nadLabel(nad), error: (e as Error).message });
      }
    }
  }

  private readSriovConfig(): ParsedSriovConfig | undefined {
    const file = this.options.sriovConfigFile;
    if (!file) return undefined;
    try {
      return parseSriovDevicePluginConfig(fs.readFileSync(file, "utf8"));
    } catch (e) {
      return { ok: false, reason: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  }

  private async passNow(): Promise<void> {
    const networks = [...this.list<NetworkObject>("DanmNet"), ...this.list<NetworkObject>("TenantNetwork"), ...this.list<NetworkObject>("ClusterNetwork")];
    await this.watchNadsIfServed();
    const nads = (this.nadWatch?.list() ?? []) as unknown as NetworkAttachmentDefinition[];
    this.noteUnusableNads(nads);
    const sources = [...networks, ...nads];
    const tenantConfigs = this.list<TenantConfig>("TenantConfig");
    const danmEps = this.list<DanmEp>("DanmEp");
    const startedAt = new Date().toISOString();

    let report: ReconcileReport | undefined;
    let links: ActualInterface[] | undefined;
    let reconcileError: string | undefined;
    if (!this.options.notAppliedReason) {
      try {
        report = await this.interfaces.reconcile(sources);
        links = await readLinks({ netns: this.options.netns });
        await this.rewriteNadMasters(nads, links, report);
      } catch (e) {
        reconcileError = (e as Error).message;
      }
    }

    const config = this.readSriovConfig();
    const poolNames = sriovPoolNames(tenantConfigs, networks);
    const pfs = config?.ok ? poolNames.flatMap((p) => (config.pools.get(p) ?? []).map((f) => f.pf)) : [];
    const readings = readPhysicalFunctions(this.options.sysfsRoot ?? "/", pfs);
    const pools = sriovPoolStatuses(poolNames, config, readings, vfHolders(danmEps, this.options.node), this.options.sriovConfigFile);

    const content = nodeStatusContent(
      {
        node: this.options.node,
        heartbeatSeconds: this.heartbeatMs / 1000,
        notAppliedReason: this.options.notAppliedReason,
        netns: this.options.netns,
        desired: desiredHostInterfaces(sources),
        links,
        failed: report?.failed ?? [],
        conflicts: report?.conflicts ?? [],
        reconcileError,
        lastReconcile: startedAt,
        pools,
      },
      this.conditions,
      startedAt,
    );
    this.options.metrics?.observe(
      content,
      (report?.failed ?? []).map((f) => f.name),
    );
    const changed = statusContentChanged(this.published?.content, content);
    if (report && (report.created.length || report.removed.length || report.broughtUp.length))
      this.log("host interfaces changed", { created: report.created, removed: report.removed, broughtUp: report.broughtUp });
    if (changed) {
      for (const f of report?.failed ?? []) this.log("host interface failed", { name: f.name, networks: f.users, command: f.command, error: f.error });
      for (const c of report?.conflicts ?? []) this.log("host interface left alone", { name: c.name, networks: c.users, reason: c.reason });
      if (reconcileError) this.log("reconcile failed", { error: reconcileError });
    }
    if (!changed && this.published && Date.now() - this.published.at < this.heartbeatMs - 1000) return;
    await this.publish(content);
  }

  private async publish(content: NodeStatusContent): Promise<void> {
    const heartbeat = new Date().toISOString();
    const object: NodeNetworkStatus = {
      apiVersion: "danm.k8s.io/v1",
      kind: "NodeNetworkStatus",
      metadata: { name: this.options.node, labels: { "app.kubernetes.io/managed-by": "tenet-agent" } },
      status: { ...content, heartbeat },
    };
    try {
      await this.options.kube.call(danmPath("NodeNetworkStatus", undefined, this.options.node), {
        method: "PATCH",
        body: object,
        contentType: "application/apply-patch+yaml",
        query: { fieldManager: AGENT_FIELD_MANAGER, force: "true" },
      });
      this.published = { content, at: Date.now() };
      this.conditions = content.conditions;
    } catch (e) {
      this.options.metrics?.publishErrors.inc();
      this.log("cannot publish the node status; retrying at the next pass", { error: (e as Error).message });
      this.published = undefined;
    }
  }
}
