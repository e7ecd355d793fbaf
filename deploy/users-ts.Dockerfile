# syntax=docker/dockerfile:1
# users.v1.UserService in TypeScript (services/users-ts). Build context: the repository root
# (docker compose -f deploy/compose.yaml build users-ts, or docker build -f deploy/users-ts.Dockerfile .).
# Runs the TypeScript sources with tsx, as `make up` does: there is no build step.
# The install stages are the same as in gateway.Dockerfile; the comments there explain them.

# Every workspace package.json and the lockfile, in their places (npm ci needs them all).
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package-lock.json /manifests/ \
 && find . -name package.json -not -path '*/node_modules/*' -not -path './.git/*' \
      -exec cp --parents {} /manifests/ \;

# tsx is a root devDependency: a full, lockfile-exact install to take tsx (and esbuild, which it
# needs at run time) from, without shipping the other dev tools (buf, typescript, ...).
FROM node:20-bookworm-slim AS tsx
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
COPY --from=tsx /app/node_modules/tsx node_modules/tsx
COPY --from=tsx /app/node_modules/esbuild node_modules/esbuild
COPY --from=tsx /app/node_modules/@esbuild node_modules/@esbuild
COPY tsconfig.base.json tsconfig.json ./
# The service SDK, contracts and protocol packages it imports, then the service itself.
COPY packages/ packages/
COPY services/users-ts/ services/users-ts/
# Smoke test: tsx loads, and the service's module graph resolves with production dependencies only.
RUN node --import tsx --input-type=module -e "await import('@switchyard/users-ts')"

USER node
# On SIGTERM the service stops taking requests, finishes those in flight, drains NATS, exits 0.
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and gets the SIGTERM itself (no shell in between).
CMD ["node", "--import", "tsx", "services/users-ts/src/main.ts"]
