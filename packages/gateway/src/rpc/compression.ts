import { gunzipSync, gzipSync } from "node:zlib";
import { GatewayError } from "../errors.js";

/** Inflates a compressed body or message, never past maxBytes, so a small zip bomb stays small. */
export function decompress(encoding: string | undefined, bytes: Uint8Array, maxBytes: number): Uint8Array {
  const name = encoding?.trim().toLowerCase();
  if (name === undefined || name === "identity") return bytes;
  if (name !== "gzip") {
    throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", `"${encoding}" is not supported; send gzip or identity`, "content-encoding");
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new GatewayError("PAYLOAD_TOO_LARGE", `The message inflates to more than ${maxBytes} bytes`);
    }
    throw new GatewayError("BAD_REQUEST", "The gzip data is corrupt");
  }
}

/** Whether an Accept-Encoding style list (also Connect-Accept-Encoding, grpc-accept-encoding) allows gzip. */
export function acceptsGzip(acceptEncoding: string | string[] | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  let wildcard = false;
  for (const entry of [acceptEncoding].flat().join(",").split(",")) {
    const [name = "", ...params] = entry.split(";").map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith("q="));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    // An explicit gzip entry wins over "*", whichever comes first.
    if (name === "gzip") return allowed;
    if (name === "*") wildcard = allowed;
  }
  return wildcard;
}

export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes);
}
