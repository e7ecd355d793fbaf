/**
 * `POST /echo` (body `*`): a batch of items sent back as it came, built in memory for the body-size
 * curve. Many small fields rather than one long string: transcoding's cost grows with the fields.
 */
import { create, createFileRegistry, setExtension, type DescMessage, type DescService } from "@bufbuild/protobuf";
import {
  DescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  MethodDescriptorProtoSchema,
  MethodOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import { file_google_api_annotations, http, HttpRuleSchema } from "@switchyard/contracts";

export const ECHO_SERVICE = "bench.v1.Echo";

const { STRING, INT32, MESSAGE } = FieldDescriptorProto_Type;
const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;

export function echoService(): DescService {
  const options = create(MethodOptionsSchema);
  setExtension(options, http, create(HttpRuleSchema, { pattern: { case: "post", value: "/echo" }, body: "*" }));
  const file = create(FileDescriptorProtoSchema, {
    name: "bench/v1/echo.proto",
    package: "bench.v1",
    syntax: "proto3",
    dependency: ["google/api/annotations.proto"],
    messageType: [
      create(DescriptorProtoSchema, {
        name: "Item",
        field: [
          { name: "sku", number: 1, type: STRING, label: OPTIONAL, jsonName: "sku" },
          { name: "name", number: 2, type: STRING, label: OPTIONAL, jsonName: "name" },
          { name: "quantity", number: 3, type: INT32, label: OPTIONAL, jsonName: "quantity" },
        ],
      }),
      create(DescriptorProtoSchema, {
        name: "Batch",
        field: [{ name: "items", number: 1, type: MESSAGE, typeName: ".bench.v1.Item", label: REPEATED, jsonName: "items" }],
      }),
    ],
    service: [{ name: "Echo", method: [create(MethodDescriptorProtoSchema, { name: "Echo", inputType: ".bench.v1.Batch", outputType: ".bench.v1.Batch", options })] }],
  });
  const registry = createFileRegistry(file, (name) => (name === "google/api/annotations.proto" ? file_google_api_annotations : undefined));
  const service = registry.getService(ECHO_SERVICE);
  if (service === undefined) throw new Error(`${ECHO_SERVICE} did not build`);
  return service;
}

/** The message both ways. */
export function batchSchema(): DescMessage {
  return echoService().methods[0]!.input;
}
