// Lease leader election (coordination.k8s.io/v1), so that one controllers replica reconciles at a time.
import type { LeaseRecord } from "../kube/leases";
import type { Log } from "../log";

export type LeaseAction = "create" | "renew" | "acquire" | "wait";

/** What a candidate does with the lease as it stands: a pure decision, tested on its own. */
export function leaseAction(lease: LeaseRecord | undefined, me: string, now: Date): LeaseAction {
  if (!lease) return "create";
  if (lease.holder === me) return "renew";
  const expires = (lease.renewTime?.getTime() ?? 0) + lease.durationSeconds * 1000;
  return !lease.holder || expires < now.getTime() ? "acquire" : "wait";
}

export interface LeaseBackend {
  read(): Promise<LeaseRecord | undefined>;
  write(record: LeaseRecord, acquired: boolean): Promise<LeaseRecord>;
}

export interface ElectorOptions {
  identity: string;
  durationSeconds?: number;
  retryMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log?: Log;
  now?: () => Date;
}

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastError = "";
  private readonly durationSeconds: number;
  private readonly now: () => Date;

  constructor(
    private readonly backend: LeaseBackend,
    private readonly options: ElectorOptions,
  ) {
    this.durationSeconds = options.durationSeconds ?? 15;
    this.now = options.now ?? (() => new Date());
  }

  isLeader() {
    return this.leading;
  }

  /** One round: read the lease, create/renew/acquire it when allowed, follow the outcome. */
  async tick(): Promise<void> {
    const now = this.now();
    try {
      const lease = await this.backend.read();
      const action = leaseAction(lease, this.options.identity, now);
      if (action !== "wait") {
        await this.backend.write(
          {
            holder: this.options.identity,
            renewTime: now,
            durationSeconds: this.durationSeconds,
            transitions: (lease?.transitions ?? 0) + (action === "acquire" ? 1 : 0),
            resourceVersion: lease?.resourceVersion,
          },
          action !== "renew",
        );
        this.lastRenew = now.getTime();
        if (!this.leading) {
          this.leading = true;
          this.options.log?.("leader election won", { identity: this.options.identity, action });
          this.options.onStartedLeading();
        }
        return;
      }
      this.lose("another replica holds the lease", { holder: lease?.holder });
    } catch (e) {
      const message = (e as Error).message;
      if (message !== this.lastError && (e as { status?: number }).status !== 409)
        this.options.log?.("lease not written", { identity: this.options.identity, error: message });
      this.lastError = message;
      // a conflict or an unreachable API server: keep leading only while the lease surely is ours
      if (this.leading && now.getTime() - this.lastRenew > this.durationSeconds * 1000 * 0.8)
        this.lose("lease not renewed in time", { error: (e as Error).message });
    }
  }

  private lose(why: string, fields: Record<string, unknown>) {
    if (!this.leading) return;
    this.leading = false;
    this.options.log?.("leader election lost", { identity: this.options.identity, why, ...fields });
    this.options.onStoppedLeading();
  }

  start() {
    const loop = async () => {
      if (this.stopped) return;
      await this.tick();
      if (!this.stopped) this.timer = setTimeout(loop, this.options.retryMs ?? 2000);
    };
    void loop();
  }

  /** Stops and gives the lease up, so another replica takes over at once. */
  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    this.options.onStoppedLeading();
    try {
      const lease = await this.backend.read();
      if (lease?.holder === this.options.identity) await this.backend.write({ ...lease, holder: "", durationSeconds: 1 }, false);
    } catch {
      // the lease expires by itself
    }
  }
}
