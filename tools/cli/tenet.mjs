#!/usr/bin/env node
// The tenet command line: runs the TypeScript entry point through tsx (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
