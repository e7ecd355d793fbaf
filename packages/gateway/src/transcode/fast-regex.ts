// The matcher moved to @switchyard/protocol with the request rules the SDK shares; its test still
// imports it from here.
export { regexMatch, toPlatformRegExp } from "@switchyard/protocol";
