/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["@kubernetes/client-node", "better-sqlite3", "@prisma/adapter-better-sqlite3", "@node-rs/argon2", "undici"],
  // `npm run typecheck` (part of `npm test`) checks the whole project, tests and CLI included;
  // `npm start` should not fail on a type error in a test file.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};
export default nextConfig;
