/** Keys of the NATS micro service metadata every Switchyard service sets. */
export const Metadata = {
  /** The implementation language: typescript, ruby, ... */
  language: "language",
  /** The contract's proto package: users.v1. */
  contract: "contract",
  /** The deployment the instance belongs to (SWITCHYARD_DEPLOYMENT, or the SDK's default). */
  deployment: "deployment",
  /** The build revision (BUILD_REVISION), when known. */
  revision: "revision",
  /** Where the instance answers with its contract's descriptor set (see descriptorsSubject). */
  descriptors: "switchyard.descriptors",
  /** The digest of that descriptor set. */
  contractDigest: "switchyard.contract_digest",
  /**
   * The server_name of the nats-server the instance registered through: on a cluster, which node
   * it is on. A reconnect may move it; the name stays the one it registered with.
   */
  natsServer: "switchyard.nats_server",
} as const;
