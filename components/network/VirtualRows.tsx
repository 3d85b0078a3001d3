"use client";
// A list that renders only the rows in view (plus a few either side), so thousands of networks or
// addresses scroll as fast as ten. Rows have one fixed height; the header stays on top.
import { useEffect, useRef, useState, type ReactNode } from "react";

const OVERSCAN = 8;

/** Which rows to render: [first, last) of `count` rows of `rowHeight` px, for a viewport scrolled to `scrollTop`. */
export function rowWindow(count: number, rowHeight: number, viewport: number, scrollTop: number): { total: number; first: number; last: number } {
  // a shorter list (a filter, a namespace switch) must not leave the window scrolled past its end
  const total = count * rowHeight;
  const top = Math.min(scrollTop, Math.max(0, total - viewport));
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + viewport) / rowHeight) + OVERSCAN);
  return { total, first, last };
}

export function VirtualRows<T>({
  items,
  rowHeight,
  maxHeight,
  header,
  row,
  rowKey,
  testId,
}: {
  items: readonly T[];
  rowHeight: number;
  /** height of the scrolling area in px; shorter lists shrink to fit */
  maxHeight: number;
  header: ReactNode;
  row: (item: T, index: number) => ReactNode;
  rowKey: (item: T) => string;
  testId: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(maxHeight);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight || maxHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, [maxHeight]);
  const { total, first, last } = rowWindow(items.length, rowHeight, viewport, scrollTop);
  return (
    <div
      ref={ref}
      role="table"
      className="overflow-auto rounded-lg border border-slate-200 bg-white"
      style={{ maxHeight }}
      data-testid={testId}
      data-rows={items.length}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div role="rowgroup" className="sticky top-0 z-10 border-b border-slate-200 bg-slate-50">
        {header}
      </div>
      <div role="rowgroup" style={{ height: total, position: "relative" }}>
        <div style={{ position: "absolute", top: first * rowHeight, left: 0, right: 0 }}>
          {items.slice(first, last).map((item, i) => (
            <div key={rowKey(item)} style={{ height: rowHeight }}>
              {row(item, first + i)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
