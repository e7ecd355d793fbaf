// A JSON value pretty-printed as text nodes, the members at the given field paths marked. Paths
// name fields as the shadow comparison does (`served_by.instance`): list indices are not part of them.

import { h } from "./dom.js";

/**
 * @param {unknown} value
 * @param {readonly string[]} marked field paths whose members are highlighted
 * @returns {DocumentFragment}
 */
export function jsonView(value, marked = []) {
  const out = document.createDocumentFragment();
  write(out, value, "", 0, new Set(marked));
  return out;
}

/**
 * @param {Node} out
 * @param {unknown} value
 * @param {string} path
 * @param {number} depth
 * @param {Set<string>} marked
 */
function write(out, value, path, depth, marked) {
  const pad = "  ".repeat(depth + 1);
  const end = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return text(out, "[]");
    text(out, "[\n");
    value.forEach((item, i) => {
      text(out, pad);
      write(out, item, path, depth + 1, marked);
      text(out, i < value.length - 1 ? ",\n" : "\n");
    });
    return text(out, `${end}]`);
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return text(out, "{}");
    text(out, "{\n");
    entries.forEach(([key, item], i) => {
      const at = path === "" ? key : `${path}.${key}`;
      text(out, pad);
      const target = marked.has(at) ? out.appendChild(h("mark", { class: "diff", title: `differs: ${at}` })) : out;
      target.appendChild(h("span", { class: "j-key" }, JSON.stringify(key)));
      text(target, ": ");
      write(target, item, at, depth + 1, marked);
      text(out, i < entries.length - 1 ? ",\n" : "\n");
    });
    return text(out, `${end}}`);
  }
  const kind = value === null ? "null" : typeof value;
  out.appendChild(h("span", { class: `j-${kind}` }, value === undefined ? "undefined" : JSON.stringify(value)));
}

/**
 * @param {Node} out
 * @param {string} s
 */
function text(out, s) {
  out.appendChild(document.createTextNode(s));
}
