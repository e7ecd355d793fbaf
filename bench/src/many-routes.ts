/**
 * A contract with `count` RPCs, each with its own GET route (`GET /r<i>/{id}`), built in memory: for
 * the measurements whose cost may grow with the number of routes a gateway serves.
 */
import { create, createFileRegistry, setExtension, type DescService } from "@bufbuild/protobuf";
import {
  DescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  MethodDescriptorProtoSchema,
  MethodOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import { file_google_api_annotations, http, HttpRuleSchema } from "@switchyard/contracts";

export const MANY_ROUTES_SERVICE = "bench.v1.ManyRoutes";

export function manyRoutesService(count: number): DescService {
  const message = (name: string) =>
    create(DescriptorProtoSchema, {
      name,
      field: [{ name: "id", number: 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: "id" }],
    });
  const methods = Array.from({ length: count }, (_, i) => {
    const options = create(MethodOptionsSchema);
    setExtension(options, http, create(HttpRuleSchema, { pattern: { case: "get", value: `/r${i}/{id}` } }));
    return create(MethodDescriptorProtoSchema, { name: `Rpc${i}`, inputType: ".bench.v1.Req", outputType: ".bench.v1.Res", options });
  });
  const file = create(FileDescriptorProtoSchema, {
    name: "bench/v1/many_routes.proto",
    package: "bench.v1",
    syntax: "proto3",
    dependency: ["google/api/annotations.proto"],
    messageType: [message("Req"), message("Res")],
    service: [{ name: "ManyRoutes", method: methods }],
  });
  const registry = createFileRegistry(file, (name) => (name === "google/api/annotations.proto" ? file_google_api_annotations : undefined));
  const service = registry.getService(MANY_ROUTES_SERVICE);
  if (service === undefined) throw new Error(`${MANY_ROUTES_SERVICE} did not build`);
  return service;
}
