/**
 * The part of OpenAPI 3.1 the gateway writes. Schemas are JSON Schema 2020-12, OpenAPI 3.1's
 * default dialect, so `$ref` may carry a sibling `description`.
 */

type Extensions = { [extension: `x-${string}`]: unknown };

export type SchemaObject = Extensions & {
  $ref?: string;
  type?: JsonType | JsonType[];
  format?: string;
  pattern?: string;
  contentEncoding?: string;
  enum?: (string | number | boolean | null)[];
  const?: string | number | boolean | null;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: SchemaObject | boolean;
  propertyNames?: SchemaObject;
  anyOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  title?: string;
  description?: string;
  deprecated?: boolean;
  examples?: unknown[];
};

export type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";

export interface Reference {
  $ref: string;
}

export type ParameterObject = Extensions & {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  description?: string;
  deprecated?: boolean;
  schema: SchemaObject;
  style?: "simple" | "form";
  explode?: boolean;
};

export interface HeaderObject {
  description?: string;
  schema: SchemaObject;
}

export interface MediaTypeObject {
  schema: SchemaObject;
}

export interface RequestBodyObject {
  description?: string;
  required?: boolean;
  content: Record<string, MediaTypeObject>;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | Reference>;
  content?: Record<string, MediaTypeObject>;
}

export type OperationObject = Extensions & {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  parameters?: (ParameterObject | Reference)[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject | Reference>;
};

/** The methods a 3.1 path item can hold; a google.api.http custom verb outside these is left out. */
export const OPENAPI_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type OpenApiMethod = (typeof OPENAPI_METHODS)[number];

export type PathItemObject = Partial<Record<OpenApiMethod, OperationObject>>;

export interface TagObject {
  name: string;
  description?: string;
}

export interface InfoObject {
  title: string;
  version: string;
  description?: string;
}

export type OpenApiDocument = Extensions & {
  openapi: "3.1.0";
  info: InfoObject;
  tags: TagObject[];
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, SchemaObject>;
    responses: Record<string, ResponseObject>;
    parameters: Record<string, ParameterObject>;
    headers: Record<string, HeaderObject>;
  };
};
