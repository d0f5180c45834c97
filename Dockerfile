# syntax=docker/dockerfile:1
# The one image every Hexabase function runs from: each Knative Service (or Deployment) starts its own entry point,
# `node /app/dist/functions/<name>/index.mjs` (knative/functions.yaml, the chart). The bundles are self-contained
# (esbuild inlines every dependency; each function's directory carries the migrations it checks for /readyz), so
# the runtime stage holds Node and dist/ only: no node_modules, no sources, no npm, no build tools.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /src/dist/functions /app/dist/functions
# The migrator a migrations Job runs (`node /app/dist/migrate/index.mjs`) before the functions roll out.
COPY --from=build --chown=root:root /src/dist/migrate /app/dist/migrate
# The image's `node` user (uid 1000): never root. The files above belong to root and are read-only to it, so the
# pod can also run with readOnlyRootFilesystem; the only writable path a function may need is HEXABASE_DATA_DIR
# (mail without SMTP), which a deployment mounts as an emptyDir.
USER 1000:1000
EXPOSE 8080 9464
# A default for `docker run`; deployments name their function's entry point.
CMD ["node", "/app/dist/functions/docs/index.mjs"]
