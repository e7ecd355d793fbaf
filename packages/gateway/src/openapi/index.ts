export { buildOpenApi } from "./build-openapi.js";
export { docsPlugin, findSwaggerUi, isDocsPath, DOCS_PATH, OPENAPI_PATH, type DocsPluginOptions } from "./docs-plugin.js";
export { SWAGGER_UI_ASSETS } from "./docs-page.js";
export { openApiSource, type OpenApiSource } from "./openapi-source.js";
export { openApiPath } from "./openapi-path.js";
export type { InfoObject, OpenApiDocument, OperationObject, ParameterObject, SchemaObject } from "./openapi-types.js";
