import type { Config } from "../../src/config.js";
import type { Account, DeploymentFacts } from "../../src/policy/deployment-history.js";
import { STATUS_DESCRIPTION_LIMIT } from "../../src/policy/status-description.js";
import { decidePromotion, PROMOTION_READ, promotionReads, promotionRuleFor, type PromotionInput } from "../../src/policy/promotion.js";

const S = "1a2b3c4d5e6f708192a3b4c5d6e7f80910111213";
const OTHER = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddcc";
const NOW = new Date("2026-11-20T12:00:00Z");
const MINUTE = 60_000;

/** An ISO time `minutes` before NOW. */
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE).toISOString();

/** The deploy tool's bot (GitHub Actions'), another installed app's bot, this app's bot, a person. */
const TOOL: Account = { id: 41898282, kind: "app" };
const OTHER_APP: Account = { id: 555, kind: "app" };
const THIS_APP: Account = { id: 777, kind: "this-app" };
const PERSON: Account = { id: 9, kind: "person" };

/** A deployment of S (unless told) the deploy tool created, with its statuses newest first, each `[state, minutes ago]` as the tool wrote it. */
const dep = (id: number, environment: string, statuses: Array<[string, number]>, sha = S): DeploymentFacts => ({
  id,
  environment,
  sha,
  createdAt: ago(Math.max(0, ...statuses.map(([, m]) => m)) + 1),
  createdBy: TOOL,
  statuses: statuses.map(([state, minutes]) => ({ state, createdAt: ago(minutes), writtenBy: TOOL })),
});

const PROD_AFTER_STAGING: Config["promotion"] = { production: { after: "staging", soakMinutes: 30 } };

function input(history: PromotionInput["history"], over: Partial<PromotionInput> = {}): PromotionInput {
  return {
    sha: S,
    environment: "production",
    mainBranch: "main",
    grantRole: "maintain",
    onApiError: "reject",
    promotion: PROD_AFTER_STAGING,
    onMain: true,
    now: NOW,
    history,
    ...over,
  };
}

describe("decidePromotion: verdict table", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => dep(i + 1, "staging", [["success", 60]]));
  test.each<[string, PromotionInput["history"], Partial<PromotionInput>, "approve" | "refuse", string]>([
    // case, S's deployments (statuses newest first: [state, minutes ago]), overrides, verdict, outcome
    ["no rule at all", [], { promotion: {} }, "approve", "no-rule"],
    ["a rule for another environment only", [], { promotion: { "prod-eu": { after: "staging", soakMinutes: 30 } } }, "approve", "no-rule"],
    ["never deployed to staging", [], {}, "refuse", "never-reached"],
    ["only another commit reached staging", [dep(1, "staging", [["success", 60]], OTHER)], {}, "refuse", "never-reached"],
    ["its staging deployment only failed", [dep(1, "staging", [["failure", 50], ["in_progress", 55]])], {}, "refuse", "never-reached"],
    ["its staging deployment is still running", [dep(1, "staging", [["in_progress", 50]])], {}, "refuse", "never-reached"],
    ["reached staging 45 minutes ago", [dep(1, "staging", [["success", 45]])], {}, "approve", "soaked"],
    ["reached staging exactly 30 minutes ago", [dep(1, "staging", [["success", 30]])], {}, "approve", "soaked"],
    ["reached staging 29.9 minutes ago", [dep(1, "staging", [["success", 29.9]])], {}, "refuse", "not-soaked"],
    ["reached staging 12 minutes ago", [dep(1, "staging", [["success", 12]])], {}, "refuse", "not-soaked"],
    ["soakMinutes 0: any earlier success", [dep(1, "staging", [["success", 0]])], { promotion: { production: { after: "staging", soakMinutes: 0 } } }, "approve", "soaked"],
    ["soakMinutes 0: still never reached", [], { promotion: { production: { after: "staging", soakMinutes: 0 } } }, "refuse", "never-reached"],
    ["success, then failure on that deployment", [dep(1, "staging", [["failure", 5], ["success", 45]])], {}, "refuse", "failed-after-success"],
    ["success, then error on that deployment", [dep(1, "staging", [["error", 5], ["success", 45]])], {}, "refuse", "failed-after-success"],
    ["success, then a later deployment of it failed", [dep(1, "staging", [["success", 45]]), dep(2, "staging", [["failure", 5]])], {}, "refuse", "failed-after-success"],
    ["a failure before the success does not count", [dep(1, "staging", [["failure", 50]]), dep(2, "staging", [["success", 40]])], {}, "approve", "soaked"],
    ["success, failure, success again 40 minutes ago", [dep(1, "staging", [["success", 40], ["failure", 45], ["success", 50]])], {}, "approve", "soaked"],
    ["success, failure, success again 5 minutes ago: the soak starts again", [dep(1, "staging", [["success", 5], ["failure", 45], ["success", 50]])], {}, "refuse", "not-soaked"],
    ["replaced in staging by a newer commit (inactive)", [dep(1, "staging", [["inactive", 10], ["success", 45]])], {}, "approve", "soaked"],
    ["another commit failed in staging since", [dep(1, "staging", [["success", 45]]), dep(2, "staging", [["failure", 5]], OTHER)], {}, "approve", "soaked"],
    ["it failed in another environment since", [dep(1, "staging", [["success", 45]]), dep(2, "qa", [["failure", 5]])], {}, "approve", "soaked"],
    ["environment names in another case", [dep(1, "Staging", [["success", 45]])], {}, "approve", "soaked"],
    ["it ran in production before: a rollback target", [dep(7, "production", [["inactive", 10], ["success", 300]])], {}, "approve", "rollback-target"],
    ["a rollback target even though it failed in staging since", [dep(1, "staging", [["failure", 5], ["success", 400]]), dep(7, "production", [["success", 300]])], {}, "approve", "rollback-target"],
    ["a production deployment that never succeeded is no rollback", [dep(7, "production", [["failure", 300]])], {}, "refuse", "never-reached"],
    ["off main, although it soaked", [dep(1, "staging", [["success", 45]])], { onMain: false }, "refuse", "off-main"],
    ["off main, although it ran in production before", [dep(7, "production", [["success", 300]])], { onMain: false }, "refuse", "off-main"],
    ["off main without a rule: not this decision's business", [], { onMain: false, promotion: {} }, "approve", "no-rule"],
    [`${PROMOTION_READ.deployments - 1} deployments in staging are read whole`, many(PROMOTION_READ.deployments - 1), {}, "approve", "soaked"],
    [`${PROMOTION_READ.deployments} deployments in staging: a full page may hide a failure`, many(PROMOTION_READ.deployments), {}, "refuse", "unverifiable"],
    [
      `${PROMOTION_READ.statuses} statuses on one deployment: a full page may hide a failure`,
      [dep(1, "staging", Array.from({ length: PROMOTION_READ.statuses }, (): [string, number] => ["success", 60]))],
      {},
      "refuse",
      "unverifiable",
    ],
    ["too many to read, but it ran in production before", [...many(PROMOTION_READ.deployments), dep(99, "production", [["success", 30]])], {}, "approve", "rollback-target"],
    ["GitHub did not answer (onApiError: reject)", { error: "HTTP 502: Bad Gateway" }, {}, "refuse", "unverifiable"],
    ["GitHub did not answer (onApiError: approve)", { error: "HTTP 502: Bad Gateway" }, { onApiError: "approve" }, "approve", "unverifiable"],
  ])("%s", (_case, history, over, verdict, outcome) => {
    expect(decidePromotion(input(history, over))).toMatchObject({ verdict, outcome });
  });
});

describe("promotionRuleFor: which rule an environment is under", () => {
  const promotion: Config["promotion"] = {
    "prod-*": { after: "staging", soakMinutes: 60 },
    "prod-eu": { after: "canary-eu", soakMinutes: 0 },
    "prod*": { after: "qa", soakMinutes: 5 },
    "*": { after: "dev", soakMinutes: 0 },
  };
  test.each([
    ["an exact name wins over an earlier pattern", "prod-eu", "prod-eu", "canary-eu"],
    ["an exact name, in another case", "PROD-EU", "prod-eu", "canary-eu"],
    ["else the first pattern that matches, in the file's order", "prod-us", "prod-*", "staging"],
    ["a later pattern when the first does not match", "production", "prod*", "qa"],
    ["patterns ignore case, as GitHub's environment names do", "Prod-US", "prod-*", "staging"],
    ["a rule never applies to its own after: staging is not after staging", "staging", "*", "dev"],
    ["nor dev after dev: no rule at all", "dev", undefined, undefined],
  ])("%s: %s → %s", (_case, environment, pattern, after) => {
    const rule = promotionRuleFor(environment, promotion);
    expect(rule?.pattern).toBe(pattern);
    expect(rule?.after).toBe(after);
  });

  test("a glob rule decides like a named one", () => {
    const glob = { "prod-*": { after: "staging", soakMinutes: 30 } };
    expect(decidePromotion(input([dep(1, "staging", [["success", 12]])], { environment: "prod-eu", promotion: glob }))).toMatchObject({ verdict: "refuse", outcome: "not-soaked", rule: { pattern: "prod-*" } });
    expect(decidePromotion(input([dep(1, "staging", [["success", 45]])], { environment: "prod-eu", promotion: glob }))).toMatchObject({ verdict: "approve", outcome: "soaked" });
  });
});

describe("promotionReads: what the caller reads, bounded", () => {
  test("S's deployments to the rule's after (the soak) and to this environment (a rollback), at most one page of each", () => {
    expect(promotionReads("production", PROD_AFTER_STAGING)).toEqual({ rule: { pattern: "production", after: "staging", soakMinutes: 30 }, environments: ["staging", "production"] });
    expect(PROMOTION_READ).toEqual({ deployments: 10, statuses: 100 });
  });

  test("nothing to read where no rule applies", () => {
    expect(promotionReads("staging", PROD_AFTER_STAGING)).toBeUndefined();
  });
});

describe("decidePromotion: the deployment status names the missing step and the way forward in 140 characters", () => {
  const LONG_ENV = "production-eu-west-1-canary";
  const LONG_AFTER = "staging-eu-west-1";
  const soak0 = { production: { after: "staging", soakMinutes: 0 } };
  test.each<[string, PromotionInput["history"], Partial<PromotionInput>, string, number]>([
    ["never reached", [], {}, "Refused: deploy 1a2b3c4 to staging first; production needs 30 minutes there. Or /hotfix allow 1a2b3c4 production in an incident", 127],
    ["never reached, soakMinutes 0", [], { promotion: soak0 }, "Refused: deploy 1a2b3c4 to staging first, then to production. Or /incident, then a maintainer runs /hotfix allow 1a2b3c4 production", 131],
    ["never reached, short names", [], { environment: "prod", promotion: { prod: { after: "stage", soakMinutes: 30 } }, grantRole: "admin" }, "Refused: deploy 1a2b3c4 to stage first; prod needs 30 minutes there. Or /incident, then an admin runs /hotfix allow 1a2b3c4 prod -- <reason>", 140],
    [
      "never reached, long names",
      [],
      { environment: LONG_ENV, promotion: { [LONG_ENV]: { after: LONG_AFTER, soakMinutes: 30 } } },
      "Refused: deploy 1a2b3c4 to staging-eu-west-1 first and wait 30 minutes. Or /hotfix allow 1a2b3c4 production-eu-west-1-canary in an incident",
      139,
    ],
    ["not soaked (the SPEC's words)", [dep(1, "staging", [["success", 12]])], {}, "Refused: it reached staging 12 minutes ago; production needs 30. Retry in 18 minutes. Or /hotfix allow 1a2b3c4 production in an incident", 136],
    ["not soaked, a minute ago", [dep(1, "staging", [["success", 1.5]])], {}, "Refused: it reached staging 1 minute ago; production needs 30. Retry in 29 minutes. Or /hotfix allow 1a2b3c4 production in an incident", 134],
    ["not soaked, seconds ago", [dep(1, "staging", [["success", 0.5]])], {}, "Refused: it reached staging less than a minute ago; production needs 30. Retry in 30 minutes. Or /hotfix allow 1a2b3c4 <env> in an incident", 139],
    [
      "not soaked, long names",
      [dep(1, LONG_AFTER, [["success", 12]])],
      { environment: LONG_ENV, promotion: { [LONG_ENV]: { after: LONG_AFTER, soakMinutes: 30 } } },
      "Refused: it reached staging-eu-west-1 12 minutes ago, 30 needed. Retry in 18 minutes. Or /hotfix allow 1a2b3c4 <env> in an incident",
      131,
    ],
    ["failed after success", [dep(1, "staging", [["failure", 5], ["success", 45]])], {}, "Refused: 1a2b3c4 failed in staging after reaching it: fix it there first. Or /hotfix allow 1a2b3c4 production in an incident", 124],
    ["too many deployments to read", Array.from({ length: 10 }, (_, i) => dep(i + 1, "staging", [["success", 60]])), {}, "Refused: could not verify 1a2b3c4 reached staging (too many deployments to read). Instead: /hotfix allow 1a2b3c4 production in an incident", 138],
    ["GitHub did not answer", { error: "HTTP 502: Bad Gateway" }, {}, "Refused: could not verify 1a2b3c4 reached staging; re-run the deployment.", 73],
    ["GitHub did not answer, onApiError approve", { error: "HTTP 502: Bad Gateway" }, { onApiError: "approve" }, "Could not verify 1a2b3c4 reached staging; approved (onApiError: approve).", 73],
    ["soaked", [dep(1, "staging", [["success", 45]])], {}, "1a2b3c4 reached staging 45 minutes ago (production needs 30): approved.", 71],
    ["soaked, soakMinutes 0", [dep(1, "staging", [["success", 45]])], { promotion: soak0 }, "1a2b3c4 reached staging: approved.", 34],
    ["a rollback target", [dep(7, "production", [["success", 300]])], {}, "1a2b3c4 ran in production before: approved as a rollback.", 57],
    ["off main", [], { onMain: false }, "Refused: 1a2b3c4 is not on main: production takes only commits from main that reached staging first.", 100],
  ])("%s", (_case, history, over, summary, length) => {
    const decision = decidePromotion(input(history, over));
    expect(decision.summary).toBe(summary);
    expect(decision.summary).toHaveLength(length);
  });

  test.each<[string, DeploymentFacts[], number[]]>([
    ["never reached", [], [0, 30, 1440]],
    ["not soaked", [dep(1, "staging", [["success", 12]])], [30, 1440]],
    ["failed after success", [dep(1, "staging", [["failure", 5], ["success", 45]])], [0, 30, 1440]],
    ["too many to read", Array.from({ length: 10 }, (_, i) => dep(i + 1, "staging", [["success", 60]])), [0, 30, 1440]],
  ])("every refusal (%s) fits and keeps the exception's command, whatever the names", (_case, template, soaks) => {
    for (const grantRole of ["write", "maintain", "admin"])
      for (const environment of ["prod", "production", LONG_ENV, "y".repeat(200)])
        for (const after of ["stage", "staging", LONG_AFTER, "x".repeat(200)])
          for (const soakMinutes of soaks) {
            const history = template.map((d) => ({ ...d, environment: after }));
            const { verdict, summary, short, message } = decidePromotion(input(history, { grantRole, environment, promotion: { [environment]: { after, soakMinutes } } }));
            expect(verdict).toBe("refuse");
            expect(summary.length).toBeLessThanOrEqual(STATUS_DESCRIPTION_LIMIT);
            if (environment.length + after.length < 60) expect(summary).toContain("/hotfix allow 1a2b3c4 ");
            expect(short.length).toBeGreaterThan(0);
            expect(message).toContain(`\`/hotfix allow 1a2b3c4 ${environment} -- <reason>\``);
            expect(message).toContain("open an incident (comment `/incident` on an issue that describes it, or use the incident already open)");
          }
  });
});

describe("decidePromotion: the full message (the protection rule's comment)", () => {
  const EMERGENCY =
    "In an emergency, open an incident (comment `/incident` on an issue that describes it, or use the incident already open) " +
    "and have someone with the maintain role or higher comment `/hotfix allow 1a2b3c4 production -- <reason>` there.";
  test.each<[string, PromotionInput["history"], string]>([
    [
      "never reached",
      [],
      `Refused: 1a2b3c4 has not reached staging yet: production takes a commit from main only once it succeeded in staging at least 30 minutes before, so deploy 1a2b3c4 to staging first. ${EMERGENCY}`,
    ],
    [
      "tried but never succeeded",
      [dep(1, "staging", [["failure", 19]])],
      `Refused: 1a2b3c4 has not succeeded in staging yet: production takes a commit from main only once it succeeded in staging at least 30 minutes before, so deploy 1a2b3c4 to staging first. ${EMERGENCY}`,
    ],
    ["not soaked", [dep(1, "staging", [["success", 12]])], `Refused: 1a2b3c4 reached staging 12 minutes ago and production takes it only 30 minutes after that: deploy it to production again in 18 minutes. ${EMERGENCY}`],
    [
      "failed after success",
      [{ ...dep(1, "staging", [["success", 45]]), statuses: [{ state: "error", createdAt: "2026-11-20T11:55:00Z", writtenBy: TOOL }, { state: "success", createdAt: ago(45), writtenBy: TOOL }] }],
      "Refused: 1a2b3c4 reached staging, then a deployment of it there reported `error` 5 minutes ago, and production takes only a commit that is healthy in staging: " +
        `deploy a fix (or 1a2b3c4 again) to staging first. ${EMERGENCY}`,
    ],
    ["a rollback target", [dep(7, "production", [["success", 300]])], "1a2b3c4 ran in production before (deployment 7): approved as a rollback target."],
    ["GitHub did not answer", { error: "HTTP 502: Bad Gateway" }, "Refused: mainline could not verify that 1a2b3c4 reached staging: GitHub did not answer (HTTP 502: Bad Gateway). Re-run the deployment to ask again."],
  ])("%s", (_case, history, message) => {
    expect(decidePromotion(input(history)).message).toBe(message);
  });
});

describe("decidePromotion: what an exception waives, for its record", () => {
  test.each<[string, PromotionInput["history"], string | undefined]>([
    ["never reached", [], "skipped staging"],
    ["not soaked", [dep(1, "staging", [["success", 12]])], "cut the soak in staging short (12 of 30 minutes)"],
    ["failed after success", [dep(1, "staging", [["failure", 5], ["success", 45]])], "overrode a failure in staging"],
    ["too many to read", Array.from({ length: 10 }, (_, i) => dep(i + 1, "staging", [["success", 60]])), "promotion through staging unverified"],
    ["soaked: nothing", [dep(1, "staging", [["success", 45]])], undefined],
  ])("%s → %s", (_case, history, waives) => {
    expect(decidePromotion(input(history)).waives).toBe(waives);
  });
});

describe("decidePromotion: a `success` counts only as its deployment's own report", () => {
  /** Statuses as [state, minutes ago, who wrote it], on a deployment `createdBy` created. */
  const written = (id: number, environment: string, statuses: Array<[string, number, Account]>, createdBy: Account = TOOL): DeploymentFacts => ({
    ...dep(id, environment, statuses.map(([state, minutes]) => [state, minutes])),
    createdBy,
    statuses: statuses.map(([state, minutes, writtenBy]) => ({ state, createdAt: ago(minutes), writtenBy })),
  });

  test.each<[string, DeploymentFacts[], "approve" | "refuse", string]>([
    ["the deploy tool's success on its own deployment, 45 minutes ago", [written(1, "staging", [["success", 45, TOOL]])], "approve", "soaked"],
    ["a person's success 45 minutes ago", [written(1, "staging", [["success", 45, PERSON]])], "refuse", "never-reached"],
    // GitHub Actions' `environment:` jobs: the person who started the run creates the deployment and writes its statuses.
    ["a person's success on the deployment that person created", [written(1, "staging", [["success", 45, PERSON]], PERSON)], "approve", "soaked"],
    ["a person's success on the deployment another person created", [written(1, "staging", [["success", 45, PERSON]], { id: 10, kind: "person" })], "refuse", "never-reached"],
    ["the deploy tool's success on the deployment a person created", [written(1, "staging", [["success", 45, TOOL]], PERSON)], "refuse", "never-reached"],
    ["a person's success after a deploy tool's failure that followed its success", [written(1, "staging", [["success", 40, PERSON], ["failure", 50, TOOL], ["success", 60, TOOL]])], "refuse", "failed-after-success"],
    ["a person's failure counts like any other", [written(1, "staging", [["failure", 5, PERSON], ["success", 45, TOOL]])], "refuse", "failed-after-success"],
    ["a person's success in production makes no rollback target", [written(7, "production", [["success", 300, PERSON]])], "refuse", "never-reached"],
    // Another installed app writing `success` on the deploy tool's deployment: not that deployment's report.
    ["another app's success on the deploy tool's staging deployment", [written(1, "staging", [["success", 45, OTHER_APP], ["in_progress", 50, TOOL]])], "refuse", "never-reached"],
    [
      "failed in staging, then another app's success: still failed (the attack)",
      [written(1, "staging", [["success", 40, OTHER_APP], ["failure", 50, TOOL], ["success", 60, TOOL]])],
      "refuse",
      "failed-after-success",
    ],
    ["another app's failure counts like any other", [written(1, "staging", [["failure", 5, OTHER_APP], ["success", 45, TOOL]])], "refuse", "failed-after-success"],
    ["a success by a deleted account (no creator)", [written(1, "staging", [["success", 45, null]])], "refuse", "never-reached"],
    ["a success on a deployment whose creator was deleted", [written(1, "staging", [["success", 45, TOOL]], null)], "refuse", "never-reached"],
    // A production deployment this app refused never ran there, whoever says it succeeded since (the attack).
    ["this app refused it in production, then another app's success: no rollback target", [written(7, "production", [["success", 60, OTHER_APP], ["failure", 61, THIS_APP]])], "refuse", "never-reached"],
    ["this app refused it in production, then its own deploy tool's success: no rollback target", [written(7, "production", [["success", 60, TOOL], ["failure", 61, THIS_APP]])], "refuse", "never-reached"],
    ["a staging deployment this app refused never soaks", [written(1, "staging", [["success", 45, TOOL], ["failure", 50, THIS_APP]])], "refuse", "never-reached"],
    ["the deploy tool's own failure in production does not make a refusal: it ran there", [written(7, "production", [["failure", 50, TOOL], ["success", 60, TOOL]])], "approve", "rollback-target"],
    ["another app's failure in production is not this app's refusal", [written(7, "production", [["failure", 50, OTHER_APP], ["success", 60, TOOL]])], "approve", "rollback-target"],
    ["a deployment this app created (a rollback): the deploy tool's success counts", [written(9, "production", [["success", 60, TOOL]], THIS_APP)], "approve", "rollback-target"],
    // The attack: a writer's own production deployment, refused, then 100 successes push the refusal off the page read.
    ["its statuses fill the page read: no rollback target (this app's refusal may be past it)", [written(7, "production", Array.from({ length: 100 }, (_, i): [string, number, Account] => ["success", 10 + i, TOOL]))], "refuse", "never-reached"],
    ["a deployment this app created: a person's success does not", [written(9, "production", [["success", 60, PERSON]], THIS_APP)], "refuse", "never-reached"],
  ])("%s → %s (%s)", (_case, history, verdict, outcome) => {
    expect(decidePromotion(input(history))).toMatchObject({ verdict, outcome });
  });

  test("the refusal says why the success did not count", () => {
    expect(decidePromotion(input([written(1, "staging", [["success", 45, OTHER_APP]])])).message).toMatch(
      /^Refused: 1a2b3c4 has not succeeded in staging yet \(a `success` status there does not count: only the account that created a deployment can report it succeeded, and not on one mainline refused\): production takes/,
    );
    // The status text too: GitHub shows staging green, so "deploy to staging first" alone would puzzle.
    expect(decidePromotion(input([written(1, "staging", [["success", 45, OTHER_APP]])])).summary).toBe(
      "Refused: its staging success does not count: deploy 1a2b3c4 there again. Or /hotfix allow 1a2b3c4 production in an incident",
    );
  });
});
