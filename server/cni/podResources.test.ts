// The PodResources client against a stand-in kubelet (testdata/podResourcesKubelet.ts: a gRPC
// server on a temporary unix socket serving podresources.proto; the real kubelet cannot run here).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as loader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PODRESOURCES_DESCRIPTOR, PROTO_LOADER_OPTIONS, devicesByResource, podDevices } from "./podResources";
import { CniError } from "./protocol";
import { PROTO_FILE, startStandInKubelet, type StandInKubelet } from "./testdata/podResourcesKubelet";

describe("podresources.proto and the plugin's embedded descriptor", () => {
  it("define the same service and messages (names, field numbers, types)", () => {
    const fromFile = loader.loadSync(PROTO_FILE, PROTO_LOADER_OPTIONS);
    const embedded = loader.fromJSON(PODRESOURCES_DESCRIPTOR as Parameters<typeof loader.fromJSON>[0], PROTO_LOADER_OPTIONS);
    expect(Object.keys(embedded).sort()).toEqual(Object.keys(fromFile).sort());
    const messages = Object.keys(fromFile).filter((k) => k !== "v1.PodResourcesLister");
    expect(messages).toContain("v1.ContainerDevices");
    for (const k of messages) expect((embedded[k] as { type: unknown }).type, k).toEqual((fromFile[k] as { type: unknown }).type);
    const methods = (d: loader.PackageDefinition) =>
      Object.entries(d["v1.PodResourcesLister"] as loader.ServiceDefinition).map(([name, m]) => [name, m.path, m.requestType.type, m.responseType.type]);
    expect(methods(embedded)).toEqual(methods(fromFile));
    expect(methods(fromFile).map((m) => m[1])).toEqual(["/v1.PodResourcesLister/List", "/v1.PodResourcesLister/Get"]);
  });
});

describe("devicesByResource", () => {
  it("joins the devices of every container per resource, in the kubelet's order", () => {
    const got = devicesByResource({
      containers: [
        {
          devices: [
            { resource_name: "a/x", device_ids: ["1", "2"] },
            { resource_name: "b/y", device_ids: ["9"] },
          ],
        },
        { devices: [{ resource_name: "a/x", device_ids: ["3"] }] },
      ],
    });
    expect([...got]).toEqual([
      ["a/x", ["1", "2", "3"]],
      ["b/y", ["9"]],
    ]);
    expect(devicesByResource(undefined).size).toBe(0);
  });
});

describe("podDevices against a stand-in kubelet on a unix socket", () => {
  let dir = "";
  let kubelet: StandInKubelet;
  let old: StandInKubelet;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-podres-"));
    kubelet = await startStandInKubelet(path.join(dir, "kubelet.sock"));
    old = await startStandInKubelet(path.join(dir, "old.sock"), { withoutGet: true });
    for (const k of [kubelet, old]) {
      k.pods.set("team-a/web", { "vendor.example/sriov_left": ["0000:3b:02.0", "0000:3b:02.1"], "nvidia.com/gpu": ["GPU-1"] });
      k.pods.set("team-a/other", { "vendor.example/sriov_left": ["0000:3b:02.5"] });
    }
  });
  afterAll(async () => {
    await kubelet.close();
    await old.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("asks Get for the one pod", async () => {
    const got = await podDevices({ socket: path.join(dir, "kubelet.sock"), namespace: "team-a", name: "web" });
    expect(got.get("vendor.example/sriov_left")).toEqual(["0000:3b:02.0", "0000:3b:02.1"]);
    expect(got.get("nvidia.com/gpu")).toEqual(["GPU-1"]);
    expect(kubelet.calls).toEqual(["Get team-a/web"]);
  });

  it("falls back to List when the kubelet has no Get, and picks the pod out of it", async () => {
    const got = await podDevices({ socket: path.join(dir, "old.sock"), namespace: "team-a", name: "other" });
    expect([...got]).toEqual([["vendor.example/sriov_left", ["0000:3b:02.5"]]]);
    expect(old.calls).toEqual(["Get team-a/other", "List"]);
  });

  it("a pod the kubelet does not know has no devices", async () => {
    expect((await podDevices({ socket: path.join(dir, "kubelet.sock"), namespace: "team-a", name: "nobody" })).size).toBe(0);
  });

  it("no kubelet on the socket: a CNI error naming the socket and the pod", async () => {
    const socket = path.join(dir, "missing.sock");
    const err = await podDevices({ socket, namespace: "team-a", name: "web", timeoutMs: 3000 }).catch((e) => e);
    expect(err).toBeInstanceOf(CniError);
    expect(err.message).toContain(`pod team-a/web`);
    expect(err.message).toContain(`PodResources API at ${socket}`);
  });
});
