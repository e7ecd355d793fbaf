import { SECONDS_BOUNDS, secondsBucket } from "./latency.js";

/** HTTP methods kept as they are in labels; any other is `_OTHER`, as OpenTelemetry's conventions say. */
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "_OTHER"] as const;
const METHOD_INDEX = new Map<string, number>(METHODS.map((m, i) => [m, i]));

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
 * labels stay bounded whatever paths clients send. Cells are found by route, then by a number
 * made of the status and the method, so recording a request allocates nothing.
 */
export class HttpStats {
  private readonly byRoute = new Map<string, Map<number, HttpCell>>();

  record(method: string, route: string, status: number, seconds: number): void {
    const m = METHOD_INDEX.get(method) ?? METHODS.length - 1;
    let cells = this.byRoute.get(route);
    if (cells === undefined) {
      cells = new Map();
      this.byRoute.set(route, cells);
    }
    const key = status * METHODS.length + m;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = new HttpCell(METHODS[m]!, route, status);
      cells.set(key, cell);
    }
    cell.buckets[secondsBucket(seconds)]!++;
    cell.sumSeconds += seconds;
    cell.count++;
  }

  *all(): IterableIterator<HttpCell> {
    for (const cells of this.byRoute.values()) yield* cells.values();
  }
}
