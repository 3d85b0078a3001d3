// The Pods on a network, as alice sees them: the network page lists the Pods
// attached to her TenantNetwork with phase and node, and a Pod danm refused with the plugin's error
// from its Events, live; her namespace view lists the refused Pods; the address map's holder links
// to the Pod's row. The simulated nodes run no kubelet, so the spec writes what the kubelet and the
// CNI plugin would (as admin): Pods bound to a node, their status, DanmEps, FailedCreatePodSandbox Events.
import { attachPod, bare, networkManifest } from "./danmObjects";
import { expect, hoverCell, liveSettled, test, uniqueName, type Kubectl } from "./fixtures";

const NS = "team-a";

function createPod(kubectl: Kubectl, name: string, network: string): string {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, annotations: { "danm.k8s.io/interfaces": JSON.stringify([{ tenantNetwork: network }]) } },
    spec: { nodeName: "node-1", containers: [{ name: "main", image: "registry.invalid/pause:1" }], automountServiceAccountToken: false },
  };
  kubectl("admin", ["create", "-f", "-"], { input: JSON.stringify(pod) });
  return JSON.parse(kubectl("admin", ["get", "pod", name, "-n", NS, "-o", "json"]).stdout).metadata.uid as string;
}

function setPhase(kubectl: Kubectl, name: string, phase: string) {
  kubectl("admin", ["patch", "pod", name, "-n", NS, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { phase } })]);
}

/** The kubelet's Warning when danm refused the Pod's sandbox (containerd's wording around danm's). */
function sandboxFailure(kubectl: Kubectl, pod: string, uid: string, error: string) {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const event = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: uniqueName(pod), namespace: NS },
    involvedObject: { apiVersion: "v1", kind: "Pod", name: pod, namespace: NS, uid },
    reason: "FailedCreatePodSandbox",
    type: "Warning",
    message: `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "5e6f7a": plugin type="danm" name="danm" failed (add): pod ${NS}/${pod}: ${error}`,
    source: { component: "kubelet", host: "node-1" },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  kubectl("admin", ["create", "-f", "-"], { input: JSON.stringify(event) });
}

test.describe.serial("pods on a network", () => {
  const net = uniqueName("pods");
  const cidr = "10.223.0.0/27";
  const web = uniqueName("web");
  const stuck = uniqueName("stuck");
  const late = uniqueName("late");
  const endpoint = uniqueName("ep-web");
  const error = `TenantNetwork ${NS}/${net} (eth1): no free IPv4 address in ${cidr} (B-4)`;
  let address = "";

  test.beforeAll(async ({ kubectl }) => {
    kubectl("admin", ["create", "-f", "-"], {
      input: networkManifest("TenantNetwork", net, NS, { NetworkType: "ipvlan", Options: { host_device: "bond2", cidr } }),
    });
    const uid = createPod(kubectl, web, net);
    setPhase(kubectl, web, "Running");
    address = attachPod(kubectl, {
      kind: "TenantNetwork",
      network: net,
      networkNamespace: NS,
      podNamespace: NS,
      pod: web,
      podUid: uid,
      iface: "eth1",
      endpoint,
      host: "node-1",
    });
    const stuckUid = createPod(kubectl, stuck, net);
    sandboxFailure(kubectl, stuck, stuckUid, error);
  });

  test.afterAll(async ({ kubectl }) => {
    kubectl("admin", ["delete", "danmep", endpoint, "-n", NS, "--ignore-not-found"], { check: false });
    kubectl("admin", ["delete", "pod", web, stuck, late, "-n", NS, "--ignore-not-found", "--grace-period=0", "--force"], { check: false });
    kubectl("admin", ["delete", "tenantnetwork", net, "-n", NS, "--ignore-not-found", "--wait=false"], { check: false });
  });

  test("alice's network page lists its Pods with phase and node, and a Pod danm refused with danm's error, live", async ({
    pageAs,
    kubectl,
    saveScreenshot,
  }) => {
    const page = await pageAs("alice");
    await page.goto(`/networks/TenantNetwork/${NS}/${net}`);
    const row = page.getByTestId("pod-row").and(page.locator(`[data-pod="${web}"]`));
    await expect(row.getByTestId("pod-phase")).toHaveText("Running");
    await expect(row.getByTestId("pod-node")).toHaveText("node-1");
    await expect(row.getByTestId("pod-interface")).toHaveText(`eth1 ${address}`);
    const refused = page.getByTestId("stuck-pod").and(page.locator(`[data-pod="${stuck}"]`));
    await expect(refused.getByTestId("pod-phase")).toHaveText("Pending");
    // trimmed to danm's own words: no containerd prefix, no "pod team-a/…:" of the plugin
    await expect(refused.getByTestId("stuck-pod-error")).toHaveText(error);
    await saveScreenshot(page, "network-pods");

    // another Pod is refused while the page is open: it appears without a reload
    await liveSettled(page);
    await page.evaluate(() => ((window as unknown as { __e2eNoReload: boolean }).__e2eNoReload = true));
    const lateUid = createPod(kubectl, late, net);
    sandboxFailure(kubectl, late, lateUid, `requested network ${net} of type TenantNetwork in namespace ${NS}: no free IPv4 address`);
    await expect(page.getByTestId("stuck-pod").and(page.locator(`[data-pod="${late}"]`))).toBeVisible();
    // and leaves the list once it runs
    setPhase(kubectl, late, "Running");
    await expect(page.getByTestId("stuck-pod").and(page.locator(`[data-pod="${late}"]`))).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload), "the page was not reloaded").toBe(true);
  });

  test("alice's namespace view lists the refused Pod with the network it wants", async ({ pageAs }) => {
    const page = await pageAs("alice");
    await page.goto(`/networks?ns=${NS}`);
    const refused = page
      .getByTestId("namespace-stuck-pods")
      .getByTestId("stuck-pod")
      .and(page.locator(`[data-pod="${stuck}"]`));
    await expect(refused.getByTestId("stuck-pod-error")).toHaveText(error);
    await refused.getByRole("link", { name: `TenantNetwork ${net}` }).click();
    await expect(page).toHaveURL(new RegExp(`/networks/TenantNetwork/${NS}/${net}#pod-${NS}-${stuck}$`));
    await expect(
      page
        .getByTestId("network-pods")
        .getByTestId("stuck-pod")
        .and(page.locator(`[data-pod="${stuck}"]`)),
    ).toBeVisible();
  });

  test("the address map's holder links to the Pod's row on the network page", async ({ pageAs }) => {
    const page = await pageAs("alice");
    await page.goto(`/usage/network?kind=TenantNetwork&namespace=${NS}&name=${net}`);
    await hoverCell(page, Number(bare(address).split(".")[3]));
    await expect(page.getByTestId("address-detail-pod-link")).toHaveText(`${NS}/${web}`);
    await page.mouse.down();
    await page.mouse.up();
    await expect(page.getByTestId("address-map")).not.toHaveAttribute("data-pinned", "");
    // the pointer leaves the map; the clicked address stays, and its holder's link can be followed
    await page.getByTestId("address-detail-pod-link").click();
    await expect(page).toHaveURL(new RegExp(`/networks/TenantNetwork/${NS}/${net}#pod-${NS}-${web}$`));
    await expect(page.locator(`#pod-${NS}-${web}`)).toBeInViewport();
    await expect(page.locator(`#pod-${NS}-${web}`).getByTestId("pod-phase")).toHaveText("Running");
  });
});
