// Building the page's elements. Text always goes in as text (Text nodes, textContent, attribute
// values), never as markup: every value shown comes from services and clients.

/** @typedef {Node | string | number | null | undefined | false | unknown[]} Child a node, text, or a list of these */

/**
 * An element with attributes and children. Attributes are set as plain values (no event handlers,
 * no URLs from data); children are nodes or text; null, undefined and false are left out.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined> | null} [attributes]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (/^on/i.test(name) || name === "style") throw new Error(`h(): ${name} is not set this way`);
    if (name === "class") el.className = String(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/**
 * Appends children as h() takes them.
 * @param {Element | DocumentFragment} parent
 * @param {Child[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, /** @type {Child[]} */ (child));
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces an element's children.
 * @param {Element} parent
 * @param {...Child} children
 */
export function fill(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Sets a CSS custom property through the CSSOM (allowed by the page's CSP, unlike a style attribute).
 * @param {HTMLElement} el
 * @param {string} name
 * @param {string} value
 */
export function setVar(el, name, value) {
  el.style.setProperty(name, value);
}

/**
 * Rebuilds a part of the page only when what it shows changed, so that a reading that changes
 * nothing keeps selections and hover states.
 * @param {HTMLElement & { _shown?: string }} el
 * @param {unknown} shown what the part shows, compared as JSON
 * @param {() => void} build
 */
export function whenChanged(el, shown, build) {
  const key = JSON.stringify(shown);
  if (el._shown === key) return;
  el._shown = key;
  build();
}

/**
 * Puts these nodes, in this order, as the parent's children, moving nothing when they already are.
 * @param {Element} parent
 * @param {Node[]} nodes
 */
export function arrange(parent, nodes) {
  const current = parent.childNodes;
  if (current.length === nodes.length && nodes.every((node, i) => current[i] === node)) return;
  parent.replaceChildren(...nodes);
}
