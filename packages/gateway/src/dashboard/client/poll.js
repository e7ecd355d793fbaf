// Reading /_/stats about every second, one request at a time, for as long as the page is open;
// slower while the tab is hidden. A failed reading is reported and the next one tried all the same.

/**
 * @param {{
 *   url: URL,
 *   intervalMs: number,
 *   hiddenIntervalMs: number,
 *   timeoutMs: number,
 *   onReply: (body: unknown) => void,
 *   onFailure: (reason: string) => void,
 * }} options
 */
export function startPolling(options) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let inFlight = false;

  async function tick() {
    clearTimeout(timer);
    if (inFlight) return;
    inFlight = true;
    const started = performance.now();
    /** @type {{ body: unknown } | { reason: string }} */
    let outcome;
    try {
      const response = await fetch(options.url, {
        cache: "no-store",
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) outcome = { reason: `HTTP ${response.status}` };
      else outcome = { body: await response.json() };
    } catch (err) {
      outcome = { reason: reasonOf(err) };
    }
    inFlight = false;
    const wait = document.hidden ? options.hiddenIntervalMs : Math.max(200, options.intervalMs - (performance.now() - started));
    timer = setTimeout(tick, wait);
    if ("body" in outcome) options.onReply(outcome.body);
    else options.onFailure(outcome.reason);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) void tick();
  });
  void tick();
}

/** @param {unknown} err */
function reasonOf(err) {
  if (err instanceof DOMException && (err.name === "TimeoutError" || err.name === "AbortError")) return "no reply in time";
  if (err instanceof SyntaxError) return "the reply is not JSON";
  return "the gateway cannot be reached";
}
