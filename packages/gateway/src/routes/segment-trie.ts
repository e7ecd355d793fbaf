import { compareSpecificity, type PathTemplate } from "./path-template.js";

/**
 * The templates of one HTTP method as a tree of segments, one tree per verb suffix, so that a
 * request splits its path once and walks down it instead of trying every template in turn: the
 * cost of a match does not grow with the number of routes. Children are tried literal, then "*",
 * then "**", which is the order of compareSpecificity; across the trees of different verbs the best
 * of their first matches wins by that same order.
 */
export class SegmentTrie<T> {
  private readonly roots = new Map<string, TrieNode<T>>();
  /** The verbs, longest first: "custom:custom" is tried before "custom". */
  private verbs: string[] = [];

  add(template: PathTemplate, value: T): void {
    const verb = template.verb ?? "";
    let node = this.roots.get(verb);
    if (node === undefined) {
      node = new TrieNode<T>();
      this.roots.set(verb, node);
      if (verb !== "") this.verbs = [...this.verbs, verb].sort((a, b) => b.length - a.length);
    }
    for (const segment of template.segments) {
      if (segment.kind === "deep") {
        node.deep ??= { template, value };
        return;
      }
      if (segment.kind === "wildcard") node = node.wildcard ??= new TrieNode<T>();
      else {
        let next = node.literals.get(segment.value);
        if (next === undefined) node.literals.set(segment.value, (next = new TrieNode<T>()));
        node = next;
      }
    }
    node.end ??= { template, value };
  }

  /** The most specific template matching `path`, with the path's segments (verb taken off). */
  find(path: string): { template: PathTemplate; value: T; parts: string[] } | undefined {
    const rest = path.charCodeAt(0) === 47 ? path.slice(1) : path;
    let best: { template: PathTemplate; value: T; parts: string[] } | undefined;
    for (const verb of this.verbs) {
      if (!rest.endsWith(verb) || rest.charCodeAt(rest.length - verb.length - 1) !== 58) continue;
      const parts = split(rest.slice(0, -verb.length - 1));
      const found = search(this.roots.get(verb)!, parts, 0);
      if (found !== undefined && (best === undefined || compareSpecificity(found.template, best.template) < 0)) best = { ...found, parts };
    }
    const plain = this.roots.get("");
    if (plain !== undefined) {
      const parts = split(rest);
      const found = search(plain, parts, 0);
      if (found !== undefined && (best === undefined || compareSpecificity(found.template, best.template) < 0)) best = { ...found, parts };
    }
    return best;
  }
}

interface Leaf<T> {
  readonly template: PathTemplate;
  readonly value: T;
}

class TrieNode<T> {
  readonly literals = new Map<string, TrieNode<T>>();
  wildcard: TrieNode<T> | undefined;
  /** A template ending in "**" here: it takes the rest of the path, none included. */
  deep: Leaf<T> | undefined;
  /** A template ending here. */
  end: Leaf<T> | undefined;
}

function split(rest: string): string[] {
  return rest === "" ? [] : rest.split("/");
}

function search<T>(node: TrieNode<T>, parts: readonly string[], i: number): Leaf<T> | undefined {
  if (i === parts.length) return node.deep ?? node.end;
  const literal = node.literals.get(parts[i]!);
  const found = (literal && search(literal, parts, i + 1)) ?? (node.wildcard && search(node.wildcard, parts, i + 1));
  return found ?? node.deep;
}
