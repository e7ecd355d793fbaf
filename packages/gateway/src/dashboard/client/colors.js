// One colour per deployment, the same on every route and in every chart while the page is open.

const PALETTE = ["#3b6ef5", "#e8891c", "#15a37a", "#d9434d", "#8a5cf0", "#0f9fb8", "#c94f9b", "#6f9a1f"];
/** @type {Map<string, string>} */
const assigned = new Map();

/** @param {string} deployment */
export function colorOf(deployment) {
  let color = assigned.get(deployment);
  if (color === undefined) {
    color = PALETTE[assigned.size % PALETTE.length] ?? "#888888";
    assigned.set(deployment, color);
  }
  return color;
}
