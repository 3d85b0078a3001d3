import { describe, expect, it } from "vitest";
import { CNI_ERROR, CniError, errorJson, parseCniArgs, parseNetConf, podIdentity, readEnvironment, versionResult } from "./protocol";

const env = {
  CNI_COMMAND: "ADD",
  CNI_CONTAINERID: "c1",
  CNI_NETNS: "/var/run/netns/p",
  CNI_IFNAME: "eth0",
  CNI_PATH: "/opt/cni/bin:/usr/lib/cni",
  CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAMESPACE=team-a;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=sb1",
};

function thrown(f: () => unknown): CniError {
  try {
    f();
  } catch (e) {
    return e as CniError;
  }
  throw new Error("expected an error");
}

describe("CNI environment", () => {
  it("reads what the runtime sets", () => {
    const e = readEnvironment(env);
    expect(e).toMatchObject({ command: "ADD", containerId: "c1", netns: "/var/run/netns/p", ifName: "eth0", path: ["/opt/cni/bin", "/usr/lib/cni"] });
    expect(podIdentity(e)).toEqual({ namespace: "team-a", name: "web-0", sandboxId: "sb1", uid: undefined });
  });
  it("the sandbox id falls back to CNI_CONTAINERID", () => {
    expect(podIdentity(readEnvironment({ ...env, CNI_ARGS: "K8S_POD_NAMESPACE=a;K8S_POD_NAME=b" })).sandboxId).toBe("c1");
  });
  it("missing variables and an unknown command are invalid-environment errors (code 4)", () => {
    expect(thrown(() => readEnvironment({ ...env, CNI_NETNS: undefined }))).toMatchObject({
      code: CNI_ERROR.invalidEnvironment,
      message: "ADD needs the environment variable CNI_NETNS",
    });
    expect(thrown(() => readEnvironment({ ...env, CNI_COMMAND: "GC" })).code).toBe(4);
    expect(readEnvironment({ CNI_COMMAND: "VERSION" }).command).toBe("VERSION");
    expect(readEnvironment({ CNI_COMMAND: "DEL", CNI_CONTAINERID: "c", CNI_IFNAME: "eth0" }).netns).toBe("");
  });
  it("CNI_ARGS pairs; a pair without = is refused; pods need namespace and name", () => {
    expect(parseCniArgs("A=1;;B=x=y")).toEqual({ A: "1", B: "x=y" });
    expect(thrown(() => parseCniArgs("A")).code).toBe(4);
    expect(thrown(() => podIdentity(readEnvironment({ ...env, CNI_ARGS: "K8S_POD_NAME=x" }))).message).toMatch(/K8S_POD_NAMESPACE and K8S_POD_NAME/);
  });
});

describe("netconf", () => {
  it("defaults cniDir and keeps the rest", () => {
    expect(parseNetConf('{"cniVersion":"0.4.0","name":"meta","type":"danm","kubeconfig":"/etc/kc"}', "ADD")).toEqual({
      cniVersion: "0.4.0",
      name: "meta",
      type: "danm",
      kubeconfig: "/etc/kc",
      cniDir: "/etc/cni/net.d",
      namingScheme: "",
    });
  });
  it("tenet's own fields: the node lock directory and the time limit (15-3600 s), both optional", () => {
    const base = { cniVersion: "1.0.0", name: "meta", type: "danm", kubeconfig: "/etc/kc" };
    expect(parseNetConf(JSON.stringify({ ...base, ipamLockDir: "/tmp/locks", timeoutSeconds: 120 }), "ADD")).toMatchObject({
      ipamLockDir: "/tmp/locks",
      timeoutSeconds: 120,
    });
    expect(thrown(() => parseNetConf(JSON.stringify({ ...base, timeoutSeconds: 5 }), "ADD"))).toMatchObject({
      code: 7,
      message: 'network configuration "meta": timeoutSeconds must be a number from 15 to 3600 (got 5)',
    });
    expect(thrown(() => parseNetConf(JSON.stringify({ ...base, timeoutSeconds: "30" }), "ADD")).code).toBe(7);
    expect(thrown(() => parseNetConf(JSON.stringify({ ...base, ipamLockDir: 1 }), "ADD")).message).toMatch(/ipamLockDir must be a string/);
  });
  it("an unsupported version is code 1, bad JSON code 6, missing kubeconfig code 7", () => {
    expect(thrown(() => parseNetConf('{"cniVersion":"0.2.0"}', "VERSION")).code).toBe(1);
    expect(thrown(() => parseNetConf("{", "ADD")).code).toBe(6);
    expect(thrown(() => parseNetConf('{"cniVersion":"1.0.0","name":"n"}', "DEL"))).toMatchObject({ code: 7, message: expect.stringContaining("kubeconfig") });
  });
  it("VERSION needs no kubeconfig and answers the versions", () => {
    expect(parseNetConf('{"cniVersion":"1.0.0"}', "VERSION").cniVersion).toBe("1.0.0");
    expect(versionResult("1.0.0")).toEqual({ cniVersion: "1.0.0", supportedVersions: ["0.3.0", "0.3.1", "0.4.0", "1.0.0"] });
  });
  it("errors print as CNI error JSON", () => {
    expect(errorJson(new CniError(102, "pod a/b: DanmNet a/n: in use (A-4)"), "0.4.0")).toEqual({
      cniVersion: "0.4.0",
      code: 102,
      msg: "pod a/b: DanmNet a/n: in use (A-4)",
    });
    expect(errorJson(new Error("boom"), "1.0.0")).toMatchObject({ code: 5, msg: "boom" });
  });
});
