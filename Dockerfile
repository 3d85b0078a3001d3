# One image for every entry point of tenet: `tenet webhook`, `tenet controllers`, `tenet agent`,
# `tenet install-cni`, `tenet db migrate`, `tenet validate`, and the console (`next start`, see
# deploy/chart/templates/console.yaml). Multi-stage: the build stage has the dev dependencies and
# compilers; the final one only what runs, as a non-root user (the node agent and the CNI installer
# are run as root by their DaemonSets, which is the only way Kubernetes gives them their capabilities).
# Build: docker build -t tenet:0.1.0 .     Run: docker run tenet:0.1.0 webhook --cert-file ... --key-file ...
# `npm run test:image` performs these steps without a container engine and starts each entry point.
# Keep paths in RUN relative to WORKDIR: that test runs them in a temporary directory.
FROM node:20-bookworm-slim AS build
# python3, make and g++: better-sqlite3 compiles its native module when no prebuilt binary can be fetched
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# what `npm ci` needs: the lock file, and for the postinstall step (Prisma clients) the schemas
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY tools/db ./tools/db
RUN npm ci --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN ./node_modules/.bin/next build && npm run build:cni && npm prune --omit=dev --no-audit --no-fund && rm -rf .next/cache

FROM node:20-bookworm-slim
# iproute2: the node agent creates VLAN/VxLAN host interfaces with `ip`
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /app/package.json /app/package-lock.json /app/next.config.js /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/dist ./dist
COPY --from=build /app/server ./server
COPY --from=build /app/tools/cli ./tools/cli
COPY --from=build /app/tools/db ./tools/db
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/deploy ./deploy
USER 65532:65532
ENTRYPOINT ["node", "tools/cli/tenet.mjs"]
CMD ["help"]
