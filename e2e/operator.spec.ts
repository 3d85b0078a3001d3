// The operator's view (olga, read-only): IP utilisation of a network moves as Pods get addresses on
// it (the alloc bit and the DanmEp created with kubectl, as the CNI plugin writes them), without a
// reload; the address map's cell of such an address turns used and hovering it names the Pod and
// interface; the CSV export lists the address with its Pod.
import { attachPod, bare, networkManifest } from "./danmObjects";
import { expect, hoverCell, liveSettled, test, uniqueName } from "./fixtures";

const NS = "team-a";

test.describe.serial("operator", () => {
  const name = uniqueName("rtp");
  const cidr = "10.219.0.0/27"; // 30 pool addresses: a few Pods move the needle
  const endpoints: string[] = [];
  const addresses: string[] = [];

  test.beforeAll(async ({ kubectl }) => {
    kubectl("alice", ["create", "-f", "-"], {
      input: networkManifest("TenantNetwork", name, NS, { NetworkType: "ipvlan", Options: { host_device: "bond2", cidr } }),
    });
  });

  test.afterAll(async ({ kubectl }) => {
    for (const ep of endpoints) kubectl("admin", ["delete", "danmep", ep, "-n", NS, "--ignore-not-found"], { check: false });
    kubectl("admin", ["delete", "tenantnetwork", name, "-n", NS, "--ignore-not-found", "--wait=false"], { check: false });
  });

  test("the home page names the operator's role", async ({ pageAs, saveScreenshot }) => {
    const page = await pageAs("olga");
    await expect(page.getByTestId("whoami")).toHaveText(/olga\s*\(operator\)/);
    await saveScreenshot(page, "home-operator");
  });

  test("utilisation moves as Pods get addresses, without a reload; the address map names the Pod; the CSV lists the address", async ({
    pageAs,
    kubectl,
    saveScreenshot,
  }) => {
    const page = await pageAs("olga");
    await page.goto("/usage");
    const row = page.getByTestId("network-usage-row").filter({ hasText: name });
    await expect(row).toContainText(cidr);
    await expect(row).toContainText("0 / 30");
    await liveSettled(page);
    await page.evaluate(() => ((window as unknown as { __e2eNoReload: boolean }).__e2eNoReload = true));

    // three Pods attach, as the CNI plugin records them
    for (const [i, pod] of ["rtp-0", "rtp-1", "rtp-2"].entries()) {
      const endpoint = uniqueName(`ep-${pod}`);
      endpoints.push(endpoint);
      addresses.push(
        attachPod(kubectl, {
          kind: "TenantNetwork",
          network: name,
          networkNamespace: NS,
          podNamespace: NS,
          pod,
          iface: `rtp${i}`,
          endpoint,
          host: `node-${i + 1}`,
        }),
      );
    }
    await expect(row).toContainText("3 / 30");
    expect(await page.evaluate(() => (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload), "the page was not reloaded").toBe(true);
    const team = page.getByTestId("tenant-usage-row").filter({ hasText: NS });
    await expect(team).toBeVisible();
    await saveScreenshot(page, "usage-overview");

    // the network's page: summary, the address map, hovering an address names its holder
    await row.getByRole("link", { name }).click();
    await expect(page.getByTestId("network-usage-title")).toHaveText(`TenantNetwork ${NS}/${name}`);
    await expect(page.getByTestId("network-usage-summary")).toContainText("3 of 30 pool addresses allocated, 3 held by DanmEps");
    const target = bare(addresses[1]);
    const index = Number(target.split(".")[3]); // the map starts at the cidr's first address, 10.219.0.0
    await hoverCell(page, index);
    await expect(page.getByTestId("address-detail-address")).toHaveText(target);
    await expect(page.getByTestId("address-detail-state")).toHaveText("used");
    await expect(page.getByTestId("address-detail-holder")).toContainText("rtp-1");
    await expect(page.getByTestId("address-detail-holder")).toContainText("rtp1");

    // a fourth Pod: the free cell next to the others turns used while olga points at it
    const next = "10.219.0.20";
    await hoverCell(page, 20);
    await expect(page.getByTestId("address-detail-state")).toHaveText("free");
    const endpoint = uniqueName("ep-rtp-3");
    endpoints.push(endpoint);
    attachPod(kubectl, { kind: "TenantNetwork", network: name, networkNamespace: NS, podNamespace: NS, pod: "rtp-3", iface: "rtp3", ip: next, endpoint });
    addresses.push(`${next}/27`);
    await expect(page.getByTestId("network-usage-summary")).toContainText("4 of 30 pool addresses allocated");
    // the pointer has not moved: the detail follows the live data (the alloc bit and the DanmEp may
    // arrive in two updates)
    await expect(page.getByTestId("address-detail-state")).toHaveText("used");
    await expect(page.getByTestId("address-detail-holder")).toContainText("rtp-3");
    await saveScreenshot(page, "usage-address-map");

    // the CSV export, as olga's browser downloads it
    const href = (await page.getByTestId("csv-network").getAttribute("href"))!;
    const csv = await page.request.get(href);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split(/\r?\n/);
    for (const [i, pod] of ["rtp-0", "rtp-1", "rtp-2", "rtp-3"].entries()) {
      const line = lines.find((l) => l.includes(`${bare(addresses[i])}`));
      expect(line, `a CSV line for ${addresses[i]}`).toBeTruthy();
      expect(line).toContain(pod);
      expect(line).toContain(name);
    }
    const everything = await page.request.get("/api/usage/addresses.csv");
    expect(everything.status()).toBe(200);
    expect(await everything.text()).toContain(bare(addresses[3]));
  });
});
