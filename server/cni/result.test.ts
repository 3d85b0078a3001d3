import { describe, expect, it } from "vitest";
import { CniError } from "./protocol";
import { addressesOf, decodeResult, encodeResult, mergeResults } from "./result";

const macvlan = decodeResult(
  JSON.stringify({
    cniVersion: "1.0.0",
    interfaces: [{ name: "net1", mac: "aa:bb:cc:00:00:01", sandbox: "/ns" }],
    ips: [
      { address: "10.0.0.5/24", interface: 0 },
      { address: "fd00::5/64", interface: 0 },
    ],
    routes: [{ dst: "10.9.0.0/16", gw: "10.0.0.1" }],
    dns: {},
  }),
  "macvlan",
);
const bridge = decodeResult(
  JSON.stringify({
    cniVersion: "0.4.0",
    interfaces: [{ name: "br0", mac: "aa:bb:cc:00:00:02" }, { name: "veth1" }, { name: "eth0", sandbox: "/ns" }],
    ips: [{ version: "4", address: "10.93.0.7/24", gateway: "10.93.0.1", interface: 2 }],
    dns: { nameservers: ["10.0.0.10"] },
  }),
  "bridge",
);

describe("CNI results", () => {
  it("decodes 0.4.0 and 1.0.0 results alike (the version key is dropped)", () => {
    expect(bridge.ips).toEqual([{ address: "10.93.0.7/24", gateway: "10.93.0.1", interface: 2 }]);
    expect(addressesOf(macvlan)).toEqual({ ip: "10.0.0.5/24", ip6: "fd00::5/64" });
    expect(addressesOf(bridge)).toEqual({ ip: "10.93.0.7/24", ip6: "" });
  });
  it("refuses results that are not JSON objects or too old", () => {
    expect(() => decodeResult("nope", "x")).toThrow(CniError);
    expect(() => decodeResult('{"cniVersion":"0.2.0","ip4":{}}', "x")).toThrow(/0.3.0 and later/);
  });
  it("merges with eth0's result first and renumbers interface indexes", () => {
    const merged = mergeResults([
      { ifName: "net1", result: macvlan },
      { ifName: "eth0", result: bridge },
    ]);
    expect(merged.interfaces.map((i) => i.name)).toEqual(["br0", "veth1", "eth0", "net1"]);
    expect(merged.ips).toEqual([
      { address: "10.93.0.7/24", gateway: "10.93.0.1", interface: 2 },
      { address: "10.0.0.5/24", interface: 3 },
      { address: "fd00::5/64", interface: 3 },
    ]);
    expect(merged.routes).toEqual([{ dst: "10.9.0.0/16", gw: "10.0.0.1" }]);
    expect(merged.dns).toEqual({ nameservers: ["10.0.0.10"] });
  });
  it("encodes 1.0.0 as is and 0.3.x/0.4.0 with a version on each IP", () => {
    const merged = mergeResults([{ ifName: "eth0", result: macvlan }]);
    expect(encodeResult(merged, "1.0.0")).toEqual({ cniVersion: "1.0.0", interfaces: macvlan.interfaces, ips: macvlan.ips, routes: macvlan.routes, dns: {} });
    expect(encodeResult(merged, "0.4.0").ips as unknown[]).toEqual([
      { version: "4", address: "10.0.0.5/24", interface: 0 },
      { version: "6", address: "fd00::5/64", interface: 0 },
    ]);
    expect(encodeResult(merged, "0.3.1").cniVersion).toBe("0.3.1");
  });
});
