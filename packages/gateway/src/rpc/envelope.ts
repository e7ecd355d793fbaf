import { GatewayError } from "../errors.js";

/**
 * Length-prefixed messages, as Connect streaming and gRPC-Web frame them: one flags byte, then the
 * data length as a 4-byte big-endian integer, then the data.
 */
export interface Envelope {
  flags: number;
  data: Uint8Array;
}

export const EnvelopeFlag = {
  compressed: 0x01,
  /** Connect: the last envelope of a stream, a JSON end-of-stream message. */
  connectEndStream: 0x02,
  /** gRPC-Web: the last envelope of a response, the trailers as HTTP/1 header lines. */
  grpcWebTrailers: 0x80,
} as const;

export const PREFIX_BYTES = 5;

export function encodeEnvelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(PREFIX_BYTES + data.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, flags);
  view.setUint32(1, data.length);
  out.set(data, PREFIX_BYTES);
  return out;
}

/** Splits a whole body into its envelopes; each `data` is a view into `bytes`, not a copy. */
export function decodeEnvelopes(bytes: Uint8Array, maxMessageBytes: number): Envelope[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const envelopes: Envelope[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < PREFIX_BYTES) {
      throw new GatewayError("BAD_REQUEST", `The body ends inside an envelope prefix at byte ${offset}`);
    }
    const flags = view.getUint8(offset);
    const length = view.getUint32(offset + 1);
    // Checked before the bounds so a huge declared length reads as "too large", not "truncated".
    if (length > maxMessageBytes) {
      throw new GatewayError("BAD_REQUEST", `An enveloped message of ${length} bytes is over the limit of ${maxMessageBytes}`);
    }
    const start = offset + PREFIX_BYTES;
    if (start + length > bytes.length) {
      throw new GatewayError("BAD_REQUEST", `An envelope declares ${length} bytes but only ${bytes.length - start} follow`);
    }
    envelopes.push({ flags, data: bytes.subarray(start, start + length) });
    offset = start + length;
  }
  return envelopes;
}
