// When will a pool run out? A least-squares line through the recent usage samples (addresses in use
// against time); where it reaches the pool's size is the forecast. A flat or falling line is "not
// growing"; fewer than two samples at different times is "not enough history".

export interface UsageSample {
  /** milliseconds since the epoch */
  at: number;
  used: number;
  total: number;
}

export type Forecast =
  | { state: "not-enough-history"; samples: number }
  | { state: "full"; used: number; total: number }
  | { state: "not-growing"; perHour: number }
  | { state: "growing"; perHour: number; fullAt: number; msLeft: number };

export interface ForecastOptions {
  /** Only samples this recent (relative to the last one) count; default 24 h. */
  windowMs?: number;
  /** Slopes below this many addresses per hour count as flat; default 0.01. */
  minPerHour?: number;
}

const HOUR = 3_600_000;

/** Least-squares slope and intercept of y over x; undefined when all x are equal. */
export function leastSquares(points: { x: number; y: number }[]): { slope: number; intercept: number } | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * The exhaustion forecast of one pool from its samples (any order). The pool size is the latest
 * sample's total; "full" when the latest sample already uses it all.
 */
export function exhaustionForecast(samples: UsageSample[], options: ForecastOptions = {}): Forecast {
  if (samples.length === 0) return { state: "not-enough-history", samples: 0 };
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const last = sorted[sorted.length - 1];
  if (last.total > 0 && last.used >= last.total) return { state: "full", used: last.used, total: last.total };
  const since = last.at - (options.windowMs ?? 24 * HOUR);
  const recent = sorted.filter((s) => s.at >= since);
  // x relative to the last sample keeps the sums small and exact enough
  const fit = leastSquares(recent.map((s) => ({ x: s.at - last.at, y: s.used })));
  if (!fit) return { state: "not-enough-history", samples: recent.length };
  const perHour = fit.slope * HOUR;
  if (perHour < (options.minPerHour ?? 0.01)) return { state: "not-growing", perHour };
  // where the line stands now, never below what is really used
  const now = Math.max(fit.intercept, 0);
  const msLeft = Math.max(0, (last.total - now) / fit.slope);
  return { state: "growing", perHour, fullAt: last.at + msLeft, msLeft };
}

/** "3 days", "5 hours", "12 minutes": a duration as the views print it. */
export function describeDuration(ms: number): string {
  const minutes = ms / 60_000;
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (minutes < 1) return "less than a minute";
  if (minutes < 120) return unit(Math.round(minutes), "minute");
  const hours = minutes / 60;
  if (hours < 48) return unit(Math.round(hours), "hour");
  const days = hours / 24;
  if (days < 730) return unit(Math.round(days), "day");
  return unit(Math.round(days / 365), "year");
}
