# syntax=docker/dockerfile:1
# The Switchyard gateway: HTTP+JSON on :3000, Protobuf over NATS request/reply behind it.
# Build context: the repository root (docker compose -f deploy/compose.yaml build gateway, or
# docker build -f deploy/gateway.Dockerfile .). Runs the TypeScript sources with tsx, as
# `make up` does: there is no build step.

# Every package.json of the npm workspaces, and the lockfile, in their places. Collected with
# find rather than listed one by one, so a new workspace (packages/*) needs no change here; npm ci
# refuses to install when a workspace's package.json is missing. This stage reruns on any source
# change, but its output only changes with the manifests, so the npm ci layers below stay cached.
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package-lock.json /manifests/ \
 && find . -name package.json -not -path '*/node_modules/*' -not -path './.git/*' \
      -exec cp --parents {} /manifests/ \;

# tsx runs the TypeScript at run time but is a root devDependency, so `npm ci --omit=dev` leaves it
# out, and `npm install tsx` on top of that skips it again (it is still a dev edge). Installing
# every devDependency instead would add ~260 MB (buf, typescript, google-proto-files). So this
# stage does the full, lockfile-exact install, and the image takes from it only tsx and what tsx
# needs at run time: esbuild and its platform binary (@esbuild/<os>-<arch>). Same versions as the
# lockfile, nothing resolved anew. The smoke test below fails the build if that list goes stale.
FROM node:20-bookworm-slim AS tsx
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=manifests /manifests/ ./
# Production dependencies of the workspaces, exactly as locked; workspaces are symlinked into
# node_modules/@switchyard/, pointing at the sources copied below.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
COPY --from=tsx /app/node_modules/tsx node_modules/tsx
COPY --from=tsx /app/node_modules/esbuild node_modules/esbuild
COPY --from=tsx /app/node_modules/@esbuild node_modules/@esbuild
# tsx reads the tsconfig (verbatimModuleSyntax, target) when it transpiles: the same as in dev.
COPY tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
# Smoke test: tsx loads, and the gateway's module graph resolves with production dependencies only.
RUN node --import tsx --input-type=module -e "await import('@switchyard/gateway')"

# The node image's unprivileged user; the app files stay root-owned and read-only to it.
USER node
EXPOSE 3000
# The gateway closes the HTTP server, lets requests in flight finish, then drains NATS on SIGTERM.
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and gets the SIGTERM itself (no shell in between).
CMD ["node", "--import", "tsx", "packages/gateway/src/main.ts"]
