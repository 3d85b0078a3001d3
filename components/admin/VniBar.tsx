"use client";
// One interface profile's VNI range as a bar: where the reserved VNIs sit in it, which TenantNetwork
// holds each, and — in red — the ones outside the (edited) range.
import { useState } from "react";
import type { ProfileVni } from "@/server/domain/tenancy/rangeEdit";
import { parseVniRange } from "@/server/domain/tenancy/vni";

/** Position of a VNI among the range's values (0-based), or -1 when outside. */
function offsetIn(intervals: [number, number][], vni: number): number {
  let before = 0;
  for (const [a, b] of intervals) {
    if (vni >= a && vni <= b) return before + vni - a;
    before += b - a + 1;
  }
  return -1;
}

const who = (v: ProfileVni) => (v.holders.length ? v.holders.map((h) => `${h.namespace}/${h.name}`).join(", ") : "no TenantNetwork");

function tone(v: ProfileVni): { className: string; meaning: string } {
  if (!v.inRange) return { className: "bg-red-600", meaning: "outside the range" };
  if (v.reserved && v.holders.length) return { className: "bg-sky-600", meaning: "reserved" };
  if (v.reserved) return { className: "bg-amber-500", meaning: "reserved, but no TenantNetwork holds it (the reconciler frees it)" };
  return { className: "bg-fuchsia-600", meaning: "held by a TenantNetwork, but not marked reserved" };
}

export function VniBar({ profileKey, vniRange, vnis }: { profileKey: string; vniRange: string; vnis: ProfileVni[] }) {
  const [showAll, setShowAll] = useState(false);
  const parsed = parseVniRange(vniRange);
  const intervals = parsed.ok ? parsed.range.intervals : [];
  const size = intervals.reduce((n, [a, b]) => n + b - a + 1, 0);
  const inside = vnis.filter((v) => v.inRange);
  const outside = parsed.ok ? vnis.filter((v) => !v.inRange) : []; // an unreadable range says nothing about what lies outside
  const reservedInside = inside.filter((v) => v.reserved || v.holders.length).length;
  const listed = showAll ? vnis : vnis.slice(0, 24);
  return (
    <div className="mt-2" data-testid={`vni-bar-${profileKey}`}>
      {size > 0 ? (
        <>
          <div
            className="relative h-4 w-full overflow-hidden rounded bg-slate-200"
            role="img"
            aria-label={`${reservedInside} of ${size} VNIs in ${vniRange} reserved`}
          >
            {inside.map((v) => {
              const at = offsetIn(intervals, v.vni);
              return (
                <div
                  key={v.vni}
                  data-testid={`vni-${v.vni}`}
                  className={`absolute top-0 h-full ${tone(v).className}`}
                  style={{ left: `${(at / size) * 100}%`, width: `max(${100 / size}%, 2px)` }}
                  title={`${v.vni}: ${tone(v).meaning}; held by ${who(v)}`}
                />
              );
            })}
            {/* interval boundaries */}
            {intervals.slice(1).map(([a]) => (
              <div key={a} className="absolute top-0 h-full w-px bg-white" style={{ left: `${(offsetIn(intervals, a) / size) * 100}%` }} />
            ))}
          </div>
          <div className="mt-0.5 flex justify-between text-[11px] text-slate-500">
            <span>{intervals[0][0]}</span>
            <span data-testid={`vni-count-${profileKey}`}>
              {reservedInside} of {size} reserved
              {size - reservedInside > 0 ? `, ${size - reservedInside} free` : ", range exhausted: new TenantNetworks on this profile are refused"}
            </span>
            <span>{intervals[intervals.length - 1][1]}</span>
          </div>
        </>
      ) : (
        <div className="text-xs text-slate-500">Give a valid range to see its reservations.</div>
      )}
      {outside.length > 0 && (
        <div className="mt-1 flex flex-wrap gap-1 text-xs" data-testid={`vni-outside-${profileKey}`}>
          <span className="text-red-700">Outside the range:</span>
          {outside.map((v) => (
            <span key={v.vni} className="rounded bg-red-100 px-1.5 text-red-800" title={`held by ${who(v)}`}>
              {v.vni}
            </span>
          ))}
        </div>
      )}
      {vnis.length > 0 && (
        <ul className="mt-1 flex flex-wrap gap-1 text-xs" data-testid={`vni-holders-${profileKey}`}>
          {listed.map((v) => (
            <li key={v.vni} className="flex items-center gap-1 rounded border border-slate-200 bg-white px-1.5 py-0.5" title={tone(v).meaning}>
              <span className={`inline-block h-2 w-2 rounded-sm ${tone(v).className}`} />
              <span className="font-mono">{v.vni}</span>
              <span className="text-slate-600">{v.holders.length ? v.holders.map((h) => `${h.namespace}/${h.name}`).join(", ") : "(nobody)"}</span>
            </li>
          ))}
          {vnis.length > listed.length && (
            <li>
              <button type="button" className="text-slate-700 underline" onClick={() => setShowAll(true)}>
                and {vnis.length - listed.length} more
              </button>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
