// §11.8 DPDK decision: which VFs get a dummy kernel interface, and what it is made of.
import { describe, expect, it } from "vitest";
import { dpdkInterfaceCommands, isUserspaceDriver } from "./sriovDpdk";

const vf = { ifName: "eth1", pciAddress: "0000:3b:02.1", mac: "02:11:22:33:44:55", addresses: ["10.0.0.7/24", "fd00::7/64"] };

describe("dpdkInterfaceCommands", () => {
  it("only VFs bound to a user-space driver count as DPDK", () => {
    expect(["vfio-pci", "igb_uio", "uio_pci_generic"].map(isUserspaceDriver)).toEqual([true, true, true]);
    expect(["iavf", "mlx5_core", "ixgbevf", "", undefined].map(isUserspaceDriver)).toEqual([false, false, false, false, false]);
    expect(dpdkInterfaceCommands({ ...vf, driver: "iavf" })).toBeUndefined();
    expect(dpdkInterfaceCommands({ ...vf, driver: undefined })).toBeUndefined();
  });

  it("without VLAN: a dummy named like the interface, alias = PCI address, the VF MAC, the addresses (IPv6 without DAD), up", () => {
    expect(dpdkInterfaceCommands({ ...vf, driver: "vfio-pci" })).toEqual([
      "link add eth1 type dummy",
      "link set dev eth1 alias 0000:3b:02.1",
      "link set dev eth1 address 02:11:22:33:44:55",
      "addr add 10.0.0.7/24 dev eth1",
      "addr add fd00::7/64 dev eth1 nodad",
      "link set dev eth1 up",
    ]);
  });

  it("with VLAN: the addresses go on a VLAN sub-interface named like the interface, on top of the dummy", () => {
    expect(dpdkInterfaceCommands({ ...vf, driver: "igb_uio", vlan: 3001, addresses: ["10.0.0.7/24", "none"] })).toEqual([
      "link add d_eth1 type dummy",
      "link set dev d_eth1 alias 0000:3b:02.1",
      "link set dev d_eth1 address 02:11:22:33:44:55",
      "link set dev d_eth1 up",
      "link add link d_eth1 name eth1 type vlan id 3001",
      "addr add 10.0.0.7/24 dev eth1",
      "link set dev eth1 up",
    ]);
  });

  it("an unknown or all-zero MAC is not set; requests that are not addresses are not added", () => {
    for (const mac of [undefined, "", "00:00:00:00:00:00"]) {
      expect(dpdkInterfaceCommands({ ...vf, driver: "vfio-pci", mac, addresses: ["", "none", "dynamic"] })).toEqual([
        "link add eth1 type dummy",
        "link set dev eth1 alias 0000:3b:02.1",
        "link set dev eth1 up",
      ]);
    }
  });
});
