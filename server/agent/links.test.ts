// Parsing of iproute2's JSON and of `ip -force -batch` error output.
import { describe, expect, it } from "vitest";
import { parseAddresses, parseBatchErrors, parseLinks } from "./links";

describe("parseLinks", () => {
  it("reads kind, id, underlay, alias and UP for vxlan, vlan and other links", () => {
    const json = JSON.stringify([
      { ifname: "lo", flags: ["LOOPBACK", "UP"] },
      { ifname: "p0", link: "p1", group: "4242", flags: ["UP"], linkinfo: { info_kind: "veth" } },
      {
        ifname: "vx_a",
        ifalias: "tenet:owned",
        flags: ["BROADCAST", "UP", "LOWER_UP"],
        linkinfo: { info_kind: "vxlan", info_data: { id: 600, group: "239.0.2.88", local: "10.9.0.1", link: "p0", port: 4789 } },
      },
      {
        ifname: "sig.200",
        link: "eth0",
        ifalias: "someone else",
        flags: ["BROADCAST"],
        linkinfo: { info_kind: "vlan", info_data: { protocol: "802.1Q", id: 200 } },
      },
    ]);
    expect(parseLinks(json)).toEqual([
      { name: "lo", kind: "", ownedByTenet: false, up: true },
      { name: "p0", kind: "veth", parent: "p1", group: "4242", ownedByTenet: false, up: true },
      { name: "vx_a", kind: "vxlan", id: 600, parent: "p0", ownedByTenet: true, up: true },
      { name: "sig.200", kind: "vlan", id: 200, parent: "eth0", ownedByTenet: false, up: false },
    ]);
  });
});

describe("parseAddresses", () => {
  it("keeps family, address and scope in the kernel's order", () => {
    const json = JSON.stringify([
      {
        ifname: "p0",
        addr_info: [
          { family: "inet", local: "10.9.0.1", prefixlen: 24, scope: "global" },
          { family: "inet6", local: "fe80::1", scope: "link" },
        ],
      },
      { ifname: "p1" },
    ]);
    expect(parseAddresses(json)).toEqual(
      new Map([
        [
          "p0",
          [
            { family: "inet", address: "10.9.0.1", scope: "global" },
            { family: "inet6", address: "fe80::1", scope: "link" },
          ],
        ],
        ["p1", []],
      ]),
    );
  });
});

describe("parseBatchErrors", () => {
  it("attributes each message to the line named by the following 'Command failed' marker", () => {
    const stderr = "Error: Unknown device type.\nCommand failed -:3\nRTNETLINK answers: No buffer space available\nCommand failed -:40\n";
    const o = parseBatchErrors(1, stderr);
    expect([...o.lineErrors]).toEqual([
      [3, "Error: Unknown device type."],
      [40, "RTNETLINK answers: No buffer space available"],
    ]);
    expect(o.aborted).toBeUndefined();
  });

  it("reports trailing text without a marker as an early stop", () => {
    const o = parseBatchErrors(
      255,
      'Error: A VXLAN device with the specified VNI already exists.\nCommand failed -:4\nError: argument "99999999" is wrong: invalid id\n',
    );
    expect(o.lineErrors.get(4)).toBe("Error: A VXLAN device with the specified VNI already exists.");
    expect(o.aborted).toBe('Error: argument "99999999" is wrong: invalid id');
  });

  it("ignores warnings when ip succeeded", () => {
    expect(parseBatchErrors(0, "vxlan: some warning\n")).toEqual({ code: 0, lineErrors: new Map() });
  });
});
