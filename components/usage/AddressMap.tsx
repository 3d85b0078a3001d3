"use client";
// The address map of an IPv4 pool (up to a /16): one cell per address on a <canvas>, coloured
// free / used / reserved; hovering an address shows its holder (Pod + interface) or why it is
// reserved; clicking an address keeps it shown, and its holder links to the Pod's row on the
// network's page (#pod-<namespace>-<name>). The data arrives compactly (bitmap + holders as parallel arrays) and is decoded here.
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import { networkHref } from "@/components/network/networkLinks";
import { podAnchor } from "@/server/domain/podAttachments";
import {
  addressText,
  countStates,
  decodeAddressMap,
  describeAddress,
  STATE_FREE,
  STATE_RESERVED,
  STATE_USED,
  type AddressDetail,
  type AddressMapData,
} from "@/server/domain/usage/addressMap";

/** RGBA per state: free slate-200, used blue-600, reserved amber-400. */
const COLOURS: Record<number, [number, number, number]> = {
  [STATE_FREE]: [226, 232, 240],
  [STATE_USED]: [37, 99, 235],
  [STATE_RESERVED]: [251, 191, 36],
};

/** Columns of the grid: a /16 is 256 × 256; smaller pools get fewer, larger cells. */
export function mapColumns(size: number): number {
  return size <= 256 ? 16 : size <= 1024 ? 32 : size <= 4096 ? 64 : 256;
}

/** The Pods section row of a holder ("namespace/pod") on the network's page. */
export function holderHref(network: { kind: string; namespace?: string; name: string }, holder: string): string {
  const slash = holder.indexOf("/");
  const namespace = holder.slice(0, slash);
  const pod = holder.slice(slash + 1);
  return `${networkHref(network, namespace)}#${podAnchor(namespace, pod)}`;
}

export function AddressMap({ data, network }: { data: AddressMapData; network?: { kind: string; namespace?: string; name: string } }) {
  const map = useMemo(() => decodeAddressMap(data), [data]);
  const counts = useMemo(() => countStates(map), [map]);
  const canvas = useRef<HTMLCanvasElement>(null);
  // the index under the pointer; its detail comes from the current map, so a live update (a Pod taking
  // the address) shows while the pointer rests on it
  const [hovered, setHovered] = useState<number | undefined>();
  // the address clicked last: shown while the pointer is elsewhere, so its holder's link can be followed
  const [pinned, setPinned] = useState<number | undefined>();
  const shown = hovered ?? pinned;
  const hover: AddressDetail | undefined = useMemo(
    () => (shown === undefined || shown >= map.states.length ? undefined : describeAddress(map, shown)),
    [map, shown],
  );
  const [drawn, setDrawn] = useState(false);
  const columns = mapColumns(data.size);
  const rows = Math.ceil(data.size / columns);
  const cell = Math.max(3, Math.floor(768 / columns));

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx) return;
    const image = ctx.createImageData(columns, rows);
    const px = image.data;
    for (let i = 0; i < map.states.length; i++) {
      const [r, g, b] = COLOURS[map.states[i]];
      const o = i * 4;
      px[o] = r;
      px[o + 1] = g;
      px[o + 2] = b;
      px[o + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    setDrawn(true);
  }, [map, columns, rows]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const col = Math.floor(((e.clientX - rect.left) / rect.width) * columns);
    const row = Math.floor(((e.clientY - rect.top) / rect.height) * rows);
    if (col < 0 || col >= columns || row < 0 || row >= rows) return setHovered(undefined);
    setHovered(row * columns + col);
  };

  return (
    <div className="flex flex-wrap items-start gap-6">
      <div className="flex items-start gap-1">
        <RowLabels data={data} columns={columns} rows={rows} cell={cell} />
        <div className="relative" style={{ width: columns * cell, height: rows * cell }}>
          <canvas
            ref={canvas}
            width={columns}
            height={rows}
            onMouseMove={onMove}
            onMouseLeave={() => setHovered(undefined)}
            onClick={() => setPinned((p) => (hovered === undefined || p === hovered ? undefined : hovered))}
            className="block cursor-crosshair rounded border border-slate-300"
            style={{ width: columns * cell, height: rows * cell, imageRendering: "pixelated" }}
            data-testid="address-map"
            data-ready={drawn ? "true" : "false"}
            data-pinned={pinned ?? ""}
            data-size={data.size}
            data-columns={columns}
            aria-label={`Address map of ${data.cidr}: ${counts.used} used, ${counts.reserved} reserved, ${counts.free} free`}
          />
          {hover && (
            <div
              className="pointer-events-none absolute border-2 border-slate-900"
              style={{ left: (hover.index % columns) * cell - 1, top: Math.floor(hover.index / columns) * cell - 1, width: cell + 2, height: cell + 2 }}
            />
          )}
        </div>
      </div>
      <div className="w-80 space-y-4 text-sm">
        <div className="min-h-24 rounded border border-slate-200 bg-white p-3" data-testid="address-detail" aria-live="polite">
          {hover ? (
            <>
              <div className="font-mono text-base font-semibold" data-testid="address-detail-address">
                {hover.address}
              </div>
              <div className="mt-1">
                <StateSwatch state={hover.state} /> <span data-testid="address-detail-state">{hover.state}</span>
              </div>
              {hover.pod && (
                <div className="mt-1" data-testid="address-detail-holder">
                  Pod{" "}
                  {network ? (
                    <Link className="font-semibold text-sky-800 hover:underline" href={holderHref(network, hover.pod)} data-testid="address-detail-pod-link">
                      {hover.pod}
                    </Link>
                  ) : (
                    <b>{hover.pod}</b>
                  )}
                  {hover.iface && (
                    <>
                      {" "}
                      · interface <b>{hover.iface}</b>
                    </>
                  )}
                </div>
              )}
              <div className="mt-1 text-slate-600">{hover.reason}</div>
            </>
          ) : (
            <span className="text-slate-500">Point at an address to see who holds it; click it to keep it here.</span>
          )}
        </div>
        <Legend counts={counts} holdersComplete={data.holdersComplete} />
      </div>
    </div>
  );
}

/** The first address of every few rows, so a position on the map reads as an address range. */
function RowLabels({ data, columns, rows, cell }: { data: AddressMapData; columns: number; rows: number; cell: number }) {
  const every = Math.max(1, Math.ceil(14 / cell));
  const labels: number[] = [];
  for (let r = 0; r < rows; r += every) labels.push(r);
  return (
    <div className="relative w-24 font-mono text-[10px] text-slate-500" style={{ height: rows * cell }} aria-hidden>
      {labels.map((r) => (
        <div key={r} className="absolute right-1 leading-none" style={{ top: r * cell }}>
          {addressText(data, r * columns)}
        </div>
      ))}
    </div>
  );
}

function StateSwatch({ state }: { state: "free" | "used" | "reserved" }) {
  const colour = state === "used" ? "bg-blue-600" : state === "reserved" ? "bg-amber-400" : "bg-slate-200";
  return <span className={`inline-block h-3 w-3 rounded-sm align-middle ${colour}`} />;
}

function Legend({ counts, holdersComplete }: { counts: Record<"free" | "used" | "reserved", number>; holdersComplete: boolean }) {
  return (
    <dl className="space-y-2" data-testid="address-map-legend">
      <div>
        <dt className="font-semibold">
          <StateSwatch state="used" /> used <span className="font-normal tabular-nums text-slate-500">({counts.used.toLocaleString("en")})</span>
        </dt>
        <dd className="text-slate-600">A DanmEp of this network holds the address: a Pod interface has it.</dd>
      </div>
      <div>
        <dt className="font-semibold">
          <StateSwatch state="reserved" /> reserved <span className="font-normal tabular-nums text-slate-500">({counts.reserved.toLocaleString("en")})</span>
        </dt>
        <dd className="text-slate-600">
          No Pod has it, yet it is not free: the network and broadcast addresses and route gateways (reserved when the network is created); addresses whose bit
          is set in the allocation bitmap that no DanmEp holds{holdersComplete ? "" : " you may see"} (an interface being set up, or a leak the IP leak
          reconciler frees after its grace period); and addresses outside allocation_pool start–end, which dynamic allocation never hands out.
        </dd>
      </div>
      <div>
        <dt className="font-semibold">
          <StateSwatch state="free" /> free <span className="font-normal tabular-nums text-slate-500">({counts.free.toLocaleString("en")})</span>
        </dt>
        <dd className="text-slate-600">Inside the allocation pool with its bit clear: the next dynamic request may get it.</dd>
      </div>
    </dl>
  );
}
