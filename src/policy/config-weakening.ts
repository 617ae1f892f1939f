import type { Config } from "../config.js";
import { isGatedEnvironment } from "./environments.js";
import { codeSpan } from "./text.js";

/**
 * How a change of `.github/mainline.yml` loosens enforcement (SPEC 8: the config on main is the
 * team's decision, and a weakening of it is announced). One rule per key, each giving one plain
 * sentence per weakening it finds; a change that tightens or leaves a key alone gives none.
 * A new key is one more entry in RULES.
 */
export function weakenings(before: Config, after: Config): string[] {
  return RULES.flatMap((rule) => rule(before, after));
}

type Rule = (before: Config, after: Config) => string[];

/** A key whose values run from strictest to loosest: moving towards the end of `order` is a weakening. */
function loosened<T>(key: string, read: (config: Config) => T, order: readonly T[], verb: string, consequence: string): Rule {
  return (before, after) => {
    const [was, is] = [read(before), read(after)];
    return order.indexOf(is) > order.indexOf(was) ? [`${key} ${verb} from ${String(was)} to ${String(is)}: ${consequence}`] : [];
  };
}

const RULES: readonly Rule[] = [
  loosened("mode", (c) => c.mode, ["enforce", "shadow"], "changed", "mainline now only reports what it would refuse and blocks nothing"),
  // A pattern is dropped when its own text is no longer gated: then some environment it covered is
  // not (`prod-*` replaced by `prod-eu` drops it; by `prod*` or `*` it is still covered).
  (before, after) =>
    before.environments
      .filter((pattern) => !isGatedEnvironment(pattern, after.environments))
      .map((pattern) => `${codeSpan(pattern, 100)} is no longer a gated environment: deploys to it are not checked`),
  loosened("override.permission", (c) => c.override.permission, ["admin", "maintain", "write"], "lowered", "more people can grant an exception"),
  loosened("override.approvals", (c) => c.override.approvals, [2, 1], "lowered", "an exception no longer needs a second person"),
  // Beyond the SPEC's list: an outage of GitHub's API is when a bad deploy is easiest to slip through.
  loosened("onApiError", (c) => c.onApiError, ["reject", "approve"], "changed", "a gate that cannot ask GitHub now lets the deploy through"),
];
