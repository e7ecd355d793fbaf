import { setTimeout as sleep } from "node:timers/promises";
import { createInbox, type NatsConnection } from "@nats-io/transport-node";
import { REFERENCE_HEADER } from "./reference-instance.js";

/** How the requests of one probe were handled, counted on the replies. */
export interface ProbeOutcome {
  readonly sent: number;
  /** Requests answered once, by the instance under test. */
  readonly byInstance: number;
  /** Requests answered once, by the reference instance. */
  readonly byReference: number;
  /** Requests answered more than once: handled by two members where NATS should pick one. */
  readonly twice: number;
  readonly unanswered: number;
}

const ANSWER_TIMEOUT_MS = 5_000;
/** How long replies keep being counted once every request has one: a second reply comes about as fast as the first. */
const SETTLE_MS = 100;

/**
 * Publishes `count` requests with `payload` on `subject`, each with a reply subject of its own, and
 * counts who answered each, and how often.
 */
export async function probeSubject(nc: NatsConnection, subject: string, payload: Uint8Array, count: number): Promise<ProbeOutcome> {
  const inbox = createInbox();
  const replies = Array.from({ length: count }, () => ({ instance: 0, reference: 0 }));
  let answered = 0;
  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (_err, msg) => {
      const request = replies[Number(msg.subject.slice(inbox.length + 1))];
      if (request === undefined) return;
      if (request.instance + request.reference === 0) answered++;
      if (msg.headers?.has(REFERENCE_HEADER) === true) request.reference++;
      else request.instance++;
    },
  });
  try {
    for (let i = 0; i < count; i++) nc.publish(subject, payload, { reply: `${inbox}.${i}` });
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    while (answered < count && Date.now() < deadline) await sleep(10);
    await sleep(SETTLE_MS);
    await nc.flush();
  } finally {
    sub.unsubscribe();
  }
  const once = replies.filter((r) => r.instance + r.reference === 1);
  return {
    sent: count,
    byInstance: once.filter((r) => r.instance === 1).length,
    byReference: once.filter((r) => r.reference === 1).length,
    twice: replies.filter((r) => r.instance + r.reference > 1).length,
    unanswered: replies.filter((r) => r.instance + r.reference === 0).length,
  };
}
