// Container images for the local default's real nodes, made without any registry: an OCI image
// archive is a few JSON documents and one layer tar (OCI image-layout spec), written here and
// imported into each node's containerd with `ctr images import`.
//  - pause:   the Pods' sandbox process (tools/images/pause, a static Go binary)
//  - toolbox: Debian's busybox-static with its applets (sh, ip, ping, sleep, …) for demo workloads
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./controlplaneBinary";

export const PAUSE_IMAGE = "tenet.local/pause:1";
export const TOOLBOX_IMAGE = "tenet.local/toolbox:1";
const BUSYBOX = "/bin/busybox";

interface LayerFile {
  /** Path inside the image, without a leading slash. */
  path: string;
  source?: string;
  symlink?: string;
  mode?: number;
}

interface ImageSpec {
  name: string;
  files: LayerFile[];
  entrypoint?: string[];
  cmd?: string[];
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** A reproducible layer tar (sorted names, owner root, mtime 0) through the system's tar. */
function layerTar(files: LayerFile[], scratch: string): Buffer {
  const root = path.join(scratch, "rootfs");
  for (const f of files) {
    const target = path.join(root, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (f.symlink) fs.symlinkSync(f.symlink, target);
    else {
      fs.copyFileSync(f.source!, target);
      fs.chmodSync(target, f.mode ?? 0o755);
    }
  }
  for (const dir of ["tmp", "proc", "sys", "dev", "etc"]) fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.chmodSync(path.join(root, "tmp"), 0o1777);
  const out = path.join(scratch, "layer.tar");
  execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-cf", out, "-C", root, "."]);
  return fs.readFileSync(out);
}

/** Writes an OCI image archive for `spec` to `file` (named with the io.containerd.image.name annotation). */
export function writeImageArchive(spec: ImageSpec, file: string): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-image-"));
  try {
    const layout = path.join(scratch, "layout");
    const blobs = path.join(layout, "blobs", "sha256");
    fs.mkdirSync(blobs, { recursive: true });
    const blob = (data: Buffer, mediaType: string) => {
      const digest = sha256(data);
      fs.writeFileSync(path.join(blobs, digest), data);
      return { mediaType, digest: `sha256:${digest}`, size: data.length };
    };
    const layer = layerTar(spec.files, scratch);
    const layerDescriptor = blob(layer, "application/vnd.oci.image.layer.v1.tar");
    const config = {
      architecture: goArch(),
      os: "linux",
      config: { Env: ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"], Entrypoint: spec.entrypoint, Cmd: spec.cmd, WorkingDir: "/" },
      rootfs: { type: "layers", diff_ids: [layerDescriptor.digest] },
      history: [{ created_by: "tenet (tools/cli/nodeImages.ts)" }],
    };
    const configDescriptor = blob(Buffer.from(JSON.stringify(config)), "application/vnd.oci.image.config.v1+json");
    const manifest = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: configDescriptor, layers: [layerDescriptor] };
    const manifestDescriptor = blob(Buffer.from(JSON.stringify(manifest)), "application/vnd.oci.image.manifest.v1+json");
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          ...manifestDescriptor,
          platform: { architecture: goArch(), os: "linux" },
          annotations: { "io.containerd.image.name": spec.name, "org.opencontainers.image.ref.name": spec.name.split(":").pop() },
        },
      ],
    };
    fs.writeFileSync(path.join(layout, "index.json"), JSON.stringify(index));
    fs.writeFileSync(path.join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-cf", `${file}.partial`, "-C", layout, "."]);
    fs.renameSync(`${file}.partial`, file);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function goArch(): string {
  return ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch] ?? process.arch;
}

/** The pause binary, built from tools/images/pause once per source version (cached in binDir). */
export function pauseBinary(binDir: string): string {
  const dir = path.join(REPO_ROOT, "tools", "images", "pause");
  const hash = createHash("sha256");
  for (const f of ["go.mod", "main.go"]) hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  const target = path.join(binDir, `pause-${hash.digest("hex").slice(0, 16)}`);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(binDir, { recursive: true });
    execFileSync("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", `${target}.partial`, "."], {
      cwd: dir,
      env: { ...process.env, CGO_ENABLED: "0" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    fs.renameSync(`${target}.partial`, target);
  }
  return target;
}

/** Why the toolbox image cannot be made here, or undefined. */
export function toolboxUnavailable(): string | undefined {
  return fs.existsSync(BUSYBOX) ? undefined : `${BUSYBOX} is missing (Debian package busybox-static)`;
}

function busyboxApplets(): string[] {
  return execFileSync(BUSYBOX, ["--list"], { encoding: "utf8" })
    .split("\n")
    .map((a) => a.trim())
    .filter((a) => /^[\w.[-]+$/.test(a) && a !== "busybox");
}

/** The archives of the pause and toolbox images, written into `dir` (kept while their inputs are unchanged). */
export function nodeImageArchives(binDir: string, dir: string): { name: string; file: string }[] {
  const pause = pauseBinary(binDir);
  const busybox = fs.readFileSync(BUSYBOX);
  const toolboxKey = sha256(Buffer.concat([busybox, fs.readFileSync(import.meta.filename)])).slice(0, 12);
  const images: (ImageSpec & { key: string })[] = [
    { name: PAUSE_IMAGE, key: path.basename(pause), files: [{ path: "pause", source: pause }], entrypoint: ["/pause"] },
    {
      name: TOOLBOX_IMAGE,
      key: toolboxKey,
      files: [{ path: "bin/busybox", source: BUSYBOX }, ...busyboxApplets().map((a) => ({ path: `bin/${a}`, symlink: "busybox" }))],
      cmd: ["/bin/sh"],
    },
  ];
  return images.map((image) => {
    const file = path.join(dir, `${image.name.replace(/[/:]/g, "_")}-${image.key}.tar`);
    if (!fs.existsSync(file)) writeImageArchive(image, file);
    return { name: image.name, file };
  });
}

/** Imports an OCI or docker image archive into a node's containerd (the CRI namespace k8s.io). */
export function importImage(containerdSocket: string, file: string): string {
  return execFileSync("ctr", ["--address", containerdSocket, "--namespace", "k8s.io", "images", "import", file], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}
