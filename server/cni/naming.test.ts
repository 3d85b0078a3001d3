import { describe, expect, it } from "vitest";
import { interfaceName, interfaceNameProblem, parentDevice } from "./naming";

describe("interface names (danm-spec §11.5)", () => {
  it("spec example: [oam (prefix bh), sig (prefix sig), fh (no prefix)] → eth0, sig1, eth2", () => {
    expect([interfaceName(0, "bh", ""), interfaceName(1, "sig", ""), interfaceName(2, undefined, "")]).toEqual(["eth0", "sig1", "eth2"]);
  });
  it("legacy naming uses the prefix alone; sequence 0 stays eth0", () => {
    expect(interfaceName(1, "sig", "legacy")).toBe("sig");
    expect(interfaceName(0, "sig", "legacy")).toBe("eth0");
    expect(interfaceName(3, "", "legacy")).toBe("eth3");
  });
  it("names the kernel would refuse are reported before anything is allocated", () => {
    expect(interfaceNameProblem("eth0")).toBeUndefined();
    expect(interfaceNameProblem("averyveryverylongprefix1")).toMatch(/longer than Linux's 15 characters/);
    expect(interfaceNameProblem("a b")).toMatch(/may only contain/);
    expect(interfaceNameProblem("x;rm")).toMatch(/may only contain/);
  });
});

describe("parent device (§11.4)", () => {
  it("VxLAN host interface, then VLAN host interface, then host_device", () => {
    expect(parentDevice("bh", { host_device: "bond1", vxlan: 300, vlan: 0 })).toBe("vx_bh");
    expect(parentDevice("bh", { host_device: "bond1", vlan: 310 })).toBe("bh.310");
    expect(parentDevice("bh", { host_device: "bond1" })).toBe("bond1");
  });
});
