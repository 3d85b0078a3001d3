#!/usr/bin/env node
// The tenet command line: runs the TypeScript entry point through tsx (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`tenet: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.TENET_DEBUG) console.error(e);
  process.exitCode = 1;
}
