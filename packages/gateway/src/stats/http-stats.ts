import { SECONDS_BOUNDS, secondsBucket } from "./latency.js";

/** HTTP methods kept as they are in labels; any other is `_OTHER`, as OpenTelemetry's conventions say. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]);

export class HttpCell {
  /** The series' label set as /metrics writes it, rendered on the first scrape. */
  labels: string | undefined;
  readonly buckets = new Float64Array(SECONDS_BOUNDS.length + 1);
  sumSeconds = 0;
  count = 0;

  constructor(
    readonly method: string,
    /** The route template (`/users/{id}`); "" when no route matched. */
    readonly route: string,
    readonly status: number,
  ) {}
}

/**
 * Durations of the HTTP requests the gateway answered, by method, route template and status: the
 * labels stay bounded whatever paths clients send.
 */
export class HttpStats {
  private readonly cells = new Map<string, HttpCell>();

  record(method: string, route: string, status: number, seconds: number): void {
    const m = KNOWN_METHODS.has(method) ? method : "_OTHER";
    const key = `${m} ${status} ${route}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = new HttpCell(m, route, status);
      this.cells.set(key, cell);
    }
    cell.buckets[secondsBucket(seconds)]!++;
    cell.sumSeconds += seconds;
    cell.count++;
  }

  all(): IterableIterator<HttpCell> {
    return this.cells.values();
  }
}
