/** One-second buckets over this many seconds. */
const WINDOW_S = 10;

/**
 * How many retries the gateway may add: a share of the requests of the last ten seconds plus a small
 * floor, as Finagle's and gRPC's retry budgets do, so that retries help through one instance
 * draining but cannot multiply the load when every instance is failing.
 */
export class RetryBudget {
  private readonly window = new Array<number>(WINDOW_S).fill(0);
  private readonly retriesWindow = new Array<number>(WINDOW_S).fill(0);
  private second = 0;
  /** Since start: requests counted, retries sent, and retries the budget refused. */
  requests = 0;
  retried = 0;
  refused = 0;

  constructor(
    /** Retries per hundred requests. */
    private readonly percent: number,
    /** Retries per second allowed whatever the traffic, so a quiet gateway can still retry. */
    private readonly floorPerSecond = 10,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one request (its first attempt). */
  request(): void {
    this.window[this.slot()]!++;
    this.requests++;
  }

  /** Takes a retry from the budget: false when it is spent. */
  tryRetry(): boolean {
    const slot = this.slot();
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < WINDOW_S; i++) {
      requests += this.window[i]!;
      retries += this.retriesWindow[i]!;
    }
    if (retries >= (requests * this.percent) / 100 + this.floorPerSecond * WINDOW_S) {
      this.refused++;
      return false;
    }
    this.retriesWindow[slot]!++;
    this.retried++;
    return true;
  }

  /** The bucket of this second, emptying the buckets of seconds gone by since the last call. */
  private slot(): number {
    const second = Math.floor(this.clock() / 1000);
    if (second !== this.second) {
      for (let s = Math.max(this.second + 1, second - WINDOW_S + 1); s <= second; s++) {
        this.window[s % WINDOW_S] = 0;
        this.retriesWindow[s % WINDOW_S] = 0;
      }
      this.second = second;
    }
    return second % WINDOW_S;
  }
}
