# syntax=docker/dockerfile:1
# A Node process of Switchyard (the gateway, users-ts), as `make up` runs it: the bundle that
# `npm run build` makes (esbuild: the process and all its dependencies in one file), on plain node.
# Build context: the repository root; SERVICE picks the bundle (gateway, users-ts, inventory-ts, or
# nats-credentials: the one-shot that writes the NATS users, compose.yaml).
#   docker build -f deploy/node-service.Dockerfile --build-arg SERVICE=gateway .

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npm run build

FROM node:20-bookworm-slim
ARG SERVICE
WORKDIR /app
# Only the bundle (and /docs' static files): no node_modules, no sources.
COPY --from=build /src/dist/${SERVICE}.mjs /src/dist/${SERVICE}.mjs.map ./
# The static files of the gateway's /docs (Swagger UI) and /_/dashboard (unused by other services).
COPY --from=build /src/dist/swagger-ui ./swagger-ui
COPY --from=build /src/dist/dashboard ./dashboard
COPY --from=build /src/dist/uplot ./uplot
RUN ln -s ${SERVICE}.mjs main.mjs
USER node
EXPOSE 3000
# The gateway closes HTTP, finishes requests in flight, then drains NATS; a service stops taking
# requests, answers those in flight, then drains. Exec form: node gets the signal itself.
STOPSIGNAL SIGTERM
# The gateway's heap settings (README, Performance), harmless for a service.
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=96 --enable-source-maps"
CMD ["node", "main.mjs"]
