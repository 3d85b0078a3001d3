// Strings with markup render as text. Kubernetes names cannot hold markup, but other fields the
// console displays can: a TenantConfig host device's name, a DanmEp's pod and interface names. This
// puts markup there with kubectl and opens the views that show them; the markup must appear as
// literal text, and nothing may be injected (no <img>, no script run).
import type { Page } from "@playwright/test";
import { expect, test, trackApiRequests, uniqueName } from "./fixtures";

const MARKUP = `<img src=x onerror="window.__xss=1">`;
const POD_MARKUP = `<img src=x onerror="window.__xss=2">pod`;
const IFACE_MARKUP = `<b>eth</b>`;

/** Views that show these fields (TenantConfig: host devices; networks and usage: endpoints). */
const VIEWS = ["/admin/tenantconfig", "/networks?ns=team-a", "/usage", "/admin/tenants"];

/** How often `literal` appears as text on the page: in text nodes or as the value of a form field. */
function literalCount(page: Page, literal: string): Promise<number> {
  return page.evaluate((s) => {
    let n = 0;
    for (const field of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea")) if (field.value.includes(s)) n++;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) if (walker.currentNode.nodeValue?.includes(s)) n++;
    return n;
  }, literal);
}

async function expectNothingInjected(page: Page, where: string) {
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), `a script ran on ${where}`).toBeUndefined();
  expect(await page.locator('img[src="x"], b:text-is("eth")').count(), `markup became elements on ${where}`).toBe(0);
}

test.describe.serial("markup in displayed fields", () => {
  const network = uniqueName("markup-net");
  const endpoint = uniqueName("markup-ep");

  test.beforeAll(async ({ kubectl }) => {
    // a host device with markup in its name (the TenantConfig admits any name), as the netadmin would add it
    kubectl("netadmin", [
      "patch",
      "tenantconfig",
      "tenet",
      "--type",
      "json",
      "-p",
      JSON.stringify([{ op: "add", path: "/hostDevices/-", value: { name: MARKUP } }]),
    ]);
    // an endpoint whose pod and interface names carry markup, on a real network of team-a
    kubectl("alice", ["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "danm.k8s.io/v1",
        kind: "TenantNetwork",
        metadata: { name: network, namespace: "team-a" },
        spec: { NetworkType: "bridge", Options: { cidr: "10.203.0.0/24" } },
      }),
    });
    kubectl("admin", ["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "danm.k8s.io/v1",
        kind: "DanmEp",
        metadata: { name: endpoint, namespace: "team-a" },
        spec: {
          NetworkName: network,
          NetworkType: "bridge",
          apiType: "TenantNetwork",
          EndpointID: endpoint,
          Host: "node-1",
          Pod: POD_MARKUP,
          Interface: { Name: IFACE_MARKUP, Address: "10.203.0.5/24" },
        },
      }),
    });
  });

  test.afterAll(async ({ kubectl }) => {
    kubectl("admin", ["delete", "danmep", endpoint, "-n", "team-a", "--ignore-not-found"], { check: false });
    kubectl("admin", ["delete", "tenantnetwork", network, "-n", "team-a", "--ignore-not-found"], { check: false });
    const tc = JSON.parse(kubectl("netadmin", ["get", "tenantconfig", "tenet", "-o", "json"]).stdout) as { hostDevices: { name: string }[] };
    const index = tc.hostDevices.findIndex((d) => d.name === MARKUP);
    if (index >= 0)
      kubectl("netadmin", ["patch", "tenantconfig", "tenet", "--type", "json", "-p", JSON.stringify([{ op: "remove", path: `/hostDevices/${index}` }])], {
        check: false,
      });
  });

  test("the TenantConfig view shows a host device named with markup as text", async ({ pageAs }) => {
    const page = await pageAs("netadmin");
    await page.goto("/admin/tenantconfig");
    await expect.poll(() => literalCount(page, MARKUP), { message: "the host device name, as text" }).toBeGreaterThan(0);
    await expectNothingInjected(page, "/admin/tenantconfig");
  });

  test("no view injects markup from object fields, for the netadmin or the tenant", async ({ pageAs }) => {
    let shown = 0;
    for (const user of ["netadmin", "alice"]) {
      const page = await pageAs(user);
      const requests = trackApiRequests(page);
      for (const view of VIEWS) {
        const answer = await page.goto(view);
        expect(answer?.status(), `${view} as ${user}`).toBe(200);
        // the live subscription keeps a request open, so "network idle" never comes: wait for the
        // view's own answers instead
        await expect(page.getByTestId("whoami")).toBeVisible();
        await expect(page.getByTestId("loading")).toHaveCount(0);
        await requests.answered();
        await expectNothingInjected(page, `${view} as ${user}`);
        const literal = (await literalCount(page, MARKUP)) + (await literalCount(page, POD_MARKUP)) + (await literalCount(page, IFACE_MARKUP));
        if (literal > 0) shown++;
        console.log(`markup.spec: ${view} as ${user}: ${literal ? "shows the markup as text" : "does not show these fields"}`);
      }
    }
    expect(shown, "at least one view shows one of the fields (else this test checks nothing)").toBeGreaterThan(0);
  });
});
