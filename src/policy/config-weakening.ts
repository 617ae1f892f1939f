import type { Config } from "../config.js";
import { isGatedEnvironment } from "./environments.js";
import { promotionRuleFor } from "./promotion.js";
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
  promotionLoosened,
  criteriaWidened,
  limitRaised("hotfix.maxChangedLines", (c) => c.hotfix.maxChangedLines, "no limit", "a bigger fix needs no second approver"),
  limitRaised("hotfix.budget.count", (c) => c.hotfix.budget.count, "off", "more hotfixes pass before every new one needs a second approver"),
  (before, after) =>
    before.hotfix.budget.count > 0 && after.hotfix.budget.count > 0 && after.hotfix.budget.days < before.hotfix.budget.days
      ? [`hotfix.budget.days lowered from ${before.hotfix.budget.days} to ${after.hotfix.budget.days}: fewer hotfixes count against the budget`]
      : [],
];

/** A limit where 0 means none: raising it, or setting it to 0, lets more through. */
function limitRaised(key: string, read: (config: Config) => number, zero: string, consequence: string): Rule {
  const effective = (n: number) => (n === 0 ? Infinity : n);
  return (before, after) => {
    const [was, is] = [read(before), read(after)];
    return effective(is) > effective(was) ? [`${key} raised from ${was === 0 ? `0 (${zero})` : was} to ${is === 0 ? `0 (${zero})` : is}: ${consequence}`] : [];
  };
}

/** Criteria are matched regardless of case, so only a new word (or an empty list: any reason) widens them. */
function criteriaWidened(before: Config, after: Config): string[] {
  const [was, is] = [before.hotfix.criteria, after.hotfix.criteria];
  if (was.length === 0) return [];
  if (is.length === 0) return ["hotfix.criteria emptied: any reason now qualifies for an exception"];
  const known = new Set(was.map((c) => c.toLowerCase()));
  const added = is.filter((c) => !known.has(c.toLowerCase()));
  return added.length > 0 ? [`hotfix.criteria now also accepts ${added.map((c) => codeSpan(c, 50)).join(", ")}: more reasons qualify for an exception`] : [];
}

/**
 * Each environment (or pattern) that had a rule is judged by the rule that applies to it now, as
 * the gate would find it: gone, through another environment, or with a shorter soak.
 */
function promotionLoosened(before: Config, after: Config): string[] {
  return Object.keys(before.promotion).flatMap((pattern) => {
    const [was, is] = [promotionRuleFor(pattern, before.promotion), promotionRuleFor(pattern, after.promotion)];
    if (!was) return [];
    const name = codeSpan(pattern, 100);
    if (!is) return [`${name} no longer has a promotion rule: commits from main reach it without ${codeSpan(was.after, 100)} first`];
    if (is.after.toLowerCase() !== was.after.toLowerCase()) return [`${name} is now promoted from ${codeSpan(is.after, 100)} instead of ${codeSpan(was.after, 100)}`];
    if (is.soakMinutes < was.soakMinutes) return [`${name} now needs ${is.soakMinutes} instead of ${was.soakMinutes} minutes in ${codeSpan(is.after, 100)} first`];
    return [];
  });
}
