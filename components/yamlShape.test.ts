import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { goKeyCompare, kubectlShape, toKubectlYaml } from "./yamlShape";

// A TenantNetwork as the API server returns it (JSON, managedFields included); the expected text is
// what `kubectl get tenantnetwork -n team-a fronthaul -o yaml` printed for it on the dev cluster.
const fronthaul = {
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantNetwork",
  metadata: {
    annotations: {
      "kubectl.kubernetes.io/last-applied-configuration":
        '{"apiVersion":"danm.k8s.io/v1","kind":"TenantNetwork","metadata":{"annotations":{},"name":"fronthaul","namespace":"team-a"},"spec":{"NetworkType":"sriov","Options":{"cidr":"10.62.0.0/26","device_pool":"vendor.example/sriov_left"}}}\n',
    },
    creationTimestamp: "2026-11-28T10:33:52Z",
    generation: 1,
    managedFields: [
      {
        apiVersion: "danm.k8s.io/v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { ".": {}, "f:NetworkType": {}, "f:Options": { ".": {}, "f:cidr": {}, "f:device_pool": {} } } },
        manager: "kubectl-client-side-apply",
        operation: "Update",
        time: "2026-11-28T10:33:52Z",
      },
    ],
    name: "fronthaul",
    namespace: "team-a",
    resourceVersion: "277",
    uid: "d17ae6f7-0789-4f65-913d-b6e5bbf0824d",
  },
  spec: {
    Options: {
      vlan: 3000,
      device_pool: "vendor.example/sriov_left",
      cidr: "10.62.0.0/26",
      allocation_pool: { start: "10.62.0.1", lastIp: "", end: "10.62.0.62" },
      alloc: "gAAAAAAAAAE=",
    },
    NetworkType: "sriov",
    NetworkID: "tn-sriov",
  },
};

const KUBECTL_FRONTHAUL = `apiVersion: danm.k8s.io/v1
kind: TenantNetwork
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"danm.k8s.io/v1","kind":"TenantNetwork","metadata":{"annotations":{},"name":"fronthaul","namespace":"team-a"},"spec":{"NetworkType":"sriov","Options":{"cidr":"10.62.0.0/26","device_pool":"vendor.example/sriov_left"}}}
  creationTimestamp: "2026-11-28T10:33:52Z"
  generation: 1
  name: fronthaul
  namespace: team-a
  resourceVersion: "277"
  uid: d17ae6f7-0789-4f65-913d-b6e5bbf0824d
spec:
  NetworkID: tn-sriov
  NetworkType: sriov
  Options:
    alloc: gAAAAAAAAAE=
    allocation_pool:
      end: 10.62.0.62
      lastIp: ""
      start: 10.62.0.1
    cidr: 10.62.0.0/26
    device_pool: vendor.example/sriov_left
    vlan: 3000
`;

describe("toKubectlYaml", () => {
  it("prints a TenantNetwork exactly as kubectl get -o yaml does, without managedFields", () => {
    expect(toKubectlYaml(fronthaul)).toBe(KUBECTL_FRONTHAUL);
  });

  it("does not change the object it is given", () => {
    const copy = structuredClone(fronthaul);
    toKubectlYaml(fronthaul);
    expect(fronthaul).toEqual(copy);
    expect(kubectlShape(fronthaul)).not.toHaveProperty("metadata.managedFields");
    expect(fronthaul.metadata.managedFields).toHaveLength(1);
  });

  it("sorts keys at every level as kubectl does: capitals before lower case", () => {
    const text = toKubectlYaml({ spec: { alloc: "x", Options: { vlan: 1, alloc: "AA==", NetworkType: "no" }, NetworkType: "ipvlan", NetworkID: "ext" } });
    expect(text).toBe(`spec:
  NetworkID: ext
  NetworkType: ipvlan
  Options:
    NetworkType: "no"
    alloc: AA==
    vlan: 1
  alloc: x
`);
  });

  it("orders digit runs by value, as kubectl orders route destinations", () => {
    const routes = { "10.10.0.0/16": "10.0.0.1", "9.0.0.0/8": "10.0.0.1", "10.2.0.0/16": "10.0.0.1", "192.168.0.0/16": "10.0.0.1" };
    const keys = toKubectlYaml({ routes })
      .split("\n")
      .filter((l) => l.startsWith("  "))
      .map((l) => l.trim().split(":")[0]);
    expect(keys).toEqual(["9.0.0.0/8", "10.2.0.0/16", "10.10.0.0/16", "192.168.0.0/16"]);
  });

  it("puts non-letters before letters, as go-yaml does (observed with kubectl on labels and data keys)", () => {
    // each list in the order kubectl printed it (a ConfigMap's labels, its data keys)
    const labels = [
      "0",
      "9.0.0.0_8",
      "10.2.0.0_16",
      "10.10.0.0_16",
      "A",
      "B",
      "a_b",
      "a2b",
      "a10b",
      "aB",
      "ab",
      "b",
      "item9",
      "item09",
      "item10",
      "x-y",
      "x.y",
      "x_y",
    ];
    const data = ["-a", "__", "_z", "A_", "Aa", "NO", "True", "Y", "a1.", "a1_", "a1b", "amp", "b1-", "b1B"];
    for (const observed of [labels, data]) expect([...observed].reverse().sort(goKeyCompare)).toEqual(observed);
  });

  it("keeps long strings on one line", () => {
    const bitmap = "A".repeat(700) + "=";
    const sentence = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const text = toKubectlYaml({ spec: { Options: { alloc: bitmap } }, note: sentence });
    expect(text).toContain(`    alloc: ${bitmap}\n`);
    expect(text).toContain(`note: ${sentence}\n`);
    expect(text.split("\n")).toHaveLength(5);
  });

  it("does not indent sequences under their key", () => {
    expect(toKubectlYaml({ spec: { AllowedTenants: ["team-b", "team-a"] } })).toBe("spec:\n  AllowedTenants:\n  - team-b\n  - team-a\n");
  });

  it("keeps markup in names as literal text", () => {
    const name = '<img src=x onerror="alert(1)"><b>net</b>&amp;';
    const text = toKubectlYaml({ metadata: { name } });
    expect(text).toContain(name);
    expect(parse(text)).toEqual({ metadata: { name } });
  });

  it("quotes strings kubectl would read back as something else, so a pasted copy applies unchanged", () => {
    const data = { a: "yes", b: "on", c: "NO", d: "2024-01-02", e: "12:30", f: "1_000", g: "true", h: "null", i: "42", j: "" };
    const text = toKubectlYaml({ data });
    for (const [k, v] of Object.entries(data)) expect(text).toContain(`  ${k}: "${v}"\n`);
    expect(parse(text, { version: "1.1" })).toEqual({ data });
  });

  it("leaves anything that is not an object with metadata alone", () => {
    expect(kubectlShape(null)).toBeNull();
    expect(kubectlShape([1])).toEqual([1]);
    expect(toKubectlYaml({ kind: "X" })).toBe("kind: X\n");
  });
});
