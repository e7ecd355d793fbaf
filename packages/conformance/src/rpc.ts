import { create, toBinary, type DescMessage, type DescMethod, type MessageInitShape } from "@bufbuild/protobuf";
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { Headers, methodSubject } from "@switchyard/protocol";
import { describeExit, describeOutput, type Target } from "@switchyard/testing";

/** A unary RPC of a generated service descriptor, with its typed request and reply messages. */
export type UnaryMethod<I extends DescMessage, O extends DescMessage> = DescMethod & { input: I; output: O };

/** A reply as it came over the wire: the body and the error headers of services/README.md. */
export interface RpcReply {
  readonly data: Uint8Array;
  /** Nats-Service-Error-Code. */
  readonly status: string | undefined;
  /** Nats-Service-Error. */
  readonly description: string | undefined;
  /** Switchyard-Error-Reason. */
  readonly reason: string | undefined;
  /** Switchyard-Error-Field. */
  readonly field: string | undefined;
  /** Switchyard-Deployment: the deployment of the instance that answered. */
  readonly deployment: string | undefined;
}

const REQUEST_TIMEOUT_MS = 5_000;

/** Sends requests to the instance under test over NATS; a failure names the instance's fate and output. */
export class RpcClient {
  constructor(
    readonly nc: NatsConnection,
    private readonly target: Target,
  ) {}

  /**
   * Sends the request message, encoded with the RPC's generated schema, on the RPC's subject, with
   * these request headers (Switchyard-Timeout-Ms, say).
   */
  call<I extends DescMessage, O extends DescMessage>(
    method: UnaryMethod<I, O>,
    request: MessageInitShape<I>,
    headers: Record<string, string> = {},
  ): Promise<RpcReply> {
    return this.callRaw(method, toBinary(method.input, create(method.input, request)), methodSubject(method), headers);
  }

  /** Sends arbitrary bytes on the RPC's subject, or on `subject` (a deployment's own). */
  async callRaw(method: DescMethod, data: Uint8Array, subject = methodSubject(method), headers: Record<string, string> = {}): Promise<RpcReply> {
    const h = natsHeaders();
    for (const [name, value] of Object.entries(headers)) h.set(name, value);
    try {
      const msg = await this.nc.request(subject, data, { timeout: REQUEST_TIMEOUT_MS, ...(Object.keys(headers).length > 0 ? { headers: h } : {}) });
      return {
        data: msg.data,
        status: header(msg.headers, Headers.serviceErrorCode),
        description: header(msg.headers, Headers.serviceError),
        reason: header(msg.headers, Headers.errorReason),
        field: header(msg.headers, Headers.errorField),
        deployment: header(msg.headers, Headers.deployment),
      };
    } catch (err) {
      throw this.explain(`request on ${subject} failed`, err);
    }
  }

  /** Wraps a NATS failure with what became of the instance, which is usually the real story. */
  explain(what: string, err: unknown): Error {
    const reason = err instanceof Error ? err.message : String(err);
    const exit = this.target.exit;
    const fate = exit === undefined ? "the instance is still running" : `the instance ${describeExit(exit)}`;
    return new Error(`${what}: ${reason} (${fate})\n${describeOutput(this.target.output())}`, { cause: err });
  }
}

function header(headers: MsgHdrs | undefined, name: string): string | undefined {
  if (headers === undefined || !headers.has(name)) return undefined;
  return headers.get(name);
}
