import { describe, expect, it } from "vitest";
import type { DanmEp } from "../api/danmEp";
import type { NetworkObject } from "../api/network";
import { Bitmap } from "../bitmap";
import { allocateAddresses } from "../ipam/allocate";
import { defaultV4Pool, defaultV6PoolBounds, defaultV6PoolCidr, type PoolOptions } from "../ipam/pool";
import { addressesCsv, addressesInUse, csvField } from "./addressesInUse";
import { countStates, decodeAddressMap, describeAddress, networkAddresses } from "./addressMap";
import { describeDuration, exhaustionForecast, leastSquares } from "./forecast";
import { networkUsage, pressureLevel, tenantUsage, usageOverview } from "./pressure";

function net(kind: NetworkObject["kind"], namespace: string, name: string, options: PoolOptions): NetworkObject {
  let o = defaultV4Pool(options);
  if (o.net6) o = defaultV6PoolBounds(defaultV6PoolCidr(o));
  return {
    apiVersion: "danm.k8s.io/v1",
    kind,
    metadata: { name, namespace: kind === "ClusterNetwork" ? undefined : namespace },
    spec: { NetworkID: name, Options: o },
  } as NetworkObject;
}

/** Takes `n` dynamic IPv4 addresses; returns the network and the addresses. */
function allocate(network: NetworkObject, n: number, family: "ip" | "ip6" = "ip"): { network: NetworkObject; addresses: string[] } {
  let o = network.spec!.Options! as PoolOptions;
  const addresses: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = allocateAddresses(o, { [family]: "dynamic" });
    if (!r.ok) throw new Error(r.error.message);
    o = r.options;
    addresses.push(family === "ip" ? r.ip : r.ip6);
  }
  return { network: { ...network, spec: { ...network.spec, Options: o } } as NetworkObject, addresses };
}

function ep(namespace: string, pod: string, network: NetworkObject, address: string, extra: { ip6?: string; iface?: string } = {}): DanmEp {
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name: `${pod}-ep`, namespace },
    spec: {
      NetworkName: network.metadata.name,
      apiType: network.kind,
      Pod: pod,
      Host: "node-1",
      Interface: { Name: extra.iface ?? "eth1", Address: address, AddressIPv6: extra.ip6 },
    },
  };
}

describe("pressure", () => {
  it("levels at 80 % and 95 %", () => {
    expect([0, 0.79, 0.8, 0.94, 0.95, 1].map(pressureLevel)).toEqual(["ok", "ok", "warning", "warning", "critical", "critical"]);
  });

  it("counts the allocation pool, sorts networks and tenants by pressure", () => {
    // /28: pool .1–.14 = 14 addresses
    const small = allocate(net("TenantNetwork", "team-a", "small", { cidr: "10.0.0.0/28" }), 12).network;
    const big = allocate(net("TenantNetwork", "team-b", "big", { cidr: "10.1.0.0/24" }), 10).network;
    const cluster = net("ClusterNetwork", "", "shared", { cidr: "10.2.0.0/24", allocation_pool: { start: "10.2.0.10", end: "10.2.0.19" } });
    const l2 = net("DanmNet", "team-b", "l2", {});
    const { networks, tenants } = usageOverview([big, l2, cluster, small]);
    expect(networks.map((n) => n.name)).toEqual(["small", "big", "shared", "l2"]);
    expect(networks[0]).toMatchObject({ kind: "TenantNetwork", namespace: "team-a", v4: { total: 14, used: 12 }, level: "warning" });
    expect(networks[0].pressure).toBeCloseTo(12 / 14);
    expect(networks[2]).toMatchObject({ namespace: "", v4: { total: 10, used: 0 }, level: "ok" });
    expect(networks[3]).toMatchObject({ v4: undefined, pressure: 0 });
    expect(tenants.map((t) => [t.namespace, t.networks, t.v4.used, t.v4.total, t.worst?.name])).toEqual([
      ["team-a", 1, 12, 14, "small"],
      ["team-b", 2, 10, 254, "big"],
    ]);
  });

  it("a full pool is critical; IPv6 counts are strings", () => {
    const full = allocate(net("DanmNet", "x", "full", { cidr: "10.0.0.0/29" }), 6).network;
    expect(networkUsage(full)).toMatchObject({ v4: { total: 6, used: 6 }, pressure: 1, level: "critical" });
    const v6 = allocate(net("DanmNet", "x", "v6", { net6: "fd00::/64" }), 3, "ip6").network;
    const u = networkUsage(v6);
    expect(u.v6).toEqual({ total: String(2 ** 16 - 2), used: 3 });
    expect(tenantUsage([u])[0]).toMatchObject({ v6Used: 3, v4: { total: 0, used: 0 }, pressure: 0 });
  });
});

describe("exhaustion forecast", () => {
  const H = 3_600_000;
  it("fits a line by least squares", () => {
    expect(
      leastSquares([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toEqual({ slope: 2, intercept: 1 });
    expect(
      leastSquares([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeUndefined();
  });

  it("growing 10 addresses an hour with 100 left: full in 10 hours", () => {
    const samples = Array.from({ length: 13 }, (_, i) => ({ at: 1_000_000 + i * H, used: 100 + 10 * i, total: 320 }));
    const f = exhaustionForecast(samples);
    expect(f.state).toBe("growing");
    if (f.state !== "growing") return;
    expect(f.perHour).toBeCloseTo(10);
    expect(f.msLeft / H).toBeCloseTo(10);
    expect(f.fullAt).toBeCloseTo(1_000_000 + 22 * H);
  });

  it("noisy growth still forecasts; only the window counts", () => {
    const old = { at: 0, used: 300, total: 1000 }; // a day before the window: would make the slope negative
    const recent = [0, 1, 2, 3].map((i) => ({ at: 30 * H + i * H, used: 100 + 20 * i + (i % 2 ? 3 : -3), total: 1000 }));
    const f = exhaustionForecast([old, ...recent], { windowMs: 6 * H });
    expect(f.state).toBe("growing");
    if (f.state === "growing") expect(f.perHour).toBeGreaterThan(15);
  });

  it("flat or shrinking usage is not growing; a full pool is full; one sample is not enough", () => {
    expect(
      exhaustionForecast([
        { at: 0, used: 5, total: 10 },
        { at: H, used: 5, total: 10 },
      ]).state,
    ).toBe("not-growing");
    expect(
      exhaustionForecast([
        { at: 0, used: 8, total: 10 },
        { at: H, used: 5, total: 10 },
      ]),
    ).toMatchObject({ state: "not-growing" });
    expect(
      exhaustionForecast([
        { at: 0, used: 8, total: 10 },
        { at: H, used: 10, total: 10 },
      ]),
    ).toEqual({ state: "full", used: 10, total: 10 });
    expect(exhaustionForecast([{ at: 0, used: 1, total: 10 }])).toEqual({ state: "not-enough-history", samples: 1 });
    expect(exhaustionForecast([])).toEqual({ state: "not-enough-history", samples: 0 });
  });

  it("durations in words", () => {
    expect(describeDuration(30_000)).toBe("less than a minute");
    expect(describeDuration(60_000)).toBe("1 minute");
    expect(describeDuration(5 * H)).toBe("5 hours");
    expect(describeDuration(72 * H)).toBe("3 days");
  });
});

describe("address map", () => {
  it("classifies every address: used by its holder, reserved (network, broadcast, gateway, unheld bit, outside pool), free", () => {
    const base = net("TenantNetwork", "team-a", "web", {
      cidr: "10.5.0.0/24",
      allocation_pool: { start: "10.5.0.10", end: "10.5.0.200" },
      routes: { "10.9.0.0/16": "10.5.0.1" },
    });
    const { network, addresses } = allocate(base, 3); // .10 .11 .12
    const eps = [ep("team-a", "web-1", network, addresses[0]), ep("team-a", "web-2", network, addresses[1], { iface: "net1" })];
    const result = networkAddresses(network, eps, true);
    expect(result.noMap).toBeUndefined();
    expect(result.v4).toEqual({ total: 191, used: 3, held: 2 });
    const data = result.map!;
    expect(data).toMatchObject({ cidr: "10.5.0.0/24", size: 256, poolStart: 10, poolEnd: 200, gateways: [1] });
    expect(data.holders).toEqual({ index: [10, 11], pod: [0, 1], iface: [0, 1], pods: ["team-a/web-1", "team-a/web-2"], ifaces: ["eth1", "net1"] });
    const map = decodeAddressMap(JSON.parse(JSON.stringify(data)));
    const d = (i: number) => describeAddress(map, i)!;
    expect(d(10)).toMatchObject({
      address: "10.5.0.10",
      state: "used",
      pod: "team-a/web-1",
      iface: "eth1",
      reason: "held by Pod team-a/web-1 (interface eth1)",
    });
    expect(d(12)).toMatchObject({ state: "reserved", reason: expect.stringContaining("no DanmEp holds it") });
    expect(d(0)).toMatchObject({ state: "reserved", reason: expect.stringContaining("network address") });
    expect(d(255)).toMatchObject({ state: "reserved", reason: expect.stringContaining("broadcast") });
    expect(d(1)).toMatchObject({ state: "reserved", reason: expect.stringContaining("gateway") });
    expect(d(5)).toMatchObject({ state: "reserved", reason: expect.stringContaining("outside the allocation pool") });
    expect(d(201)).toMatchObject({ state: "reserved" });
    expect(d(13)).toMatchObject({ address: "10.5.0.13", state: "free" });
    expect(describeAddress(map, 256)).toBeUndefined();
    // 256 = 2 used + 188 free + (10 below the pool incl. network and gateway, 55 above incl. broadcast, 1 unheld bit)
    expect(countStates(map)).toEqual({ used: 2, free: 188, reserved: 66 });
  });

  it("a viewer who cannot see every DanmEp is told so for unheld bits", () => {
    const { network } = allocate(net("ClusterNetwork", "", "c", { cidr: "10.6.0.0/24" }), 1);
    const map = decodeAddressMap(networkAddresses(network, [], false).map!);
    expect(describeAddress(map, 1)!.reason).toContain("namespace you cannot read");
  });

  it("a /16 with 30,000 holders travels compactly and decodes fast", () => {
    // 30,000 bits set directly, as 30,000 dynamic allocations would leave them (.0.1 up to .117.48)
    const network = net("TenantNetwork", "team-a", "big", { cidr: "10.7.0.0/16" });
    const bitmap = Bitmap.decode(network.spec!.Options!.alloc!);
    for (let i = 1; i <= 30_000; i++) bitmap.set(i);
    network.spec!.Options!.alloc = bitmap.encode();
    const eps = Array.from({ length: 30_000 }, (_, i) => ep("team-a", `pod-${i}`, network, `10.7.${(i + 1) >> 8}.${(i + 1) & 255}/16`));
    const data = networkAddresses(network, eps, true).map!;
    expect(data.holders.index.length).toBe(30_000);
    expect(JSON.stringify(data).length).toBeLessThan(30_000 * 35); // ~32 bytes per holder, most of it the Pod name
    const t0 = performance.now();
    const map = decodeAddressMap(data);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(countStates(map)).toEqual({ used: 30_000, free: 65_534 - 30_000, reserved: 2 });
    expect(describeAddress(map, 256 * 100 + 7)).toMatchObject({ address: "10.7.100.7", state: "used", pod: "team-a/pod-25606" });
  });

  it("no map beyond a /16 or without IPv4; IPv6 pools give counts", () => {
    expect(networkAddresses(net("DanmNet", "x", "wide", { cidr: "10.0.0.0/15" }), [], true)).toMatchObject({
      noMap: expect.stringContaining("/16"),
      v4: { total: 131_070, used: 0 },
    });
    const { network, addresses } = allocate(net("DanmNet", "x", "six", { net6: "fd00:1::/64" }), 2, "ip6");
    const r = networkAddresses(network, [ep("x", "p", network, "", { ip6: addresses[0] })], true);
    expect(r.map).toBeUndefined();
    expect(r.noMap).toContain("no IPv4 cidr");
    expect(r.v6).toMatchObject({ net6: "fd00:1::/64", used: 2, held: 1, total: String(2 ** 16 - 2) });
  });
});

describe("addresses in use (CSV)", () => {
  it("lists held addresses with their Pod and unheld bits, not the creation reservations", () => {
    const { network, addresses } = allocate(
      net("TenantNetwork", "team-a", "web", { cidr: "10.5.0.0/24", net6: "fd00:5::/64", routes: { "10.9.0.0/16": "10.5.0.1" } }),
      2,
    );
    const rows = addressesInUse(network, [ep("team-a", "web-1", network, addresses[0])]);
    expect(rows).toEqual([
      {
        kind: "TenantNetwork",
        namespace: "team-a",
        network: "web",
        family: 4,
        address: addresses[0].split("/")[0],
        state: "held",
        podNamespace: "team-a",
        pod: "web-1",
        iface: "eth1",
        node: "node-1",
      },
      {
        kind: "TenantNetwork",
        namespace: "team-a",
        network: "web",
        family: 4,
        address: addresses[1].split("/")[0],
        state: "unheld",
        podNamespace: "",
        pod: "",
        iface: "",
        node: "",
      },
    ]);
    expect(addressesCsv(rows).split("\r\n")[0]).toBe("kind,namespace,network,family,address,state,pod_namespace,pod,interface,node");
    expect(addressesCsv(rows).split("\r\n")[1]).toBe(`TenantNetwork,team-a,web,IPv4,${addresses[0].split("/")[0]},held,team-a,web-1,eth1,node-1`);
  });

  it("CSV fields are quoted and never run as spreadsheet formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("-1,2")).toBe(`"'-1,2"`);
  });
});
