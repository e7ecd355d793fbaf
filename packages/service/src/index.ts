export { serve, type ServeOptions, type RunningService } from "./serve.js";
export { runService } from "./run.js";
export { ServiceError } from "./service-error.js";
export type { ServiceImpl, HandlerContext, StreamHandler, UnaryHandler } from "./service-impl.js";
export type { Auth } from "./auth.js";
export { defaultLogger, type Logger } from "./logger.js";
