// What the console believes about a request: cookies, origin, scheme and client address.
import { afterEach, describe, expect, it } from "vitest";
import { clientAddress, isSameOrigin, isSecureRequest, readCookie } from "./context";

const post = (headers: Record<string, string>) =>
  new Request("http://console.test/api/trpc/auth.signIn", { method: "POST", headers: { host: "console.test", ...headers } });

afterEach(() => {
  delete process.env.TENET_TRUSTED_PROXY;
});

describe("forwarded headers", () => {
  it("without a trusted proxy, X-Forwarded-Host does not make another origin the console's", () => {
    const forged = post({ origin: "http://evil.example", "x-forwarded-host": "evil.example" });
    expect(isSameOrigin(forged)).toBe(false);
    expect(isSameOrigin(post({ origin: "http://console.test", "x-forwarded-host": "evil.example" }))).toBe(true);
    expect(isSecureRequest(post({ "x-forwarded-proto": "https" }))).toBe(false);
  });

  it("with TENET_TRUSTED_PROXY=1 the proxy's X-Forwarded-Host and -Proto count", () => {
    process.env.TENET_TRUSTED_PROXY = "1";
    expect(isSameOrigin(post({ origin: "https://tenet.example.com", host: "tenet-console:80", "x-forwarded-host": "tenet.example.com" }))).toBe(true);
    expect(isSecureRequest(post({ "x-forwarded-proto": "https" }))).toBe(true);
  });

  it("the client address is the last X-Forwarded-For entry (the proxy's, or the connection's)", () => {
    expect(clientAddress(post({ "x-forwarded-for": "203.0.113.9, 10.0.0.7" }))).toBe("10.0.0.7");
    expect(clientAddress(post({}))).toBe("unknown");
  });
});

describe("cookies", () => {
  it("a cookie that is not valid percent-encoding is no cookie (not an exception)", () => {
    expect(readCookie("tenet_session=%E0%A4%A", "tenet_session")).toBeUndefined();
    expect(readCookie("a=1; tenet_session=%41b", "tenet_session")).toBe("Ab");
  });
});
