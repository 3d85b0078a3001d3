// A deduplicating work queue with one worker, as client-go's workqueue: a key added while pending is
// not added twice; a key added while being processed is processed once more afterwards; keys can be
// added after a delay (requeue). Keys are processed in insertion order.

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private current?: string;
  private running = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private inflight?: Promise<void>;

  constructor(private readonly process: (key: string) => Promise<void>) {}

  add(key: string) {
    if (this.stopped) return;
    if (key === this.current) this.dirty.add(key);
    else this.pending.add(key);
    this.kick();
  }

  addAfter(key: string, delayMs: number) {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Starts processing (keys added before are kept). */
  start() {
    this.running = true;
    this.kick();
  }

  /** Drops what is pending; resolves once the key being processed (if any) is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    this.timers.forEach(clearTimeout);
    this.timers.clear();
    this.pending.clear();
    await this.inflight;
  }

  get length() {
    return this.pending.size + (this.current ? 1 : 0);
  }

  /** Resolves when nothing is pending or being processed (delayed keys not counted). */
  idle(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick() {
    if (!this.running || this.current !== undefined) return;
    void this.drain();
  }

  private async drain() {
    while (this.running) {
      const next = this.pending.values().next();
      if (next.done) break;
      const key = next.value;
      this.pending.delete(key);
      this.current = key;
      this.inflight = this.process(key).catch(() => {
        // the processor reports its own failures; the queue only keeps going
      });
      await this.inflight;
      this.inflight = undefined;
      this.current = undefined;
      if (this.dirty.delete(key)) this.pending.add(key);
    }
    if (this.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }
}
