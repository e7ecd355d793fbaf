export { startNatsServer, type NatsServer, type NatsServerOptions } from "./nats-server.js";
