import { parse } from "yaml";
import type { ConfigProblem } from "../config.js";
import { CONFIG_PATH } from "../public-names.js";

/** YAML text as data, or the problem that stops it being read (with GitHub's own parser's wording). */
export function parseYaml(text: string): { ok: true; value: unknown } | { ok: false; problem: ConfigProblem } {
  try {
    return { ok: true, value: parse(text) ?? null };
  } catch (error) {
    const first = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, problem: { path: "(file)", expected: `a YAML mapping (see ${CONFIG_PATH} in the README)`, got: `invalid YAML: ${first}` } };
  }
}
