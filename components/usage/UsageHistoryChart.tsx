"use client";
// A network's usage over time (from the usage sampler) with the 80 % and 95 % lines and the
// exhaustion forecast in words.
import { describeDuration, type Forecast } from "@/server/domain/usage/forecast";

export interface HistoryPoint {
  at: string;
  used: number;
  total: number;
}

const W = 640;
const H = 180;
const PAD = { left: 44, right: 12, top: 10, bottom: 24 };

export function forecastText(f: Forecast): string {
  switch (f.state) {
    case "full":
      return `Full: all ${f.total.toLocaleString("en")} addresses of the pool are in use. New Pods get no address until some are freed or the pool is enlarged.`;
    case "growing":
      return `Growing by about ${f.perHour >= 10 ? Math.round(f.perHour).toLocaleString("en") : f.perHour.toFixed(1)} addresses an hour: at this rate the pool is full in ${describeDuration(f.msLeft)} (${new Date(f.fullAt).toLocaleString()}).`;
    case "not-growing":
      return "Not growing: usage is flat or falling over the last 24 hours, so no exhaustion is forecast.";
    case "not-enough-history":
      return f.samples === 0
        ? "No history yet: the controllers' usage sampler records usage every minute when it runs with a database (--database-url)."
        : "Not enough history yet for a forecast: it needs samples at two different times.";
  }
}

export function UsageHistoryChart({ points, forecast }: { points: HistoryPoint[]; forecast: Forecast }) {
  const level =
    forecast.state === "full" ? "text-red-700" : forecast.state === "growing" && forecast.msLeft < 7 * 86_400_000 ? "text-amber-700" : "text-slate-700";
  return (
    <div>
      <p className={`text-sm ${level}`} data-testid="usage-forecast" data-state={forecast.state}>
        {forecastText(forecast)}
      </p>
      {points.length > 0 && <Chart points={points} />}
    </div>
  );
}

function Chart({ points }: { points: HistoryPoint[] }) {
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 60_000);
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (f: number) => PAD.top + (1 - Math.min(1, f)) * (H - PAD.top - PAD.bottom);
  const frac = (p: HistoryPoint) => (p.total > 0 ? p.used / p.total : 0);
  // a step line: usage holds until the next sample
  let d = "";
  points.forEach((p, i) => {
    const px = x(times[i]);
    const py = y(frac(p));
    d += i === 0 ? `M${px},${py}` : `H${px}V${py}`;
  });
  const last = points[points.length - 1];
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      className="mt-2 w-full max-w-2xl rounded border border-slate-200 bg-white"
      role="img"
      aria-label="usage history"
      data-testid="usage-history-chart"
    >
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(f)} y2={y(f)} stroke="#e2e8f0" />
          <text x={PAD.left - 6} y={y(f) + 4} fontSize="10" textAnchor="end" fill="#64748b">
            {f * 100} %
          </text>
        </g>
      ))}
      <line x1={PAD.left} x2={W - PAD.right} y1={y(0.8)} y2={y(0.8)} stroke="#f59e0b" strokeDasharray="4 3" />
      <line x1={PAD.left} x2={W - PAD.right} y1={y(0.95)} y2={y(0.95)} stroke="#dc2626" strokeDasharray="4 3" />
      <path d={`${d}H${x(t1)}`} fill="none" stroke="#2563eb" strokeWidth="2" />
      {points.map((p, i) => (
        <circle key={i} cx={x(times[i])} cy={y(frac(p))} r="2" fill="#2563eb">
          <title>{`${new Date(times[i]).toLocaleString()}: ${p.used.toLocaleString("en")} of ${p.total.toLocaleString("en")}`}</title>
        </circle>
      ))}
      <text x={PAD.left} y={H - 6} fontSize="10" fill="#64748b">
        {new Date(t0).toLocaleString()}
      </text>
      <text x={W - PAD.right} y={H - 6} fontSize="10" fill="#64748b" textAnchor="end">
        {new Date(t1).toLocaleString()} · {last.used.toLocaleString("en")} / {last.total.toLocaleString("en")}
      </text>
    </svg>
  );
}
