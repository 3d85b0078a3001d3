import { describe, expect, it } from "vitest";
import { safeNextPath, signInErrorMessage } from "./redirect";

describe("the page after signing in", () => {
  it("keeps paths of the console, with their query and fragment", () => {
    expect(safeNextPath("/networks")).toBe("/networks");
    expect(safeNextPath("/networks/team-a/TenantNetwork/x?tab=ips#a")).toBe("/networks/team-a/TenantNetwork/x?tab=ips#a");
    expect(safeNextPath("/admin/../usage")).toBe("/usage");
    // the browser drops a TAB, so this stays a path of the console
    expect(safeNextPath("/\tlocalhost:8099/x")).toBe("/localhost:8099/x");
  });

  it("sends everything that would leave the console to the home page", () => {
    for (const next of [
      "//evil.example/x",
      "/\\localhost:8099/x",
      "/\t/localhost:8099/x",
      "/\t\\localhost:8099/x",
      "/\\/evil.example",
      "\\\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      " /x",
      "",
      null,
      undefined,
      "/\n/evil.example",
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBe("/");
    }
  });
});

describe("errors shown on the sign-in page", () => {
  it("only known codes, never the text of the address", () => {
    expect(signInErrorMessage("oidc-failed")).toMatch(/not accepted/);
    expect(signInErrorMessage("Your account is locked, call +1 555 0100")).toBeUndefined();
    expect(signInErrorMessage("toString")).toBeUndefined();
    expect(signInErrorMessage(null)).toBeUndefined();
  });
});
