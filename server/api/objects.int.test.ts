// The console's generic object API through the real API server, as the signed-in person.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
});
afterAll(() => runtime.dispose());

describe("objects, impersonating the signed-in person", () => {
  it("lists what alice may list and refuses another tenant's namespace with FORBIDDEN", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await expect(alice.objects.list({ kind: "TenantNetwork", namespace: "team-a" })).resolves.toBeInstanceOf(Array);
    await expect(alice.objects.list({ kind: "TenantNetwork", namespace: "team-b" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("derives roles from RBAC", async () => {
    expect((await (await callerFor(runtime, DEMO_IDENTITIES.alice)).auth.me())?.roles).toEqual({
      netadmin: false,
      operator: false,
      tenantNamespaces: ["team-a"],
    });
    expect((await (await callerFor(runtime, DEMO_IDENTITIES.netadmin)).auth.me())?.roles.netadmin).toBe(true);
    expect((await (await callerFor(runtime, DEMO_IDENTITIES.olga)).auth.me())?.roles).toMatchObject({ netadmin: false, operator: true });
  });
});
