/**
 * The gateway's admin endpoints (/_/routes, /_/services, /_/stats, /_/traffic, /_/shadow): read,
 * changed, and shape-checked. A checked reply is the gateway's JSON as it came, so `--json` prints
 * exactly that; the types name the fields the CLI reads, and the checks make them true.
 */
export {
  fetchHistory,
  fetchPolicies,
  fetchPolicy,
  fetchRoutes,
  fetchServices,
  fetchShadowReports,
  fetchStats,
  putPolicy,
  removePolicy,
  resetShadowReports,
  rollbackPolicy,
} from "./endpoints.js";
export type {
  AdminTarget,
  ContractConflict,
  DeploymentInfo,
  FieldCount,
  HistoryEntry,
  InstanceInfo,
  MismatchPair,
  PolicyChange,
  PolicyView,
  RouteInfo,
  ServedRoute,
  ShadowReport,
  ShownReply,
  Stats,
  StatsRoute,
} from "./types.js";
