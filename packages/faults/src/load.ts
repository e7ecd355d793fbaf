/**
 * Bounded load through the gateway (or several: the workers are dealt out among them, and a read
 * may go through another gateway than the create): a fixed number of keep-alive workers, each sending one request
 * at a time (POST /users with a unique email, GET /users/{id} of a user created earlier, GET /users,
 * GET /, in the proportions of the mix) until stopped, the request cap or the duration cap. Every
 * request is kept: when it started and ended, and its status or the kind of error.
 */
import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { now } from "@switchyard/testing/clock";

export type Op = "create" | "get" | "list" | "ping";

/** How many requests of each kind in every ten (or whatever the weights add up to). */
export type Mix = Partial<Record<Op, number>>;

/** 4 creates, 4 reads and 2 pings in ten. */
export const DEFAULT_MIX: Mix = { create: 4, get: 4, ping: 2 };

export interface RequestRecord {
  readonly seq: number;
  /** Sent as x-request-id, which the gateway logs and echoes. */
  readonly requestId: string;
  readonly op: Op;
  readonly method: string;
  readonly path: string;
  /** The gateway it went through: one of the load's base URLs. */
  readonly via: string;
  /** Epoch ms (fractional). */
  readonly start: number;
  end: number;
  /** The HTTP status, when a response came. */
  status?: number;
  /** The problem+json `code` of an error response, or a note on an unexpected 200 body. */
  code?: string;
  /** Connection-level failure: ECONNREFUSED, ECONNRESET, …, or HANG when no answer came in time. */
  error?: string;
  /** The response is the one this request normally gets (200 with the right body). */
  ok: boolean;
  /** For Ping: the instance that answered. */
  servedBy?: string;
}

export interface LoadOptions {
  /** http://host:port of the gateway, or of each gateway: worker i sends through the (i mod n)th; seeds through the first. */
  baseUrl: string | readonly string[];
  /** Concurrent workers (keep-alive connections). */
  workers: number;
  /** Client-side limit per request; reaching it is recorded as HANG. Keep it well above the gateway's timeout. */
  clientTimeoutMs: number;
  /** Stops on its own after this many requests... */
  maxRequests?: number;
  /** ...or after this long. */
  maxDurationMs?: number;
  /** Unique per run, in request ids and emails. */
  runId: string;
  /** The kinds of request (default DEFAULT_MIX). A read with no user created yet is a create. */
  mix?: Mix;
}

export const HANG = "HANG";

export { now };

export class Load {
  readonly records: RequestRecord[] = [];
  startedAt = 0;
  stoppedAt = 0;
  private readonly created: string[] = [];
  private readonly agent: Agent;
  private stopping = false;
  private seq = 0;
  private workers: Promise<void>[] = [];
  private capTimer: NodeJS.Timeout | undefined;
  private readonly slots: Op[];
  private readonly baseUrls: readonly string[];

  constructor(readonly options: LoadOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, options.workers) });
    const mix = options.mix ?? DEFAULT_MIX;
    this.slots = (["create", "get", "list", "ping"] as const).flatMap((op) => Array<Op>(mix[op] ?? 0).fill(op));
    if (this.slots.length === 0) throw new Error("the load's mix has no request in it");
    this.baseUrls = [options.baseUrl].flat();
    if (this.baseUrls.length === 0) throw new Error("the load has no gateway to go through");
  }

  /** Ids of the users the load created, seeded ones first. */
  get ids(): readonly string[] {
    return this.created;
  }

  /**
   * Creates `count` users before the load starts, one at a time, so that a mix of reads has ids to
   * read; they are not counted among the load's requests. Throws when one fails: the stack is not up.
   */
  async seed(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const email = `${this.options.runId}-seed-${i}@faults.example`;
      const body = JSON.stringify({ firstName: "Fault", lastName: "Seed", email });
      const record = await this.send({ op: "create", method: "POST", path: "/users", body, via: this.baseUrls[0]! }, false);
      if (!record.ok) throw new Error(`seeding user ${i}: ${outcome(record)}`);
    }
  }

  start(): void {
    this.startedAt = now();
    this.workers = Array.from({ length: this.options.workers }, (_, i) => this.work(i));
    this.capTimer = setTimeout(() => void this.stop(), this.options.maxDurationMs ?? 120_000);
    this.capTimer.unref();
  }

  /** Stops sending and waits for every request in flight to end (each is bounded by the client timeout). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.capTimer);
    await Promise.all(this.workers);
    if (this.stoppedAt === 0) this.stoppedAt = now();
    this.agent.destroy();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Requests that started in [from, to). */
  between(from: number, to = Infinity): RequestRecord[] {
    return this.records.filter((r) => r.start >= from && r.start < to);
  }

  private async work(worker: number): Promise<void> {
    const max = this.options.maxRequests ?? 200_000;
    while (!this.stopping && this.seq < max) {
      const record = await this.send({ ...this.pick(worker), via: this.baseUrls[worker % this.baseUrls.length]! });
      // A refused or failed request comes back at once: pause so a failing gateway is not spun on.
      if (!record.ok) await sleep(10);
    }
  }

  private pick(worker: number): { op: Op; method: string; path: string; body?: string } {
    let op = this.slots[(this.seq * 7 + worker * 13) % this.slots.length]!;
    if ((op === "get" || op === "list") && this.created.length === 0) op = "create";
    if (op === "create") {
      const email = `${this.options.runId}-${this.seq}@faults.example`;
      return { op, method: "POST", path: "/users", body: JSON.stringify({ firstName: "Fault", lastName: "Load", email }) };
    }
    if (op === "get") {
      const id = this.created[Math.floor(Math.random() * this.created.length)]!;
      return { op, method: "GET", path: `/users/${id}` };
    }
    if (op === "list") return { op, method: "GET", path: "/users?pageSize=20" };
    return { op, method: "GET", path: "/" };
  }

  private send(spec: { op: Op; method: string; path: string; body?: string; via: string }, counted = true): Promise<RequestRecord> {
    const seq = counted ? ++this.seq : 0;
    const record: RequestRecord = {
      seq,
      requestId: counted ? `${this.options.runId}-${seq}` : `${this.options.runId}-seed-${randomSuffix()}`,
      op: spec.op,
      method: spec.method,
      path: spec.path,
      via: spec.via,
      start: now(),
      end: 0,
      ok: false,
    };
    if (counted) this.records.push(record);

    return new Promise((resolve) => {
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        record.end = now();
        clearTimeout(timer);
        resolve(record);
      };
      const headers: Record<string, string> = { "x-request-id": record.requestId };
      if (spec.body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(spec.body));
      }
      const req = httpRequest(`${spec.via}${spec.path}`, { method: spec.method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          this.judge(record, res, Buffer.concat(chunks).toString());
          finish();
        });
        res.on("error", (err: NodeJS.ErrnoException) => {
          record.error = err.code ?? err.message;
          finish();
        });
      });
      const timer = setTimeout(() => {
        record.error = HANG;
        req.destroy();
        finish();
      }, this.options.clientTimeoutMs);
      req.on("error", (err: NodeJS.ErrnoException) => {
        record.error ??= err.code ?? err.message;
        finish();
      });
      req.end(spec.body);
    });
  }

  private judge(record: RequestRecord, res: IncomingMessage, text: string): void {
    record.status = res.statusCode ?? 0;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: judged by status alone
    }
    if (record.status !== 200) {
      // Every error is problem+json with its `code`.
      const code = typeof body["code"] === "string" ? body["code"] : "";
      if (code !== "") record.code = code;
      return;
    }
    if (record.op === "create") {
      if (typeof body["id"] === "string" && body["success"] === true) {
        record.ok = true;
        this.created.push(body["id"]);
      } else record.code = `unexpected body ${text.slice(0, 120)}`;
    } else if (record.op === "get") {
      const id = record.path.slice("/users/".length);
      if (body["id"] === id) record.ok = true;
      else record.code = `unexpected body ${text.slice(0, 120)}`;
    } else if (record.op === "list") {
      // proto3 JSON leaves an empty repeated field out: {} is an empty page.
      const users = body["users"];
      if (text.startsWith("{") && (users === undefined || Array.isArray(users))) record.ok = true;
      else record.code = `unexpected body ${text.slice(0, 120)}`;
    } else {
      const servedBy = (body["servedBy"] as { instance?: unknown } | undefined)?.instance;
      if (body["message"] === "pong" && typeof servedBy === "string") {
        record.ok = true;
        record.servedBy = servedBy;
      } else record.code = `unexpected body ${text.slice(0, 120)}`;
    }
  }
}

/** How a request ended, as counted in a summary: "ok", "504 SERVICE_TIMEOUT", "ECONNREFUSED", "HANG". */
export function outcome(r: RequestRecord): string {
  if (r.ok) return "ok";
  if (r.error !== undefined) return r.error;
  return r.code === undefined ? String(r.status) : `${r.status} ${r.code}`;
}

export function duration(r: RequestRecord): number {
  return r.end - r.start;
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}
