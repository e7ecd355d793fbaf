/** Protobuf binary media types: the request or reply bytes go through the gateway undecoded. */
export const PROTOBUF_TYPES = ["application/x-protobuf", "application/proto", "application/protobuf"] as const;

export function isProtobuf(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(";");
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return (PROTOBUF_TYPES as readonly string[]).includes(type);
}

/**
 * The reply's media type from Accept: Protobuf when the client lists a Protobuf type before any
 * JSON one (q-values aside: clients that want binary ask for it first), JSON otherwise.
 */
export function wantsProtobuf(accept: string | undefined): string | undefined {
  if (accept === undefined || !accept.includes("proto")) return undefined;
  for (const part of accept.split(",")) {
    const semi = part.indexOf(";");
    const type = (semi === -1 ? part : part.slice(0, semi)).trim().toLowerCase();
    if ((PROTOBUF_TYPES as readonly string[]).includes(type)) return type;
    if (type === "application/json" || type === "*/*" || type === "application/*") return undefined;
  }
  return undefined;
}
