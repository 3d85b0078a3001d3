# One image for every entry point of tenet: `tenet webhook`, `tenet controllers`, `tenet agent`,
# `tenet install-cni`, `tenet cni-daemon`, `tenet db migrate`, `tenet validate`, and the console
# (`tenet console`, see deploy/chart/templates/console.yaml). Multi-stage: the build stages have the
# dev dependencies and compilers; the final one only what runs, as a non-root user (the node agent
# and the tenet-cni DaemonSet run it as root, which is the only way Kubernetes gives them their
# capabilities; the danm daemon is privileged).
# Build: docker build -t tenet:0.1.0 .     Run: docker run tenet:0.1.0 webhook --cert-file ... --key-file ...
# `npm run test:image` performs these steps without a container engine and starts each entry point.
# Keep paths in RUN relative to WORKDIR: that test runs them in a temporary directory.

# The danm CNI executable (tools/danm, what `npm run build:cni` builds): a static Go program of the
# standard library only, so no module download; the Node.js stages have no Go. The image ships it as
# dist/danm: `tenet install-cni` copies it to the nodes, and the tenet-cni DaemonSet probes the danm
# daemon with it (`danm --probe`).
FROM golang:1.25-bookworm AS danm
WORKDIR /src
COPY tools/danm ./
RUN CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath -ldflags="-s -w" -o danm .

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
COPY --from=danm /src/danm dist/danm
ENV NEXT_TELEMETRY_DISABLED=1
# runtime/: the console's standalone build (only the node_modules files Next traced for it) and, for the
# CLI entry points, our sources with the packages they import and dist/ (deploy/image/runtimeTree.ts)
RUN TENET_NEXT_OUTPUT=standalone ./node_modules/.bin/next build && ./node_modules/.bin/tsx deploy/image/runtimeTree.ts runtime

FROM node:20-bookworm-slim
# iproute2: the node agent creates VLAN/VxLAN host interfaces with `ip`
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# TENET_LOG_FORMAT: `tenet console` logs JSON lines like every other entry point
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 TENET_LOG_FORMAT=json
COPY --from=build /app/runtime ./
USER 65532:65532
ENTRYPOINT ["node", "tools/cli/tenet.mjs"]
CMD ["help"]
