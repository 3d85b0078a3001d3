/** @type {import('next').NextConfig} */
const nextConfig = {
  // The e2e run builds into its own directory, so it never disturbs a running `next dev`.
  distDir: process.env.TENET_NEXT_DIST_DIR || ".next",
  serverExternalPackages: [
    "@kubernetes/client-node",
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "@node-rs/argon2",
    "undici",
  ],
  // `npm run typecheck` (part of `npm test`) checks the whole project, tests and CLI included;
  // `npm start` should not fail on a type error in a test file.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // The image's build (Dockerfile) sets TENET_NEXT_OUTPUT=standalone: the server build plus only the
  // node_modules files it uses, which deploy/image/runtimeTree.ts puts in the image (`tenet console`
  // starts it). Other builds (e2e, benchmarks) skip that copy.
  output: process.env.TENET_NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  // what the file tracing would otherwise drag in: sharp (no next/image here) and the local cluster's
  // files (.tenet/, reached through the default database path)
  outputFileTracingExcludes: { "*": ["**/node_modules/sharp/**/*", "**/node_modules/@img/**/*", ".tenet/**/*"] },
};
export default nextConfig;
