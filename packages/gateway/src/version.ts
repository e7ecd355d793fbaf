/** The gateway's version, as the OpenAPI document and its traces' service.version give it. */
export const GATEWAY_VERSION = "0.1.0";
