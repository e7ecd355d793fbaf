export {
  authConfigFromEnv,
  AUTH_VARIABLES,
  PUBLIC_KEY_ALGORITHMS,
  type AuthRequirement,
  type AuthSettings,
  type KeySetLocation,
  type KeySetTimings,
} from "./auth-config.js";
export { Authenticator, type AuthenticatorOptions } from "./authenticator.js";
export { encodeClaims, identityHeaders, setIdentityHeaders, type VerifiedIdentity } from "./identity-headers.js";
export { KeySetUnavailable, type KeySetErrorListener } from "./key-sets.js";
export { policyOf, unmatchedNames, type RoutePolicy } from "./route-policy.js";
