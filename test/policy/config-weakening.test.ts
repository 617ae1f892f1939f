import { parseConfig } from "../../src/config.js";
import { weakenings } from "../../src/policy/config-weakening.js";

/** A config as the app reads it from a file with these keys (everything else its default). */
const config = (file: Record<string, unknown>) => parseConfig(file).config;

const SHADOW = "mode changed from enforce to shadow: mainline now only reports what it would refuse and blocks nothing";
const WRITE_GRANTS = "override.permission lowered from maintain to write: more people can grant an exception";
const ONE_APPROVAL = "override.approvals lowered from 2 to 1: an exception no longer needs a second person";
const FAIL_OPEN = "onApiError changed from reject to approve: a gate that cannot ask GitHub now lets the deploy through";
const dropped = (pattern: string) => `\`${pattern}\` is no longer a gated environment: deploys to it are not checked`;

describe("weakenings: one sentence per loosening, none for the rest", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ["nothing changes", {}, {}, []],
    ["mode enforce → shadow", {}, { mode: "shadow" }, [SHADOW]],
    ["mode shadow → enforce (stricter)", { mode: "shadow" }, {}, []],
    ["shadow stays shadow", { mode: "shadow" }, { mode: "shadow" }, []],
    ["a gated environment dropped", { environments: ["production", "prod-*"] }, { environments: ["production"] }, [dropped("prod-*")]],
    ["the only gated environment renamed", {}, { environments: ["staging"] }, [dropped("production")]],
    ["a pattern narrowed", { environments: ["prod-*"] }, { environments: ["prod-eu"] }, [dropped("prod-*")]],
    ["a pattern widened (stricter)", { environments: ["prod-eu"] }, { environments: ["prod-*"] }, []],
    ["a name covered by a new pattern", { environments: ["production"] }, { environments: ["prod*"] }, []],
    ["everything gated", { environments: ["production", "staging"] }, { environments: ["*"] }, []],
    ["case only (GitHub's environment names ignore it)", {}, { environments: ["Production"] }, []],
    ["an environment added (stricter)", {}, { environments: ["production", "staging"] }, []],
    ["an empty list gates nothing", { environments: ["production", "prod-*"] }, { environments: [] }, [dropped("production"), dropped("prod-*")]],
    ["override.permission maintain → write", {}, { override: { permission: "write" } }, [WRITE_GRANTS]],
    ["override.permission admin → write", { override: { permission: "admin" } }, { override: { permission: "write" } }, [WRITE_GRANTS.replace("maintain", "admin")]],
    ["override.permission maintain → admin (stricter)", {}, { override: { permission: "admin" } }, []],
    ["override.approvals 2 → 1", { override: { approvals: 2 } }, {}, [ONE_APPROVAL]],
    ["override.approvals 1 → 2 (stricter)", {}, { override: { approvals: 2 } }, []],
    ["onApiError reject → approve", {}, { onApiError: "approve" }, [FAIL_OPEN]],
    ["onApiError approve → reject (stricter)", { onApiError: "approve" }, {}, []],
    ["keys the gate does not rest on", {}, { override: { ttlHours: 1 }, rca: { dueDays: 1 }, labels: { incident: "sev" } }, []],
    [
      "several at once, in the table's order",
      { environments: ["production", "staging"], override: { permission: "admin", approvals: 2 } },
      { mode: "shadow", environments: ["staging"], override: { permission: "maintain", approvals: 1 }, onApiError: "approve" },
      [SHADOW, dropped("production"), WRITE_GRANTS.replace("maintain to write", "admin to maintain"), ONE_APPROVAL, FAIL_OPEN],
    ],
    ["hotfix.maxChangedLines raised", { hotfix: { maxChangedLines: 50 } }, { hotfix: { maxChangedLines: 200 } }, ["hotfix.maxChangedLines raised from 50 to 200: a bigger fix needs no second approver"]],
    ["hotfix.maxChangedLines set to 0 (no limit)", { hotfix: { maxChangedLines: 50 } }, {}, ["hotfix.maxChangedLines raised from 50 to 0 (no limit): a bigger fix needs no second approver"]],
    ["hotfix.maxChangedLines lowered (stricter)", { hotfix: { maxChangedLines: 200 } }, { hotfix: { maxChangedLines: 50 } }, []],
    ["hotfix.maxChangedLines set where there was no limit (stricter)", {}, { hotfix: { maxChangedLines: 50 } }, []],
    ["hotfix.budget.count raised", { hotfix: { budget: { count: 3 } } }, { hotfix: { budget: { count: 5 } } }, ["hotfix.budget.count raised from 3 to 5: more hotfixes pass before every new one needs a second approver"]],
    ["hotfix.budget turned off", { hotfix: { budget: { count: 3 } } }, {}, ["hotfix.budget.count raised from 3 to 0 (off): more hotfixes pass before every new one needs a second approver"]],
    ["hotfix.budget.days shortened", { hotfix: { budget: { count: 3, days: 30 } } }, { hotfix: { budget: { count: 3, days: 7 } } }, ["hotfix.budget.days lowered from 30 to 7: fewer hotfixes count against the budget"]],
    ["hotfix.budget.days shortened while the budget is off", { hotfix: { budget: { days: 30 } } }, { hotfix: { budget: { days: 7 } } }, []],
    ["hotfix.criteria emptied", { hotfix: { criteria: ["outage"] } }, {}, ["hotfix.criteria emptied: any reason now qualifies for an exception"]],
    ["hotfix.criteria widened", { hotfix: { criteria: ["outage"] } }, { hotfix: { criteria: ["Outage", "speed"] } }, ["hotfix.criteria now also accepts `speed`: more reasons qualify for an exception"]],
    ["hotfix.criteria narrowed (stricter)", { hotfix: { criteria: ["outage", "speed"] } }, { hotfix: { criteria: ["outage"] } }, []],
    ["hotfix.criteria set where any reason went (stricter)", {}, { hotfix: { criteria: ["outage"] } }, []],
    [
      "a promotion rule dropped",
      { promotion: { production: { after: "staging", soakMinutes: 30 } } },
      {},
      ["`production` no longer has a promotion rule: commits from main reach it without `staging` first"],
    ],
    [
      "a promotion rule's soak shortened",
      { promotion: { production: { after: "staging", soakMinutes: 30 } } },
      { promotion: { production: { after: "staging", soakMinutes: 5 } } },
      ["`production` now needs 5 instead of 30 minutes in `staging` first"],
    ],
    [
      "a promotion rule through another environment",
      { promotion: { production: { after: "staging", soakMinutes: 30 } } },
      { promotion: { production: { after: "dev", soakMinutes: 30 } } },
      ["`production` is now promoted from `dev` instead of `staging`"],
    ],
    ["a rule still covered by a pattern", { promotion: { production: { after: "staging", soakMinutes: 30 } } }, { promotion: { "prod*": { after: "Staging", soakMinutes: 60 } } }, []],
    ["a promotion rule added (stricter)", {}, { promotion: { production: { after: "staging" } } }, []],
    // An invalid value falls back to its default (what the app then runs with): the weakening is judged on that.
    ["an invalid mode counts as enforce", {}, { mode: "off" }, []],
    ["an invalid permission after admin counts as maintain", { override: { permission: "admin" } }, { override: { permission: "nobody" } }, [WRITE_GRANTS.replace("maintain to write", "admin to maintain")]],
  ])("%s", (_case, before, after, expected) => {
    expect(weakenings(config(before), config(after))).toEqual(expected);
  });
});

describe("weakenings: user text in a sentence", () => {
  test("an environment pattern is shown as code, so it cannot carry markup or a marker", () => {
    const [sentence] = weakenings(config({ environments: ["prod `x` <!-- y -->"] }), config({ environments: ["staging"] }));
    expect(sentence).toBe("`prod 'x' <!-\u200b- y -\u200b->` is no longer a gated environment: deploys to it are not checked");
  });
});
