// The tenant's view: alice creates a TenantNetwork through the form and sees the VLAN or VxLAN and
// the device the cluster assigned; a bad cidr is refused next to the field (by the webhook's own rule
// as she types, and by the cluster's dry run for what needs the cluster's state); a Pod's address
// shows with the Pod and interface; a network in use cannot be deleted and the dialog says why.
import type { NetworkObject } from "../server/domain/api/network";
import { attachPod, bare, getNetwork, networkManifest } from "./danmObjects";
import { expect, liveSettled, test, uniqueName } from "./fixtures";

const NS = "team-a";

test.describe.serial("tenant: alice's TenantNetworks", () => {
  const name = uniqueName("signalling");
  const cidr = "10.210.0.0/24";
  const endpoints: string[] = [];
  // neighbours, so the list is not a list of one: a dual-stack VxLAN overlay and a direct attachment
  const neighbours = [uniqueName("media"), uniqueName("storage")];

  test.beforeAll(async ({ kubectl }) => {
    kubectl("alice", ["create", "-f", "-"], {
      input: networkManifest("TenantNetwork", neighbours[0], NS, {
        NetworkType: "ipvlan",
        Options: { host_device: "ens5", cidr: "10.211.0.0/24", net6: "fd00:211::/64", container_prefix: "med" },
      }),
    });
    kubectl("alice", ["create", "-f", "-"], {
      input: networkManifest("TenantNetwork", neighbours[1], NS, { NetworkType: "ipvlan", Options: { host_device: "bond2", cidr: "10.212.0.0/26" } }),
    });
  });

  test.afterAll(async ({ kubectl }) => {
    for (const ep of endpoints) kubectl("admin", ["delete", "danmep", ep, "-n", NS, "--ignore-not-found"], { check: false });
    for (const n of [name, ...neighbours]) kubectl("admin", ["delete", "tenantnetwork", n, "-n", NS, "--ignore-not-found", "--wait=false"], { check: false });
  });

  test("the sign-in page", async ({ page, saveScreenshot }) => {
    await page.goto("/signin");
    await expect(page.locator("#name")).toBeVisible();
    await saveScreenshot(page, "signin");
  });

  test("alice creates a TenantNetwork through the form and sees the VLAN or VxLAN and device the cluster assigned", async ({
    page,
    signIn,
    kubectl,
    saveScreenshot,
  }) => {
    await signIn(page, "alice");
    await page.goto(`/networks?ns=${NS}`);
    await page.getByTestId("new-network").click();
    await expect(page).toHaveURL(`/networks/new?ns=${NS}`);
    await page.getByTestId("input-name").fill(name);
    await page.getByTestId("input-networkType").selectOption("macvlan");
    await page.getByTestId("input-cidr").fill(cidr);
    await page.getByTestId("submit").click();

    await expect(page).toHaveURL(`/networks/TenantNetwork/${NS}/${name}?created=1`);
    await expect(page.getByTestId("network-notice")).toContainText("Created");
    // what kubectl shows alice is what the page shows her
    const stored = getNetwork(kubectl, "alice", "TenantNetwork", name, NS);
    const o = stored.spec!.Options!;
    // the cluster picks one of the TenantConfig's host NICs at random (examples/tenantconfig.yaml:
    // ens4 with VLANs 1000-1999, ens5 with VxLANs 300-399 and 450, bond2 without a VNI)
    expect(["ens4", "ens5", "bond2"]).toContain(o.host_device);
    if (o.host_device === "ens4") expect(o.vlan).toBeGreaterThanOrEqual(1000);
    if (o.host_device === "ens5") expect((o.vxlan ?? 0) >= 300).toBe(true);
    const id = stored.spec!.NetworkID!;
    // the mapped NetworkID; on a VxLAN it carries the VNI, so two tenants' vx_ interfaces differ
    expect(id).toBe(o.vxlan ? `tn-mac.${o.vxlan}` : "tn-macvl");
    const vni = o.vlan ? `VLAN ${o.vlan}` : o.vxlan ? `VxLAN ${o.vxlan}` : "—";
    await expect(page.getByTestId("assigned-NetworkType")).toHaveText("macvlan");
    await expect(page.getByTestId("assigned-NetworkID")).toHaveText(id);
    await expect(page.getByTestId("assigned-host_device")).toHaveText(o.host_device!);
    await expect(page.getByTestId("assigned-vlan")).toHaveText(o.vlan ? String(o.vlan) : "none");
    await expect(page.getByTestId("assigned-vxlan")).toHaveText(o.vxlan ? String(o.vxlan) : "none");
    await expect(page.getByTestId("assigned-host-interface")).toHaveText(o.vxlan ? `vx_${id}` : o.vlan ? `${id}.${o.vlan}` : "none");
    console.log(`tenant.spec: ${name} got ${vni === "—" ? "no VNI" : vni} on ${o.host_device}, NetworkID ${id}`);

    // and the list shows the same
    await page.getByRole("link", { name: `Networks of ${NS}` }).click();
    const row = page.getByTestId("network-list").locator(`[data-testid="network-row"][data-name="${name}"]`);
    await expect(row).toContainText(vni);
    await expect(row).toContainText(cidr);
    await expect(row).toContainText(o.host_device!);
    await saveScreenshot(page, "networks-list");
  });

  test("a bad cidr is refused next to the field with the webhook's own words; what needs the cluster's state comes from its dry run", async ({
    page,
    signIn,
    kubectl,
    saveScreenshot,
  }) => {
    await signIn(page, "alice");
    await page.goto(`/networks/new?ns=${NS}`);
    const bad = uniqueName("bad");
    await page.getByTestId("input-name").fill(bad);
    await page.getByTestId("input-networkType").selectOption("macvlan");
    await page.getByTestId("input-cidr").fill("10.210.1.0/33");
    await page.getByTestId("input-cidr").blur();
    // the webhook says exactly this for the same object (server-side dry run with kubectl)
    const denied = kubectl("alice", ["create", "--dry-run=server", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "danm.k8s.io/v1",
        kind: "TenantNetwork",
        metadata: { name: bad, namespace: NS },
        spec: { NetworkType: "macvlan", Options: { cidr: "10.210.1.0/33" } },
      }),
      check: false,
    });
    expect(denied.status).not.toBe(0);
    const webhook = /spec\.Options\.cidr: (.*\(N-2\))/.exec(denied.stderr)?.[1];
    expect(webhook, denied.stderr).toBeTruthy();
    await expect(page.getByTestId("error-cidr")).toHaveText(webhook!);
    await expect(page.getByTestId("input-cidr")).toHaveAttribute("aria-invalid", "true");
    await page.getByTestId("submit").click();
    await expect(page.getByTestId("form-status")).toContainText("1 problem to fix");
    await expect(page).toHaveURL(`/networks/new?ns=${NS}`);

    // a pool the TenantConfig does not offer: only the cluster knows (tenants cannot read the TenantConfig)
    await page.getByTestId("input-cidr").fill("10.210.1.0/24");
    await page.getByTestId("input-networkType").selectOption("sriov");
    await page.getByTestId("input-devicePool").fill("vendor.example/sriov_right");
    await expect(page.getByTestId("error-devicePool")).toHaveCount(0);
    await page.getByTestId("dry-run").click();
    const cause = page.getByTestId("error-devicePool");
    await expect(cause).toContainText("cluster");
    await expect(cause).toContainText("vendor.example/sriov_right is not offered to tenants by TenantConfig");
    await expect(cause).toContainText("(B-2)");
    await expect(page.getByTestId("form-error")).toContainText("The cluster refused the network; see the marked fields.");
    expect(kubectl("alice", ["get", "tenantnetwork", bad, "-n", NS], { check: false }).status, "a dry run creates nothing").not.toBe(0);

    // for the screenshot: the cidr refused as she types, next to the cluster's cause
    await page.getByTestId("input-cidr").fill("10.210.1.0/33");
    await expect(page.getByTestId("error-cidr")).toContainText("N-2");
    await page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(page, "network-form-denied");
  });

  test("the addresses tab names the Pod and interface holding each address; the cluster refuses to delete a network in use and the dialog says why", async ({
    page,
    signIn,
    kubectl,
    saveScreenshot,
  }) => {
    await signIn(page, "alice");
    await page.goto(`/networks/TenantNetwork/${NS}/${name}`);
    await expect(page.getByTestId("addresses-empty")).toContainText(`No Pod uses ${name} right now.`);
    await liveSettled(page);

    // two Pods get addresses, as the CNI plugin records them; the open page follows without a reload
    const web = uniqueName("ep-web");
    const db = uniqueName("ep-db");
    endpoints.push(web, db);
    const a1 = attachPod(kubectl, {
      kind: "TenantNetwork",
      network: name,
      networkNamespace: NS,
      podNamespace: NS,
      pod: "web-0",
      iface: "sig1",
      endpoint: web,
      host: "node-1",
    });
    const a2 = attachPod(kubectl, {
      kind: "TenantNetwork",
      network: name,
      networkNamespace: NS,
      podNamespace: NS,
      pod: "db-0",
      iface: "sig2",
      ip: "10.210.0.42",
      endpoint: db,
      host: "node-2",
    });
    expect(bare(a2)).toBe("10.210.0.42");
    const rows = page.getByTestId("address-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: a1 })).toContainText("web-0");
    await expect(rows.filter({ hasText: a1 })).toContainText("sig1");
    await expect(rows.filter({ hasText: a1 })).toContainText("node-1");
    await expect(rows.filter({ hasText: a2 })).toContainText("db-0");
    await expect(rows.filter({ hasText: a2 })).toContainText("sig2");
    await expect(page.getByTestId("addresses-count")).toHaveText("2 addresses in use, on 2 Pod interfaces.");
    await expect(page.getByTestId("network-usage")).toContainText("IPv4 2 used, 252 free");
    await saveScreenshot(page, "network-detail-addresses");

    await page.getByTestId("tab-yaml").click();
    const stored = getNetwork(kubectl, "alice", "TenantNetwork", name, NS) as NetworkObject;
    await expect(page.getByRole("tabpanel")).toContainText(`name: ${name}`);
    await expect(page.getByRole("tabpanel")).toContainText(`cidr: ${cidr}`);
    await expect(page.getByRole("tabpanel")).toContainText(`NetworkID: ${stored.spec!.NetworkID}`);
    await saveScreenshot(page, "network-yaml");
    await page.getByTestId("tab-addresses").click();

    // deleting: the dialog lists the Pods first, and the cluster's refusal (D-3) is explained
    await page.getByTestId("delete-network").click();
    const dialog = page.getByTestId("delete-dialog");
    await expect(dialog.getByTestId("delete-holders")).toContainText("2 Pods still use it, so the cluster will refuse:");
    await expect(dialog.getByTestId("delete-holders")).toContainText(`${NS}/web-0`);
    await expect(dialog.getByTestId("delete-holders")).toContainText(`${NS}/db-0`);
    await dialog.getByTestId("delete-confirm").click();
    const verdict = dialog.getByTestId("delete-verdict");
    await expect(verdict).toContainText("The cluster refuses: the network is still in use.");
    await expect(verdict).toContainText("(D-3)");
    await expect(verdict).toContainText(/in use by Pod team-a\/(web-0|db-0)/);
    await expect(verdict).toContainText("Delete the Pods listed above");
    expect(kubectl("alice", ["get", "tenantnetwork", name, "-n", NS], { check: false }).status, "the network is still there").toBe(0);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toHaveCount(0);

    // once the Pods are gone the same dialog deletes it and the list says so
    for (const ep of [web, db]) kubectl("admin", ["delete", "danmep", ep, "-n", NS]);
    await expect(page.getByTestId("addresses-empty")).toBeVisible();
    await page.getByTestId("delete-network").click();
    await expect(dialog.getByTestId("delete-holders")).toContainText("No Pod uses this network right now.");
    await dialog.getByTestId("delete-confirm").click();
    await expect(page).toHaveURL(`/networks?ns=${NS}&deleted=${name}`);
    await expect(page.getByTestId("network-notice")).toContainText(`Deleted ${name}.`);
    await expect(page.locator(`[data-testid="network-row"][data-name="${name}"]`)).toHaveCount(0);
    expect(kubectl("alice", ["get", "tenantnetwork", name, "-n", NS], { check: false }).stderr).toMatch(/NotFound/);
  });
});
