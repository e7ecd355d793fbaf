export { runScenario, Scenario, REQUEST_TIMEOUT_MS, MARGIN_MS, CLIENT_TIMEOUT_MS, WORKERS } from "./scenario.js";
export { Stack, type EndpointStats, type Gateway, type Instance, type Language, type Ping } from "./stack.js";
export { Load, outcome, duration, now, HANG, DEFAULT_MIX, type Mix, type RequestRecord, type LoadOptions, type Op } from "./load.js";
export { startProc, type Proc } from "./processes.js";
export { rssMb, cpuMs, processCpuMs, listenOverflows, connectionsTo, groupPids } from "./proc-stats.js";
export { runFlood, latency, serverLatency, percentile, outcomes, type FloodOptions, type FloodRecord, type FloodReport } from "./flood.js";
export { scrape, parseMetrics, total, familiesLike, type Sample } from "./metrics.js";
export { callRpc, type RpcOutcome } from "./rpc.js";
export { httpCall, shownResult, type HttpCallOptions, type HttpCallResult } from "./http-call.js";
