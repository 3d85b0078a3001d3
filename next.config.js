/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["@kubernetes/client-node"],
  // the CLI, tests and benchmarks are not part of the console build
  typescript: { tsconfigPath: "tsconfig.json" },
};
export default nextConfig;
