// `npm run test:image`: the image test alone (deploy/image/image.imagetest.ts), with the test control plane.
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..", "..");

export default defineConfig({
  root,
  resolve: { alias: { "@": root } },
  test: {
    include: ["deploy/image/*.imagetest.ts"],
    globalSetup: ["./tools/testing/globalSetup.ts"],
    testTimeout: 180_000,
    hookTimeout: 3_600_000,
  },
});
