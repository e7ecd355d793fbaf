/** The names a scaffolded service is made of: its folder and package, its Ruby module, its handlers. */
import { CliError } from "../http.js";

/** Lowercase words joined by "-": a folder, an npm package, a gem, a micro service name and a deployment prefix at once. */
const SERVICE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** Leaves room for "-ts"/"-rb" in the default deployment name (at most 64 characters). */
const MAX_NAME = 40;

export function checkServiceName(name: string): string {
  if (!SERVICE_NAME.test(name) || name.length > MAX_NAME) {
    throw new CliError(
      `"${name}" is not a service name: use lowercase letters, digits and single "-" between words, starting with a letter, at most ${MAX_NAME} characters (e.g. echo or order-history)`,
      2,
    );
  }
  return name;
}

/** order-history => OrderHistory: the Ruby module of the service. */
export function rubyModule(name: string): string {
  return name
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

/** order-history => order_history: the Ruby file names (lib/order_history.rb). */
export function rubyFile(name: string): string {
  return name.replaceAll("-", "_");
}

/** CreateUser => create_user, as the Ruby SDK names a handler (Switchyard::Rpc#handler). */
export function rubyHandler(rpc: string): string {
  return rpc
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z\d])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

