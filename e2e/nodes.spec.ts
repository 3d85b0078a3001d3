// The Nodes view follows the node agents: a network with a VxLAN on a host device the simulated
// nodes have (tools/cli/simulatedNodes.ts: bond1, bond2, ens3–ens6) appears as a present cell on
// every node within about a second of kubectl returning, and goes when the network is deleted; a
// VLAN network shows failed with the kernel's reason where the kernel has no 802.1Q (or present
// where it has). The time per node is printed, with the agent's share of it. The example
// NetworkAttachmentDefinition shows as the source of its interface (danm-spec §12.3).
import type { Page } from "@playwright/test";
import type { NodeNetworkStatus } from "../server/domain/api/nodeStatus";
import { runIp } from "../server/agent/links";
import { createScratchNetns, scratchNetnsUnavailable } from "../server/agent/scratchNetns";
import { networkManifest } from "./danmObjects";
import { expect, liveSettled, test, uniqueName, type Kubectl } from "./fixtures";

const NODES = ["node-1", "node-2", "node-3"];
const NS = "team-a";
/** The issue's "within a second", plus the agent's 50 ms debounce and a loaded test machine's scheduling. */
const LIMIT_MS = 1_500;

const suffix = () => Math.random().toString(36).slice(2, 7);

function statusOf(kubectl: Kubectl, node: string): NodeNetworkStatus {
  return JSON.parse(kubectl("netadmin", ["get", "nodenetworkstatus", node, "-o", "json"]).stdout) as NodeNetworkStatus;
}

/**
 * Starts recording, inside the page, when each node's cell for `iface` first has `state` (or, for
 * "gone", first is absent). Returns a function that resolves with node → epoch ms once all have.
 */
async function recordCells(page: Page, iface: string, state: string | "gone") {
  await page.evaluate(
    ({ nodes, iface, state }) => {
      const w = window as unknown as { __e2eCells: Record<string, number> };
      w.__e2eCells = {};
      const look = () => {
        for (const n of nodes) {
          if (w.__e2eCells[n]) continue;
          const cell = document.querySelector(`[data-testid="cell-${n}-${iface}"]`);
          if (state === "gone" ? !cell : cell?.getAttribute("data-state") === state) w.__e2eCells[n] = Date.now();
        }
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
    },
    { nodes: NODES, iface, state },
  );
  return async (timeout = 10_000) => {
    await page.waitForFunction((n) => Object.keys((window as unknown as { __e2eCells: Record<string, number> }).__e2eCells).length === n, NODES.length, {
      timeout,
      polling: 20,
    });
    return page.evaluate(() => (window as unknown as { __e2eCells: Record<string, number> }).__e2eCells);
  };
}

/** Whether this kernel creates 802.1Q interfaces (else the agent reports VLANs Failed). */
async function kernelHasVlans(): Promise<boolean> {
  const scratch = createScratchNetns(`tnt-e2e-vlan-${process.pid}`);
  try {
    return (await runIp(["link", "add", "link", scratch.parent, "name", "probe.9", "type", "vlan", "id", "9"], { netns: scratch.name })).code === 0;
  } finally {
    scratch.remove();
  }
}

test.describe.serial("nodes", () => {
  const created: string[] = [];
  let applying = true;

  test.beforeAll(async ({ kubectl }) => {
    const statuses = NODES.map((n) => statusOf(kubectl, n));
    applying = statuses.every((s) => s.status?.applying);
    if (!applying)
      console.log(
        `nodes.spec: the simulated nodes do not apply host interfaces here (${statuses[0].status?.notAppliedReason ?? scratchNetnsUnavailable()}): cells show "not applied"`,
      );
  });

  test.afterAll(async ({ kubectl }) => {
    for (const name of created) kubectl("netadmin", ["delete", "danmnet", name, "-n", NS, "--ignore-not-found", "--wait=false"], { check: false });
  });

  test("a VxLAN network created with kubectl appears as present on every node within a second, and goes when it is deleted", async ({
    pageAs,
    kubectl,
    saveScreenshot,
  }) => {
    const page = await pageAs("netadmin");
    await page.goto("/admin/nodes");
    for (const n of NODES) await expect(page.getByTestId(`node-ready-${n}`)).toBeVisible();
    await liveSettled(page);

    const id = `vx${suffix()}`;
    const iface = `vx_${id}`;
    const vni = 5000 + Math.floor(Math.random() * 4000);
    created.push(id);
    const expected = applying ? "Present" : "NotApplied";
    const appeared = await recordCells(page, iface, expected);
    const started = Date.now();
    kubectl("netadmin", ["create", "-f", "-"], {
      input: networkManifest("DanmNet", id, NS, { NetworkID: id, NetworkType: "ipvlan", Options: { host_device: "ens6", vxlan: vni, cidr: "10.217.0.0/24" } }),
    });
    const returned = Date.now();
    const seen = await appeared();
    const statuses = Object.fromEntries(NODES.map((n) => [n, statusOf(kubectl, n)]));
    const lines = NODES.map((n) => {
      const entry = statuses[n].status?.hostInterfaces.find((i) => i.name === iface);
      const wrote = Date.parse(statuses[n].status?.heartbeat ?? "");
      return `${n}: shown ${seen[n] - returned} ms after kubectl returned (${seen[n] - started} ms after it started); agent wrote its status at +${wrote - returned} ms, the console showed it ${seen[n] - wrote} ms later; state ${entry?.state}`;
    });
    console.log(`nodes.spec: ${iface} (VxLAN ${vni} on ens6)\n  ${lines.join("\n  ")}`);
    for (const n of NODES) {
      await expect(page.getByTestId(`cell-${n}-${iface}`)).toHaveAttribute("data-state", expected);
      expect(seen[n] - returned, `node ${n}: ${lines[NODES.indexOf(n)]}`).toBeLessThanOrEqual(LIMIT_MS);
    }
    const column = page.getByTestId(`column-${iface}`);
    await expect(column).toContainText(id);
    await expect(column).toContainText(`DanmNet in ${NS}`);
    await expect(column).toContainText(`vxlan ${vni} on ens6`);
    await saveScreenshot(page, "admin-nodes");

    // the node's own page lists the interface with its state
    await page.getByTestId("node-link-node-2").click();
    await expect(page.getByTestId("node-title")).toContainText("Node node-2");
    await expect(page.getByTestId(`interface-state-${iface}`)).toHaveAttribute("data-state", expected);
    await expect(page.getByTestId(`interface-row-${iface}`)).toContainText(`DanmNet ${NS}/${id}`);
    await saveScreenshot(page, "admin-node-detail");

    await page.goto("/admin/nodes");
    await expect(page.getByTestId(`cell-node-1-${iface}`)).toBeVisible();
    await liveSettled(page, 500);
    const gone = await recordCells(page, iface, "gone");
    kubectl("netadmin", ["delete", "danmnet", id, "-n", NS]);
    const deleted = Date.now();
    const away = await gone();
    console.log(`nodes.spec: ${iface} gone from the grid ${NODES.map((n) => `${n} +${away[n] - deleted} ms`).join(", ")} after kubectl delete returned`);
    for (const n of NODES) expect(away[n] - deleted, `${iface} gone from ${n}`).toBeLessThanOrEqual(LIMIT_MS);
    await expect(page.getByTestId(`column-${iface}`)).toHaveCount(0);
  });

  test("the example NetworkAttachmentDefinition appears as its interface's source on every node and gets its master rewritten", async ({ pageAs, kubectl }) => {
    const page = await pageAs("netadmin");
    await page.goto("/admin/nodes");
    await liveSettled(page);
    // examples/networkattachmentdefinition.yaml: VxLAN 510 on ens3 for NetworkID mx-sig; the local cluster has the NAD CRD
    const iface = "vx_mx-sig";
    const expected = applying ? "Present" : "NotApplied";
    kubectl("admin", ["apply", "-f", "examples/networkattachmentdefinition.yaml"]);
    try {
      for (const n of NODES) await expect(page.getByTestId(`cell-${n}-${iface}`)).toHaveAttribute("data-state", expected);
      await expect(page.getByTestId(`column-source-${iface}`)).toHaveText(`NetworkAttachmentDefinition in ${NS}`);
      await expect(page.getByTestId(`column-${iface}`)).toContainText("vxlan 510 on ens3");
      if (applying) {
        await expect
          .poll(() => JSON.parse(kubectl("admin", ["get", "net-attach-def", "mx-sig", "-n", NS, "-o", "jsonpath={.spec.config}"]).stdout).master)
          .toBe(iface);
        expect(kubectl("admin", ["get", "net-attach-def", "mx-sig", "-n", NS, "-o", "jsonpath={.metadata.annotations.tenet\\.dev/host-device}"]).stdout).toBe(
          "ens3",
        );
      }
      await page.getByTestId("node-link-node-1").click();
      await expect(page.getByTestId(`interface-state-${iface}`)).toHaveAttribute("data-state", expected);
      await expect(page.getByTestId(`interface-row-${iface}`)).toContainText(`NetworkAttachmentDefinition ${NS}/mx-sig`);
    } finally {
      kubectl("admin", ["delete", "-f", "examples/networkattachmentdefinition.yaml", "--ignore-not-found"], { check: false });
    }
    await page.goto("/admin/nodes");
    await expect(page.getByTestId(`column-${iface}`)).toHaveCount(0);
  });

  test("a VLAN network shows failed with the kernel's reason where the kernel has no 802.1Q", async ({ pageAs, kubectl }) => {
    test.skip(!applying, "the simulated nodes do not apply host interfaces on this machine");
    const vlans = await kernelHasVlans();
    const page = await pageAs("netadmin");
    await page.goto("/admin/nodes");
    await liveSettled(page);
    const id = `vl${suffix()}`;
    const vlan = 100 + Math.floor(Math.random() * 3000);
    const iface = `${id}.${vlan}`;
    created.push(id);
    kubectl("netadmin", ["create", "-f", "-"], {
      input: networkManifest("DanmNet", id, NS, { NetworkID: id, NetworkType: "ipvlan", Options: { host_device: "ens6", vlan, cidr: "10.218.0.0/24" } }),
    });
    for (const n of NODES) {
      const cell = page.getByTestId(`cell-${n}-${iface}`);
      await expect(cell).toHaveAttribute("data-state", vlans ? "Present" : "Failed");
      if (vlans) continue;
      // the reason is the kernel's, as the agent reported it, on the cell and under it
      const reported = statusOf(kubectl, n).status!.hostInterfaces.find((i) => i.name === iface)!;
      expect(reported.error).toContain("Unknown device type");
      await expect(cell).toHaveAttribute("title", reported.error!);
      await expect(page.getByTestId(`cell-error-${n}-${iface}`)).toHaveText(reported.error!);
    }
    console.log(`nodes.spec: this kernel ${vlans ? "has" : "has no"} 802.1Q: ${iface} shows ${vlans ? "present" : "failed with the kernel's reason"}`);
    kubectl("netadmin", ["delete", "danmnet", id, "-n", NS]);
    await expect(page.getByTestId(`column-${iface}`)).toHaveCount(0);
  });
});
