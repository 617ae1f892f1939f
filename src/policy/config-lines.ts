import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { ConfigProblem } from "../config.js";

/** A config problem with the 1-based line it is about; undefined when the key is not in this file (inherited, say). */
export type LocatedProblem = ConfigProblem & { line: number | undefined };

/**
 * Where in `.github/mainline.yml` each problem is, so a check run can annotate the line. A path
 * names a key's line (an unknown key's own line too); `[n]` names a list item's line; `(file)`
 * names the first YAML error's line, else the first line with content.
 */
export function locateProblems(yamlText: string, problems: readonly ConfigProblem[]): LocatedProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  return problems.map((problem) => ({ ...problem, line: locate(doc, problem.path, lineAt) }));
}

function locate(doc: Document, path: string, lineAt: (offset: number) => number): number | undefined {
  if (path === "(file)") {
    const error = doc.errors[0];
    if (error) return lineAt(error.pos[0]);
    return doc.contents?.range ? lineAt(doc.contents.range[0]) : 1;
  }
  const offset = find(doc, doc.contents, path);
  return offset === undefined ? undefined : lineAt(offset);
}

/**
 * The offset of what `path` names under `node`. Keys are matched as whole strings against the
 * path, not split at dots first, so an unknown key that itself holds a dot is still found; a key
 * that is the whole rest of the path wins over descending into a shorter one.
 */
function find(doc: Document, node: unknown, path: string): number | undefined {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(target)) {
    const keyed = target.items.flatMap((pair) => (isScalar(pair.key) && pair.key.range ? [{ key: String(pair.key.value), at: pair.key.range[0], value: pair.value }] : []));
    const exact = keyed.find(({ key }) => key === path);
    if (exact) return exact.at;
    for (const { key, value } of keyed) {
      const rest = path.startsWith(`${key}.`) ? path.slice(key.length + 1) : path.startsWith(`${key}[`) ? path.slice(key.length) : undefined;
      const found = rest === undefined ? undefined : find(doc, value, rest);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const index = /^\[(\d+)\](.*)$/.exec(path);
  if (isSeq(target) && index) {
    const item = target.items[Number(index[1])];
    const rest = (index[2] ?? "").replace(/^\./, "");
    if (rest !== "") return find(doc, item, rest);
    return isNode(item) ? item.range?.[0] : undefined;
  }
  return undefined;
}
