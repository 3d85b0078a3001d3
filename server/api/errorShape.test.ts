import { initTRPC, TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { KubeError } from "../kube/errors";
import { formatError } from "./errorShape";

/** The error a browser receives when a procedure fails with `error`: the JSON body of the HTTP answer. */
async function errorReceived(error: Error) {
  const t = initTRPC.create({ errorFormatter: formatError });
  const router = t.router({
    fail: t.procedure.mutation(() => {
      throw error;
    }),
  });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request("http://console/api/trpc/fail", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    router,
  });
  return ((await res.json()) as { error: { message: string; data: Record<string, unknown> } }).error;
}

const webhookDenial = (causes: { field: string; reason: string; message: string }[]) =>
  new TRPCError({
    code: "UNPROCESSABLE_CONTENT",
    message: 'admission webhook "validate.tenet" denied the request: …',
    cause: new KubeError(422, 'admission webhook "validate.tenet" denied the request: …', { reason: "Invalid", causes }),
  });

describe("the error shape the browser receives", () => {
  it("a webhook denial carries the Kubernetes causes and the rule IDs they name", async () => {
    const inUse = {
      field: "metadata.name",
      reason: "FieldValueForbidden",
      message: "Forbidden: TenantNetwork team-a/blue is in use by Pod team-a/web (interface eth1); delete those Pods first (D-3)",
    };
    const error = await errorReceived(webhookDenial([inUse]));
    expect(error.data).toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      httpStatus: 422,
      kube: { status: 422, reason: "Invalid", causes: [inUse] },
      rules: ["D-3"],
    });
    expect(error.data.stack).toBeUndefined();
  });

  it("each rule is listed once, in the order of the causes; causes without a rule add none", async () => {
    const error = await errorReceived(
      webhookDenial([
        { field: "spec.Options.vlan", reason: "FieldValueForbidden", message: "Forbidden: vlan is assigned by the cluster (N-23)" },
        { field: "spec.Options.cidr", reason: "FieldValueInvalid", message: 'Invalid value: "10.0.0.0/33": not a CIDR (N-2)' },
        { field: "spec.Options.vxlan", reason: "FieldValueForbidden", message: "Forbidden: vxlan is assigned by the cluster (N-23)" },
        { field: "metadata.name", reason: "FieldValueInvalid", message: "a lowercase RFC 1123 subdomain" },
      ]),
    );
    expect(error.data.rules).toEqual(["N-23", "N-2"]);
  });

  it("a refusal that is not a Kubernetes one carries no causes and no rules", async () => {
    const error = await errorReceived(new TRPCError({ code: "FORBIDDEN", message: "missing or wrong CSRF token: reload the page" }));
    expect(error).toMatchObject({ message: "missing or wrong CSRF token: reload the page", data: { code: "FORBIDDEN", rules: [] } });
    expect(error.data.kube).toBeUndefined();
  });

  it("an unexpected failure hides its message from the browser", async () => {
    const error = await errorReceived(new Error("SQLITE_CANTOPEN: /var/lib/tenet/console.db"));
    expect(error.message).toMatch(/^the console failed unexpectedly at .*; its log has the details$/);
    expect(JSON.stringify(error)).not.toContain("SQLITE");
  });
});
