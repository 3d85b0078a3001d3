// CSV of the addresses in use: GET /api/usage/addresses.csv[?kind=&namespace=&name=]. Runs as the
// signed-in person through the same context and router as tRPC (session cookie, impersonation):
// without a network it needs the cluster-wide read access of an operator or netadmin.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createContext } from "@/server/api/context";
import { appRouter } from "@/server/api/root";
import { addressesCsv } from "@/server/domain/usage/addressesInUse";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const resHeaders = new Headers();
  const ctx = await createContext({ req, resHeaders });
  const params = new URL(req.url).searchParams;
  const name = params.get("name");
  const input = name ? { kind: params.get("kind") as "TenantNetwork", namespace: params.get("namespace") || undefined, name } : undefined;
  try {
    const rows = await appRouter.createCaller(ctx).usage.addresses(input);
    const file = input ? `addresses-${input.kind}-${input.namespace ? `${input.namespace}-` : ""}${input.name}.csv` : "addresses.csv";
    resHeaders.set("content-type", "text/csv; charset=utf-8");
    resHeaders.set("content-disposition", `attachment; filename="${file.replace(/[^A-Za-z0-9._-]/g, "_")}"`);
    resHeaders.set("cache-control", "no-store");
    return new Response(addressesCsv(rows), { headers: resHeaders });
  } catch (e) {
    const error = e instanceof TRPCError ? e : new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: (e as Error).message });
    return new Response(`${error.message}\n`, {
      status: getHTTPStatusCodeFromError(error),
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
}
