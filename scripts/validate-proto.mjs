#!/usr/bin/env node
// Writes buf/validate/validate.proto (protovalidate's rules) as .proto source into .tools/protos, for
// buf to compile our contracts against. No registry we can reach serves that file's source, but the
// npm package @bufbuild/protovalidate embeds its descriptor (FileDescriptorProto) in its generated
// code: this prints that descriptor back as .proto source (comments are lost; the descriptor is the
// same). `--check` also compiles the printed file with buf and fails unless the rebuilt descriptor
// equals the embedded one.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRegistry, equals, fromBinary, toBinary, toJsonString } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { printFile } from "./validate-proto/proto-source.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, ".tools/protos");
const outFile = join(outDir, "buf/validate/validate.proto");
const genModule = join(root, "node_modules/@bufbuild/protovalidate/dist/esm/gen/buf/validate/validate_pb.js");

const { file_buf_validate_validate: validateFile } = await import(pathToFileURL(genModule).href);
// The file and its imports: the registry resolves the option extensions (buf.validate.predefined).
const registry = createRegistry(validateFile);

const source = printFile(validateFile.proto, registry);
mkdirSync(dirname(outFile), { recursive: true });
let previous;
try {
  previous = readFileSync(outFile, "utf8");
} catch {}
if (previous !== source) writeFileSync(outFile, source);

if (process.argv.includes("--check")) {
  const buf = join(root, "node_modules/.bin/buf");
  mkdirSync(join(root, ".run"), { recursive: true });
  const image = execFileSync(buf, ["build", outDir, "--exclude-imports", "-o", "-#format=binpb"], { cwd: root });
  const set = fromBinary(FileDescriptorSetSchema, new Uint8Array(image));
  const rebuilt = set.file.find((f) => f.name === "buf/validate/validate.proto");
  const normalize = (f) => {
    const c = fromBinary(FileDescriptorProtoSchema, toBin(f));
    c.sourceCodeInfo = undefined;
    // buf images carry their own metadata in field 8042 of FileDescriptorProto (ImageFileExtension).
    c.$unknown = c.$unknown?.filter((u) => u.no !== 8042);
    if (c.$unknown?.length === 0) c.$unknown = undefined;
    return c;
  };
  const a = normalize(validateFile.proto);
  const b = normalize(rebuilt);
  if (!equals(FileDescriptorProtoSchema, a, b, { registry, extensions: true, unknown: true })) {
    writeFileSync(join(root, ".run/validate-proto.embedded.json"), toJsonString(FileDescriptorProtoSchema, a, { registry, prettySpaces: 1 }));
    writeFileSync(join(root, ".run/validate-proto.rebuilt.json"), toJsonString(FileDescriptorProtoSchema, b, { registry, prettySpaces: 1 }));
    console.error("validate-proto: the rebuilt descriptor differs from the embedded one (.run/validate-proto.*.json)");
    process.exit(1);
  }
  console.log("validate-proto: round trip exact");
}

function toBin(f) {
  return toBinary(FileDescriptorProtoSchema, f);
}
