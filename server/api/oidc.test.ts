import { describe, expect, it } from "vitest";
import { identityFromClaims, oidcSettings } from "./oidc";

const asEnv = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;
const settings = (env: Record<string, string>) => oidcSettings(asEnv({ TENET_OIDC_ISSUER: "https://dex.example.com", TENET_OIDC_CLIENT_ID: "tenet", ...env }))!;

describe("OIDC claims → Kubernetes identity (as kube-apiserver's --oidc-* flags map them)", () => {
  it("is off without issuer and client id", () => {
    expect(oidcSettings(asEnv({}))).toBeUndefined();
    expect(oidcSettings(asEnv({ TENET_OIDC_ISSUER: "https://x" }))).toBeUndefined();
  });

  it("prefixes non-email username claims with the issuer, like kube-apiserver", () => {
    expect(identityFromClaims({ sub: "1234" }, settings({}))).toEqual({ user: "https://dex.example.com#1234", groups: ["system:authenticated"] });
  });

  it("uses a verified email bare and applies the groups prefix", () => {
    const s = settings({ TENET_OIDC_USERNAME_CLAIM: "email", TENET_OIDC_GROUPS_PREFIX: "oidc:" });
    expect(identityFromClaims({ email: "alice@example.com", email_verified: true, groups: ["net", 7, "ops"] }, s)).toEqual({
      user: "alice@example.com",
      groups: ["oidc:net", "oidc:ops", "system:authenticated"],
    });
    expect(() => identityFromClaims({ email: "eve@example.com", email_verified: false }, s)).toThrow(/not verified/);
  });

  it("prefixes groups with oidc: unless told otherwise, and never passes a system: group from a claim", () => {
    expect(identityFromClaims({ sub: "1", groups: ["system:masters", "net"] }, settings({}))).toEqual({
      user: "https://dex.example.com#1",
      groups: ["oidc:system:masters", "oidc:net", "system:authenticated"],
    });
    for (const groups of [["system:masters", "net"], "system:masters"]) {
      expect(identityFromClaims({ sub: "1", groups }, settings({ TENET_OIDC_GROUPS_PREFIX: "" })).groups).toEqual(
        typeof groups === "string" ? ["system:authenticated"] : ["net", "system:authenticated"],
      );
      expect(identityFromClaims({ sub: "1", groups }, settings({ TENET_OIDC_GROUPS_PREFIX: "system:" })).groups).toEqual(["system:authenticated"]);
    }
  });

  it("refuses a user name in system: (with an empty prefix a claim could name system:admin)", () => {
    expect(() => identityFromClaims({ email: "system:admin", email_verified: true }, settings({ TENET_OIDC_USERNAME_CLAIM: "email" }))).toThrow(
      /system:admin.*reserved/,
    );
    expect(identityFromClaims({ sub: "system:admin" }, settings({})).user).toBe("https://dex.example.com#system:admin");
  });

  it("never maps a claim to one of tenet's IPAM identities, which alone may write allocation state (N-28)", () => {
    // the webhook's defaults: the controllers' group, and the plugin's and controllers' ServiceAccounts (system:, refused anyway)
    const open = settings({ TENET_OIDC_GROUPS_PREFIX: "", TENET_OIDC_USERNAME_PREFIX: "" });
    expect(identityFromClaims({ sub: "mallory", groups: ["tenet:controllers", "net"] }, open).groups).toEqual(["net", "system:authenticated"]);
    // what the chart passes from webhook.ipamIdentities
    const chart = settings({
      TENET_OIDC_GROUPS_PREFIX: "",
      TENET_OIDC_USERNAME_PREFIX: "",
      TENET_IPAM_USERS: "ipam-bot,system:serviceaccount:net:tenet-cni",
      TENET_IPAM_GROUPS: "netops:ipam",
    });
    expect(identityFromClaims({ sub: "alice", groups: ["netops:ipam", "tenet:controllers"] }, chart).groups).toEqual([
      "tenet:controllers",
      "system:authenticated",
    ]);
    expect(() => identityFromClaims({ sub: "ipam-bot" }, chart)).toThrow(/"ipam-bot" is one of tenet's IPAM identities/);
    // with the default prefixes nothing from the provider can collide
    expect(
      identityFromClaims({ sub: "ipam-bot", groups: ["netops:ipam"] }, settings({ TENET_IPAM_USERS: "ipam-bot", TENET_IPAM_GROUPS: "netops:ipam" })),
    ).toEqual({
      user: "https://dex.example.com#ipam-bot",
      groups: ["oidc:netops:ipam", "system:authenticated"],
    });
  });

  it("names the missing claim", () => {
    expect(() => identityFromClaims({ sub: "x" }, settings({ TENET_OIDC_USERNAME_CLAIM: "preferred_username" }))).toThrow(/"preferred_username" claim/);
  });
});
