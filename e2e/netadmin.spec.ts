// The network administrator's views: the TenantConfig editor (widening a profile's VNI range;
// the stranding warning when a narrower range would leave a reserved VNI outside), a ClusterNetwork
// created through the form for team-a only (a rule issue shown at its field as the netadmin types;
// alice then sees the network, bob does not), every tenant's networks, and the audit trail recording the changes with the cluster's verdict.
import type { Page } from "@playwright/test";
import type { TenantConfig } from "../server/domain/api/tenantConfig";
import { attachPod, getNetwork, networkManifest } from "./danmObjects";
import { expect, test, uniqueName, type Kubectl } from "./fixtures";

const NS = "team-a";

function tenantConfig(kubectl: Kubectl): TenantConfig {
  return JSON.parse(kubectl("netadmin", ["get", "tenantconfig", "tenet", "-o", "json"]).stdout) as TenantConfig;
}

/** The editor's row of the profile named `name` (rows are profile-<index>). */
async function profileRow(page: Page, name: string) {
  await expect(page.getByTestId("profile-name").first()).toBeVisible();
  const names = await page.getByTestId("profile-name").evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  const index = names.indexOf(name);
  expect(index, `a profile named ${name} among ${names.join(", ")}`).toBeGreaterThanOrEqual(0);
  return { row: page.getByTestId(`profile-${index}`), index };
}

test.describe.serial("netadmin", () => {
  const holder = uniqueName("vlan-holder");
  const clusterNet = uniqueName("team-a-only").slice(0, 30);
  let originalRange = "";
  let reserved = 0;

  test.beforeAll(async ({ kubectl }) => {
    // a TenantNetwork on ens4 holds a VLAN of its range (the reservation the editor must not strand silently)
    kubectl("alice", ["create", "-f", "-"], {
      input: networkManifest("TenantNetwork", holder, NS, { NetworkType: "macvlan", Options: { host_device: "ens4", cidr: "10.215.0.0/24" } }),
    });
    reserved = getNetwork(kubectl, "alice", "TenantNetwork", holder, NS).spec!.Options!.vlan!;
    expect(reserved).toBeGreaterThanOrEqual(1000);
    originalRange = tenantConfig(kubectl).hostDevices!.find((p) => p.name === "ens4")!.vniRange!;
    attachPod(kubectl, {
      kind: "TenantNetwork",
      network: holder,
      networkNamespace: NS,
      podNamespace: NS,
      pod: "sbc-0",
      iface: "sig1",
      endpoint: uniqueName("holder-ep"),
    });
  });

  test.afterAll(async ({ kubectl }) => {
    // put the example range back for the specs after this one
    const tc = tenantConfig(kubectl);
    const i = tc.hostDevices?.findIndex((p) => p.name === "ens4") ?? -1;
    if (i >= 0 && originalRange && tc.hostDevices![i].vniRange !== originalRange) {
      kubectl(
        "netadmin",
        [
          "patch",
          "tenantconfig",
          "tenet",
          "--type",
          "json",
          "-p",
          JSON.stringify([{ op: "replace", path: `/hostDevices/${i}/vniRange`, value: originalRange }]),
        ],
        { check: false },
      );
    }
  });

  test("the home page names the netadmin's roles", async ({ pageAs, saveScreenshot }) => {
    const page = await pageAs("netadmin");
    await expect(page.getByRole("heading", { name: "Welcome, netadmin" })).toBeVisible();
    await saveScreenshot(page, "home-netadmin");
  });

  test("editing a TenantConfig range: narrowing it past a reserved VLAN warns, widening it saves and kubectl shows the new range", async ({
    pageAs,
    kubectl,
    saveScreenshot,
  }) => {
    const page = await pageAs("netadmin");
    await page.goto("/admin/tenantconfig");
    await expect(page.getByTestId("tenantconfig-name")).toHaveText("tenet");
    const { row, index } = await profileRow(page, "ens4");
    const range = row.getByTestId("profile-vnirange");
    await expect(range).toHaveValue(originalRange);
    // the bar shows the reservation and who holds it
    await expect(row.getByTestId(`vni-holders-${index}`)).toContainText(`${reserved}`);
    await expect(row.getByTestId(`vni-holders-${index}`)).toContainText(`${NS}/${holder}`);
    await expect(row.getByTestId(`vni-${reserved}`)).toHaveAttribute("title", new RegExp(`${reserved}: reserved; held by ${NS}/${holder}`));

    // narrowing so that the reserved VLAN falls outside: a warning at the field, Save needs an acknowledgement
    const narrowed = `${reserved + 1}-1999`;
    await range.fill(narrowed);
    await expect(row.getByTestId("profile-vnirange-warnings")).toContainText(String(reserved));
    await expect(row.getByTestId("profile-vnirange-warnings")).toContainText(holder);
    await expect(row.getByTestId(`vni-outside-${index}`)).toContainText(String(reserved));
    await expect(page.getByTestId("acknowledge-stranding")).toContainText("1 VNI(s) would be stranded");
    await expect(page.getByTestId("save")).toBeDisabled();
    await row.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "admin-tenantconfig");

    // widening instead: no warning, the cluster's dry run agrees, Save stores it
    const widened = "1000-2999";
    await range.fill(widened);
    await expect(row.getByTestId("profile-vnirange-warnings")).toHaveCount(0);
    await expect(page.getByTestId("acknowledge-stranding")).toHaveCount(0);
    await expect(page.getByTestId("dry-run-status")).toHaveText("The cluster would accept this TenantConfig.");
    await page.getByTestId("save").click();
    await expect(page.getByTestId("saved")).toHaveText("Saved.");
    const stored = tenantConfig(kubectl).hostDevices!.find((p) => p.name === "ens4")!;
    expect(stored.vniRange).toBe(widened);
    // the reservation survived the edit
    await expect(row.getByTestId(`vni-holders-${index}`)).toContainText(`${NS}/${holder}`);
    await expect(page.getByTestId(`vni-count-${index}`)).toContainText("of 2000 reserved");
  });

  test("a ClusterNetwork created through the form for team-a: alice sees it in her list, bob does not", async ({ pageAs, kubectl, saveScreenshot }) => {
    const page = await pageAs("netadmin");
    await page.goto("/admin/clusternetworks");
    await expect(page.getByTestId("clusternetwork-row-oam")).toBeVisible();
    await saveScreenshot(page, "admin-clusternetworks");

    await page.getByTestId("new-clusternetwork").click();
    await expect(page).toHaveURL("/admin/clusternetworks/new");
    await page.getByTestId("input-name").fill(clusterNet);
    await page.getByTestId("input-networkType").fill("ipvlan");
    await page.getByTestId("input-networkId").fill("e2e-cn");
    await page.getByTestId("field-device-host_device").check();
    await page.getByTestId("input-deviceName").fill("ens3");
    // the webhook's own rules run as the netadmin types: a bad cidr is refused at its field (N-2), and the cluster is not asked
    await page.getByTestId("input-cidr").fill("10.216.0.0/33");
    await expect(page.getByTestId("error-cidr")).toContainText("not a CIDR");
    await expect(page.getByTestId("error-cidr")).toContainText("(N-2)");
    await expect(page.getByTestId("input-cidr")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByTestId("dry-run-status")).toContainText("1 problem to fix");
    await page.getByTestId("input-cidr").fill("10.216.0.0/24");
    await expect(page.getByTestId("error-cidr")).toHaveCount(0);
    await page.getByTestId("tenant-team-a").check();
    await expect(page.getByTestId("field-allowedTenants")).toContainText("Only team-a.");
    await expect(page.getByTestId("dry-run-status")).toHaveText("The cluster would accept this network.");
    await page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(page, "admin-clusternetwork-form");
    await page.getByTestId("save").click();
    await expect(page).toHaveURL(`/admin/clusternetworks/${clusterNet}`);
    await expect(page.getByTestId("clusternetwork-title")).toHaveText(`ClusterNetwork ${clusterNet}`);

    const stored = getNetwork(kubectl, "netadmin", "ClusterNetwork", clusterNet);
    expect(stored.spec).toMatchObject({
      NetworkType: "ipvlan",
      NetworkID: "e2e-cn",
      AllowedTenants: ["team-a"],
      Options: { host_device: "ens3", cidr: "10.216.0.0/24" },
    });

    const alice = await pageAs("alice");
    await alice.goto(`/networks?ns=${NS}`);
    await expect(alice.getByTestId("clusternetwork-list").locator(`[data-testid="network-row"][data-name="${clusterNet}"]`)).toContainText("10.216.0.0/24");
    const bob = await pageAs("bob");
    await bob.goto("/networks?ns=team-b");
    await expect(bob.getByTestId("clusternetwork-list").locator('[data-testid="network-row"][data-name="oam"]')).toBeVisible();
    await expect(bob.locator(`[data-testid="network-row"][data-name="${clusterNet}"]`)).toHaveCount(0);
  });

  test("every tenant's networks, and the audit trail of the netadmin's changes with the cluster's verdict", async ({ pageAs, saveScreenshot }) => {
    const page = await pageAs("netadmin");
    await page.goto("/admin/tenants");
    await expect(page.getByTestId(`tenant-network-${NS}-${holder}`)).toContainText("10.215.0.0/24");
    await expect(page.getByTestId(`tenant-network-${NS}-${holder}`).getByTestId("vni")).toHaveText(`VLAN ${reserved}`);
    await saveScreenshot(page, "admin-tenants");

    await page.goto("/audit");
    await page.getByTestId("filter-actor").fill("netadmin");
    const rows = page.getByTestId("audit-row");
    await expect(rows.first()).toBeVisible();
    await expect(rows.getByTestId("audit-actor").first()).toHaveText("netadmin");
    const created = rows.filter({ hasText: `ClusterNetwork ${clusterNet}` });
    await expect(created).toHaveCount(1);
    await expect(created.getByTestId("audit-verdict")).toHaveText("allowed");
    await expect(created).toContainText("create");
    const tc = rows.filter({ hasText: "TenantConfig tenet" });
    await expect(tc.first().getByTestId("audit-verdict")).toHaveText("allowed");
    // nobody but netadmin in this view
    expect(new Set(await rows.getByTestId("audit-actor").allInnerTexts())).toEqual(new Set(["netadmin"]));
    await page.getByTestId("filter-actor").fill("");
    await expect(page.getByTestId("filter-actor")).toHaveValue("");
    await saveScreenshot(page, "audit");
  });
});
