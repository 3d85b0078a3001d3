import { describe, expect, it } from "vitest";
import { postgresDatabase, providerOf, redactedUrl, withPostgresDatabase } from "./url";

describe("database URLs", () => {
  it("the scheme picks the database", () => {
    expect(providerOf("file:/var/lib/tenet/console.db")).toBe("sqlite");
    expect(providerOf("postgresql://tenet@db:5432/tenet")).toBe("postgresql");
    expect(providerOf("postgres://tenet@db/tenet")).toBe("postgresql");
    expect(() => providerOf("mysql://db/tenet")).toThrow(/DATABASE_URL must be a SQLite file: URL or a postgresql:\/\/ URL \(got mysql:…\)/);
  });

  it("another database on the same server keeps user, host and parameters", () => {
    expect(withPostgresDatabase("postgresql://u:p@db:5432/tenet?sslmode=require", "shadow")).toBe("postgresql://u:p@db:5432/shadow?sslmode=require");
    expect(withPostgresDatabase("postgresql://u@db", "shadow")).toBe("postgresql://u@db/shadow");
    // a Unix socket: no host in the authority (which WHATWG URL parsing refuses)
    expect(withPostgresDatabase("postgresql://u@/tenet?host=/run/postgresql", "shadow")).toBe("postgresql://u@/shadow?host=/run/postgresql");
    expect(postgresDatabase("postgresql://u@/ten%20et?host=/x")).toBe("ten et");
  });

  it("messages never show the password", () => {
    expect(redactedUrl("postgresql://tenet:s3cret@db:5432/tenet")).toBe("postgresql://tenet:***@db:5432/tenet");
    expect(redactedUrl("postgresql://tenet@db/tenet")).toBe("postgresql://tenet@db/tenet");
    expect(redactedUrl("file:/x/console.db")).toBe("file:/x/console.db");
  });
});
