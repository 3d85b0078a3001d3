// `tenet console`: the console's production server, what the chart and the image run. It starts a
// production build the way Next.js's standalone server.js does (startServer with the configuration
// the build recorded in required-server-files.json, so next.config.js is not loaded again), which
// works alike for a full install (`next build` in the repository) and for the image's standalone
// tree. With TENET_LOG_FORMAT=json it first makes every line the process writes a JSON object
// (server/api/consoleLog.ts), Next's startup lines and request errors included.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { installJsonLogs, logFormat } from "../../server/api/consoleLog";

const APP_DIR = path.resolve(import.meta.dirname, "..", "..");

interface StartServerOptions {
  dir: string;
  isDev: false;
  config: Record<string, unknown>;
  hostname: string;
  port: number;
  allowRetry: false;
  keepAliveTimeout?: number;
}

export async function runConsole(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", short: "p", default: process.env.PORT ?? "3000" },
      // not $HOSTNAME: in a Pod that is the Pod's name
      hostname: { type: "string", short: "H", default: "0.0.0.0" },
      "keep-alive-timeout": { type: "string" },
    },
  });
  const format = logFormat(process.env.TENET_LOG_FORMAT);
  if (format === "json") installJsonLogs("console");

  const distDir = process.env.TENET_NEXT_DIST_DIR || ".next";
  const serverFiles = path.join(APP_DIR, distDir, "required-server-files.json");
  if (!fs.existsSync(serverFiles))
    throw new Error(
      `no production build of the console in ${path.join(APP_DIR, distDir)} (${path.basename(serverFiles)} is missing): run \`next build\` first`,
    );
  const { config } = JSON.parse(fs.readFileSync(serverFiles, "utf8")) as { config: Record<string, unknown> };
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: not a port number`);
  const keepAliveTimeout = values["keep-alive-timeout"] ? Number(values["keep-alive-timeout"]) : undefined;

  // as the standalone server.js of Next.js 16 does (next/dist/build/utils.js writeStandaloneDirectory)
  (process.env as Record<string, string>).NODE_ENV = "production";
  process.env.NEXT_PRIVATE_START_TIME ??= String(Date.now());
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
  process.chdir(APP_DIR);
  const require = createRequire(path.join(APP_DIR, "package.json"));
  require("next");
  const { startServer } = require("next/dist/server/lib/start-server") as { startServer: (o: StartServerOptions) => Promise<void> };
  try {
    await startServer({ dir: APP_DIR, isDev: false, config, hostname: values.hostname!, port, allowRetry: false, keepAliveTimeout });
  } catch (e) {
    console.error("the console did not start", e);
    return 1;
  }
  // serves until SIGTERM (Next's start-server closes the server and exits)
  return await new Promise<number>(() => {});
}
