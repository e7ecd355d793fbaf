export { runScenario, Scenario, REQUEST_TIMEOUT_MS, MARGIN_MS, CLIENT_TIMEOUT_MS, WORKERS } from "./scenario.js";
export { Stack, type Instance, type Language, type Ping } from "./stack.js";
export { Load, outcome, duration, now, HANG, type RequestRecord, type LoadOptions, type Op } from "./load.js";
export { startProc, describeExit, REPO_ROOT, type Proc, type ProcExit, type LogLine } from "./processes.js";
