import type { OpenApiDocument } from "./openapi-types.js";

/** The document built once, on first use, and again after `rebuild()` (for when routes change). */
export interface OpenApiSource {
  document(): OpenApiDocument;
  rebuild(): void;
}

export function openApiSource(build: () => OpenApiDocument): OpenApiSource {
  let cached: OpenApiDocument | undefined;
  return {
    document: () => (cached ??= build()),
    rebuild: () => {
      cached = undefined;
    },
  };
}
