// The Dockerfile reader of the image test, and cheap checks of the real Dockerfile that run with
// `npm test` (the full build is `npm run test:image`).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { baseImageProblem, ignoreMatcher, parseDockerfile } from "./dockerfile";
import { APP_FILES } from "./runtimeTree";

const REPO = path.resolve(import.meta.dirname, "..", "..");

describe("Dockerfile reader", () => {
  it("joins continued lines and skips comments", () => {
    expect(parseDockerfile("# c\nFROM node:20-bookworm-slim AS build\nRUN a \\\n  && b\n\nUSER 1:1\n")).toEqual([
      { op: "FROM", args: "node:20-bookworm-slim AS build", line: 2 },
      { op: "RUN", args: "a && b", line: 3 },
      { op: "USER", args: "1:1", line: 6 },
    ]);
  });

  it("matches .dockerignore patterns as Docker does: a path or any parent, * within a segment, ** across", () => {
    const ignored = ignoreMatcher(["node_modules", ".next-*", "*.tsbuildinfo", "tools/controlplane/bin", "docs/**/*.png", "!docs/keep.png"]);
    expect(ignored("node_modules/next/package.json")).toBe(true);
    expect(ignored(".next-e2e/server")).toBe(true);
    expect(ignored(".next/server")).toBe(false);
    expect(ignored("tsconfig.tsbuildinfo")).toBe(true);
    expect(ignored("server/tsconfig.tsbuildinfo")).toBe(false);
    expect(ignored("tools/controlplane/bin/controlplane")).toBe(true);
    expect(ignored("tools/controlplane/main.go")).toBe(false);
    expect(ignored("docs/screenshots/a.png")).toBe(true);
    expect(ignored("docs/keep.png")).toBe(false);
  });

  it("stands this machine in for a base image only when it matches it: Node's major, a Go at least as new, the Debian release", () => {
    const machine = { node: "20.19.2", go: "1.26.8", debian: "bookworm" };
    expect(baseImageProblem("node:20-bookworm-slim", machine)).toBeUndefined();
    expect(baseImageProblem("node:22-bookworm-slim", machine)).toBe("this machine runs Node 20.19.2, the image Node 22");
    expect(baseImageProblem("node:20-trixie-slim", machine)).toBe("this machine is not Debian trixie");
    expect(baseImageProblem("golang:1.25-bookworm", machine)).toBeUndefined();
    expect(baseImageProblem("golang:1.26.8-bookworm", machine)).toBeUndefined();
    expect(baseImageProblem("golang:1.26.9-bookworm", machine)).toBe("this machine runs Go 1.26.8, older than the image's Go 1.26.9");
    expect(baseImageProblem("golang:1.3-bookworm", machine)).toBeUndefined();
    expect(baseImageProblem("golang:1.25-bookworm", { ...machine, go: "1.9" })).toBe("this machine runs Go 1.9, older than the image's Go 1.25");
    expect(baseImageProblem("golang:1.25-bookworm", { ...machine, go: undefined })).toMatch(/^this machine has no Go/);
    expect(baseImageProblem("golang:1.25-alpine", machine)).toBe("this machine is not Debian alpine");
    expect(baseImageProblem("debian:bookworm", machine)).toMatch(/^only node:<major>-<debian> and golang:<version>-<debian>/);
  });
});

describe("the Dockerfile", () => {
  const instructions = parseDockerfile(fs.readFileSync(path.join(REPO, "Dockerfile"), "utf8"));
  const ignored = ignoreMatcher(fs.readFileSync(path.join(REPO, ".dockerignore"), "utf8").split("\n"));

  it("copies from the build context only files that exist and are not ignored", () => {
    for (const ins of instructions.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))) {
      for (const src of ins.args.split(/\s+/).slice(0, -1)) {
        if (src === ".") continue;
        expect(fs.existsSync(path.join(REPO, src)), `line ${ins.line}: ${src}`).toBe(true);
        expect(ignored(src), `line ${ins.line}: ${src} is in .dockerignore`).toBe(false);
      }
    }
  });

  it("is multi-stage and ends as a non-root user with the tenet CLI as entrypoint", () => {
    expect(instructions.filter((i) => i.op === "FROM").length).toBeGreaterThanOrEqual(2);
    const final = instructions.slice(instructions.map((i) => i.op).lastIndexOf("FROM"));
    expect(final.find((i) => i.op === "USER")?.args).toMatch(/^[1-9]\d*:\d+$/);
    expect(JSON.parse(final.find((i) => i.op === "ENTRYPOINT")!.args)).toEqual(["node", "tools/cli/tenet.mjs"]);
    // the node agent runs `ip`
    expect(final.some((i) => i.op === "RUN" && /apt-get install .*iproute2/.test(i.args))).toBe(true);
  });

  it("the final stage holds the tree runtimeTree.ts assembles from a standalone build: the console and what the CLI needs", () => {
    const copied = instructions.filter((i) => i.op === "COPY" && i.args.startsWith("--from=build")).map((i) => i.args);
    expect(copied).toEqual(["--from=build /app/runtime ./"]);
    const build = instructions
      .filter((i) => i.op === "RUN")
      .map((i) => i.args)
      .find((a) => a.includes("next build"));
    expect(build).toMatch(/TENET_NEXT_OUTPUT=standalone \S*next build.*deploy\/image\/runtimeTree\.ts runtime/);
    for (const needed of ["dist", "server", "tools/cli", "tools/db", "prisma", "tsconfig.json", "package.json"]) expect(APP_FILES, needed).toContain(needed);
    const final = instructions.slice(instructions.map((i) => i.op).lastIndexOf("FROM"));
    expect(final.find((i) => i.op === "ENV")?.args).toContain("TENET_LOG_FORMAT=json");
  });

  it("builds the danm executable in a Go stage, as `npm run build:cni` does, into the build stage's dist/ before the runtime tree is assembled", () => {
    const from = (i: { op: string; args: string }) => i.op === "FROM";
    const stageStart = instructions.findIndex((i) => from(i) && / AS danm$/.test(i.args));
    expect(instructions[stageStart].args).toMatch(/^golang:\d+\.\d+-bookworm AS danm$/);
    const stage = instructions.slice(stageStart + 1, stageStart + 1 + instructions.slice(stageStart + 1).findIndex(from));
    expect(stage.map((i) => `${i.op} ${i.args}`)).toEqual([
      "WORKDIR /src",
      "COPY tools/danm ./",
      expect.stringMatching(/^RUN CGO_ENABLED=0 .*go build -trimpath .*-o danm \.$/),
    ]);
    // the go.mod minimum is met by the stage's Go
    const goMod = /^go (\d+\.\d+)/m.exec(fs.readFileSync(path.join(REPO, "tools", "danm", "go.mod"), "utf8"))![1];
    expect(baseImageProblem(instructions[stageStart].args.split(" ")[0], { node: "0", go: goMod, debian: "bookworm" })).toMatch(/older than the image's Go/);
    const copy = instructions.findIndex((i) => i.op === "COPY" && i.args.startsWith("--from=danm"));
    expect(instructions[copy].args).toBe("--from=danm /src/danm dist/danm");
    expect(copy).toBeLessThan(instructions.findIndex((i) => i.op === "RUN" && i.args.includes("runtimeTree.ts")));
    expect(copy).toBeGreaterThan(instructions.findIndex((i) => i.op === "COPY" && i.args === ". ."));
  });
});
