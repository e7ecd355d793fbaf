export { buildGateway, buildAdmin, type GatewayOptions, type AppConfig } from "./http/app.js";
export { ServiceDirectory, type Instance } from "./discovery/service-directory.js";
export { loadConfig, type GatewayConfig } from "./config.js";
export { GatewayError, allErrorCodes, errorStatusOf, type GatewayErrorCode, type Problem } from "./errors.js";
export { RouteTable, type RouteMatch } from "./routes/route-table.js";
export { RouteRegistry, type ContractConflict } from "./routes/route-registry.js";
export { routesOf, RouteError, type Route } from "./routes/route.js";
export { parseTemplate, matchTemplate, TemplateError, type PathTemplate } from "./routes/path-template.js";
export * from "./openapi/index.js";
