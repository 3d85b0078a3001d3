// Prometheus metrics of this console replica. With TENET_METRICS_TOKEN set, scrapers must send it
// as a bearer token (the console's port is usually reachable by every user).
import { timingSafeEqual } from "node:crypto";
import { consoleMetrics } from "@/server/api/metrics";

export const dynamic = "force-dynamic";

function authorized(req: Request): boolean {
  const expected = process.env.TENET_METRICS_TOKEN;
  if (!expected) return true;
  const given = Buffer.from((req.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, ""));
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function GET(req: Request) {
  if (!authorized(req)) return new Response("metrics need the bearer token of TENET_METRICS_TOKEN\n", { status: 401 });
  const registry = consoleMetrics().registry;
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
}
