# One image for every entry point of tenet: `tenet webhook`, `tenet controllers`, `tenet install-cni`,
# `tenet validate` and the console (`tenet start`).
# Build: docker build -t tenet:0.1.0 .     Run: docker run tenet:0.1.0 webhook --cert-file ... --key-file ...
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN ./node_modules/.bin/next build && npm run build:cni && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/dist ./dist
COPY --from=build /app/server ./server
COPY --from=build /app/tools/cli ./tools/cli
COPY --from=build /app/deploy ./deploy
COPY --from=build /app/app ./app
COPY --from=build /app/next.config.js /app/tsconfig.json ./
USER 65532:65532
ENTRYPOINT ["node", "tools/cli/tenet.mjs"]
CMD ["help"]
