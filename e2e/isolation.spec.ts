// Tenant isolation in the browser: bob (tenant of team-b) never sees alice's network in team-a, by
// any page or URL. Every page he can open either refuses in words or shows his own, empty, state;
// none shows the network's name (unless he typed it into the URL himself) or anything about it
// (cidr, VNI, uid), and no answer the page receives carries it: neither a tRPC response nor a live
// change on the SSE stream.
import type { Page } from "@playwright/test";
import { attachPod, getNetwork, networkManifest } from "./danmObjects";
import { expect, liveMessageArrives, liveMessages, recordLiveMessages, test, trackApiRequests, uniqueName } from "./fixtures";

const NS = "team-a";
const BOB_NS = "team-b";

interface Seen {
  /** tRPC and CSV response bodies, with the URL that produced each */
  bodies: { url: string; body: string }[];
  /** live changes (SSE messages) the page received, on every page it opened */
  events: string[];
  /** Waits for the answers of every request the page made, and reads the page's live messages. */
  settle(): Promise<void>;
  /** Keeps the live messages of the open page, before a navigation drops them. */
  leave(): Promise<void>;
}

/** Records every response body of the console's API and every live message the page receives. */
async function watchAnswers(page: Page): Promise<Seen> {
  const pending: Promise<void>[] = [];
  const requests = trackApiRequests(page);
  const left: string[] = [];
  const seen: Seen = {
    bodies: [],
    events: [],
    settle: async () => {
      await requests.answered();
      await Promise.all(pending);
      seen.events = [...left, ...(await liveMessages(page))];
    },
    leave: async () => void left.push(...(await liveMessages(page))),
  };
  page.on("response", (response) => {
    const url = response.url();
    if (!url.includes("/api/")) return;
    if ((response.headers()["content-type"] ?? "").includes("text/event-stream")) return; // read in the page
    pending.push(
      response.text().then(
        (body) => void seen.bodies.push({ url, body }),
        () => undefined,
      ),
    );
  });
  await recordLiveMessages(page);
  return seen;
}

/** Opens `path` and waits until it shows `text`, its loading state gone and every answer it asked for in. */
async function opened(page: Page, seen: Seen, path: string, text: string | RegExp) {
  await seen.leave();
  await page.goto(path);
  await expect(page.getByTestId("whoami")).toContainText("bob");
  await expect(page.locator("body")).toContainText(text);
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await seen.settle();
}

test.describe.serial("isolation: bob and team-a's network", () => {
  const name = uniqueName("secret-net");
  const cidr = "10.214.77.0/24";
  let uid = "";
  let endpoint = "";
  /** bob's own network: changes to it must reach his page */
  const bobNetwork = uniqueName("bob-net");

  test.beforeAll(async ({ kubectl }) => {
    kubectl("alice", ["create", "-f", "-"], {
      input: networkManifest("TenantNetwork", name, NS, { NetworkType: "ipvlan", Options: { host_device: "ens5", cidr, container_prefix: "sec" } }),
    });
    uid = String(getNetwork(kubectl, "alice", "TenantNetwork", name, NS).metadata.uid);
    endpoint = uniqueName("secret-ep");
    attachPod(kubectl, { kind: "TenantNetwork", network: name, networkNamespace: NS, podNamespace: NS, pod: "secret-pod-0", iface: "sec1", endpoint });
    kubectl("bob", ["create", "-f", "-"], {
      input: networkManifest("TenantNetwork", bobNetwork, BOB_NS, { NetworkType: "bridge", Options: { cidr: "10.214.78.0/24" } }),
    });
  });

  test.afterAll(async ({ kubectl }) => {
    kubectl("admin", ["delete", "danmep", endpoint, "-n", NS, "--ignore-not-found"], { check: false });
    kubectl("admin", ["delete", "tenantnetwork", name, "-n", NS, "--ignore-not-found", "--wait=false"], { check: false });
    kubectl("admin", ["delete", "tenantnetwork", bobNetwork, "-n", BOB_NS, "--ignore-not-found", "--wait=false"], { check: false });
  });

  test("alice sees it (so there is something to hide)", async ({ pageAs }) => {
    const alice = await pageAs("alice");
    await alice.goto(`/networks?ns=${NS}`);
    await expect(alice.locator(`[data-testid="network-row"][data-name="${name}"]`)).toContainText(cidr);
  });

  test("no page bob can open shows it, and no answer his browser receives carries it", async ({ pageAs, kubectl }) => {
    test.setTimeout(120_000);
    const bob = await pageAs("bob");
    const seen = await watchAnswers(bob);
    const secrets = [cidr, "10.214.77.", uid, "secret-pod-0", endpoint];
    const pageText = () =>
      bob.evaluate(() => document.body.innerText + [...document.querySelectorAll("input, textarea")].map((f) => (f as HTMLInputElement).value).join(" "));
    const checked: string[] = [];
    /** A page where bob did not type the name: neither it nor anything about it may appear. */
    const expectNothing = async (path: string) => {
      const text = await pageText();
      for (const s of [name, ...secrets]) expect(text, `${path} shows ${s}`).not.toContain(s);
      checked.push(path);
    };
    /** A page whose URL bob wrote with the name: it may echo the name he typed, nothing more. */
    const expectOnlyEcho = async (path: string) => {
      const text = await pageText();
      for (const s of secrets) expect(text, `${path} shows ${s}`).not.toContain(s);
      checked.push(path);
    };

    // his own namespace: his networks, not hers
    await opened(bob, seen, "/networks", "TenantNetworks in team-b");
    await expect(bob.getByTestId("namespace-switcher")).toHaveValue("team-b");
    await expect(bob.getByTestId("namespace-switcher").locator("option")).toHaveText(["team-b"]);
    await expectNothing("/networks");
    await bob.getByTestId("network-filter").fill(name);
    await expect(bob.getByTestId("network-row")).toHaveCount(0);
    await expectOnlyEcho("/networks (filtered by the name he typed)");

    // team-a's list, the new-network form there
    await opened(bob, seen, `/networks?ns=${NS}`, `You may not see the networks of ${NS}.`);
    await expect(bob.getByTestId("network-list")).toHaveCount(0);
    await expectNothing(`/networks?ns=${NS}`);
    await opened(bob, seen, "/networks?ns=*", "You may not see the networks of every namespace.");
    await expectNothing("/networks?ns=*");
    await opened(bob, seen, `/networks/new?ns=${NS}`, `You may not create TenantNetworks in ${NS}.`);
    await expect(bob.getByTestId("tenantnetwork-form")).toHaveCount(0);
    await expectNothing(`/networks/new?ns=${NS}`);

    // the network's own URLs: refused, and refused exactly as for a network that does not exist
    const detail = `/networks/TenantNetwork/${NS}/${name}`;
    await opened(bob, seen, detail, `You may not see TenantNetwork ${NS}/${name}.`);
    await expect(bob.getByTestId("assigned-details")).toHaveCount(0);
    await expect(bob.getByTestId("tab-yaml")).toHaveCount(0);
    await expect(bob.getByTestId("delete-network")).toHaveCount(0);
    await expectOnlyEcho(detail);
    const refusal = (await bob.getByTestId("load-error").innerText()).replaceAll(name, "NAME");
    const ghost = uniqueName("no-such-net");
    await opened(bob, seen, `/networks/TenantNetwork/${NS}/${ghost}`, `You may not see TenantNetwork ${NS}/${ghost}.`);
    expect((await bob.getByTestId("load-error").innerText()).replaceAll(ghost, "NAME"), "an existing network is refused like one that does not exist").toBe(
      refusal,
    );
    await opened(bob, seen, `${detail}/edit`, `You may not see TenantNetwork ${NS}/${name}.`);
    await expect(bob.getByTestId("tenantnetwork-form")).toHaveCount(0);
    await expectOnlyEcho(`${detail}/edit`);
    // the YAML tab has no URL of its own; asking for the object as the tab does is refused too
    const yaml = await bob.request.get(`/api/trpc/networks.get?input=${encodeURIComponent(JSON.stringify({ kind: "TenantNetwork", namespace: NS, name }))}`);
    expect(yaml.status()).toBe(403);

    // the netadmin and operator views
    for (const [path, refusal] of [
      ["/admin/clusternetworks", "Only network administrators may see cluster networks."],
      ["/admin/clusternetworks/new", "Only network administrators may see the ClusterNetwork form."],
      ["/admin/tenantconfig", "Only network administrators may see the TenantConfig."],
      ["/admin/tenants", "Only network administrators may see every tenant"],
      ["/admin/nodes", "Only network administrators may see the nodes."],
      ["/admin/nodes/node-1", "Only network administrators may see node node-1."],
      ["/audit", "Only network administrators may see the audit trail."],
    ] as const) {
      await opened(bob, seen, path, refusal);
      await expectNothing(path);
    }
    await opened(bob, seen, "/usage", "You may not see IP usage across the cluster.");
    await expectNothing("/usage");
    await opened(bob, seen, `/usage/network?kind=TenantNetwork&namespace=${NS}&name=${name}`, `You may not see the addresses of TenantNetwork ${NS}/${name}.`);
    await expectOnlyEcho("/usage/network");
    const csv = await bob.request.get(`/api/usage/addresses.csv?kind=TenantNetwork&namespace=${NS}&name=${name}`);
    expect(csv.status()).toBe(403);
    const all = await bob.request.get("/api/usage/addresses.csv");
    expect(all.status()).toBe(403);
    for (const s of [cidr, "10.214.77.", "secret-pod-0"]) expect(`${await csv.text()}${await all.text()}`).not.toContain(s);

    // meanwhile alice's network changes (a second Pod attaches): nothing of it reaches bob's open page.
    // Then the same happens on bob's own network (its addresses, a DanmEp in team-b): once that has
    // reached his page, alice's change, made before it on the same kinds, would have too.
    await opened(bob, seen, "/networks", "TenantNetworks in team-b");
    const second = uniqueName("secret-ep");
    const own = uniqueName("bob-ep");
    attachPod(kubectl, { kind: "TenantNetwork", network: name, networkNamespace: NS, podNamespace: NS, pod: "secret-pod-1", iface: "sec1", endpoint: second });
    try {
      attachPod(kubectl, {
        kind: "TenantNetwork",
        network: bobNetwork,
        networkNamespace: BOB_NS,
        podNamespace: BOB_NS,
        pod: "bob-pod-0",
        iface: "eth1",
        endpoint: own,
      });
      await liveMessageArrives(bob, own);
      await expect
        .poll(async () => (await liveMessages(bob)).filter((m) => m.includes(bobNetwork)).length, { message: "the change of bob's network's addresses" })
        .toBeGreaterThan(0);
      await expectNothing("/networks after alice's change");
    } finally {
      kubectl("admin", ["delete", "danmep", second, "-n", NS], { check: false });
      kubectl("admin", ["delete", "danmep", own, "-n", BOB_NS], { check: false });
    }

    await seen.settle();
    expect(seen.bodies.length, "the pages asked the API something").toBeGreaterThan(10);
    for (const { url, body } of seen.bodies) {
      for (const s of [...secrets, "secret-pod-1"]) expect(body, `the answer to ${url} carries ${s}`).not.toContain(s);
      // the name only comes back in a refusal of a request that named it
      if (body.includes(name)) {
        expect(decodeURIComponent(url), `the answer to ${url} names ${name} though the request did not`).toContain(name);
        expect(body, `the answer to ${url} names ${name} outside a refusal`).toMatch(/"code":"FORBIDDEN"|forbidden/);
      }
    }
    for (const event of seen.events) for (const s of [name, ...secrets, "secret-pod-1"]) expect(event, "a live change bob's page received").not.toContain(s);
    console.log(`isolation.spec: checked ${checked.length} pages, ${seen.bodies.length} API answers and ${seen.events.length} live messages`);
  });
});
