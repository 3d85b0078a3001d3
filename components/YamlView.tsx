"use client";
// Any object as `kubectl get -o yaml` shows it (shaped by yamlShape.ts: no managedFields, keys in
// kubectl's order, long strings such as bitmaps on one line). With a copy button, so a tenant can
// paste the object into a manifest or a ticket.
import { useMemo, useState } from "react";
import { toKubectlYaml } from "./yamlShape";

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // the Clipboard API needs a secure context; plain http on a LAN address falls back to a selection
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

export function YamlView({ object }: { object: unknown }) {
  const text = useMemo(() => {
    try {
      return { ok: true as const, yaml: toKubectlYaml(object) };
    } catch (e) {
      return { ok: false as const, error: (e as Error).message };
    }
  }, [object]);
  const [copied, setCopied] = useState<"yes" | "no" | undefined>();

  if (object === undefined || object === null) {
    return (
      <p className="rounded border border-slate-200 bg-slate-50 p-4 text-sm text-slate-600" data-testid="yaml-empty">
        Nothing to show yet: the object has not been loaded.
      </p>
    );
  }
  if (!text.ok) {
    return (
      <p className="rounded border border-red-200 bg-red-50 p-4 text-sm text-red-800" data-testid="yaml-error">
        This object cannot be shown as YAML ({text.error}). Reload the page; if it persists, read it with kubectl get -o yaml.
      </p>
    );
  }
  return (
    <div className="relative rounded-lg border border-slate-200 bg-slate-950" data-testid="yaml-view">
      <button
        type="button"
        className="absolute right-2 top-2 rounded border border-slate-600 bg-slate-800 px-2 py-0.5 text-xs text-slate-100 hover:bg-slate-700"
        data-testid="yaml-copy"
        onClick={async () => {
          setCopied((await copyText(text.yaml)) ? "yes" : "no");
          setTimeout(() => setCopied(undefined), 2000);
        }}
      >
        {copied === "yes" ? "Copied" : copied === "no" ? "Copy failed: select the text" : "Copy"}
      </button>
      <pre className="max-h-[70vh] overflow-auto p-4 pr-24 font-mono text-xs leading-5 text-slate-100" data-testid="yaml-text">
        {text.yaml}
      </pre>
    </div>
  );
}
