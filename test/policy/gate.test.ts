import { decideDeployment, protectionRuleTarget, type Ancestry, type GateInput, type GatePromotion, type GrantedException } from "../../src/policy/gate.js";
import { decidePromotion } from "../../src/policy/promotion.js";
import { STATUS_DESCRIPTION_LIMIT } from "../../src/policy/status-description.js";
import { neutraliseMarkers } from "../../src/policy/text.js";

const S = "2222222222222222222222222222222222222222";
const HEAD = "3333333333333333333333333333333333333333";
const NOW = new Date("2026-11-20T12:00:00Z");

const ancestries: Record<string, Ancestry> = {
  "on main (behind)": { kind: "on-main", mainHead: HEAD },
  "identical to main": { kind: "on-main", mainHead: S },
  "ahead of main": { kind: "off-main", mainHead: HEAD, aheadBy: 1, behindBy: 0 },
  "diverged from main": { kind: "off-main", mainHead: HEAD, aheadBy: 2, behindBy: 5 },
  "unknown to GitHub": { kind: "not-comparable", detail: "HTTP 404: No commit found" },
  "API error": { kind: "unverifiable", error: "HTTP 502: Bad Gateway" },
};

function input(ancestry: Ancestry, over: Partial<GateInput> = {}): GateInput {
  return {
    sha: S,
    environment: "production",
    mainBranch: "main",
    mode: "enforce",
    onApiError: "reject",
    grantRole: "maintain",
    ancestry,
    exceptions: [],
    now: NOW,
    ...over,
  };
}

describe("decideDeployment: verdict table", () => {
  test.each([
    // ancestry,             mode,      onApiError, verdict,   enforced,  outcome
    ["on main (behind)", "enforce", "reject", "approve", "approve", "on-main"],
    ["identical to main", "enforce", "reject", "approve", "approve", "on-main"],
    ["ahead of main", "enforce", "reject", "refuse", "refuse", "off-main"],
    ["diverged from main", "enforce", "reject", "refuse", "refuse", "off-main"],
    ["unknown to GitHub", "enforce", "reject", "refuse", "refuse", "not-comparable"],
    ["unknown to GitHub", "enforce", "approve", "refuse", "refuse", "not-comparable"],
    ["API error", "enforce", "reject", "refuse", "refuse", "unverifiable"],
    ["API error", "enforce", "approve", "approve", "approve", "unverifiable"],
    ["on main (behind)", "shadow", "reject", "approve", "approve", "on-main"],
    ["diverged from main", "shadow", "reject", "approve", "refuse", "off-main"],
    ["API error", "shadow", "reject", "approve", "refuse", "unverifiable"],
  ] as const)("%s, %s mode, onApiError %s → %s (enforce: %s, %s)", (name, mode, onApiError, verdict, enforced, outcome) => {
    const decision = decideDeployment(input(ancestries[name]!, { mode, onApiError }));
    expect(decision).toMatchObject({ verdict, enforcedVerdict: enforced, outcome });
  });
});

describe("decideDeployment: messages", () => {
  test("a refusal names the commit, main's head, why, and both ways forward, without assuming an incident is open", () => {
    const { message } = decideDeployment(input(ancestries["diverged from main"]!));
    expect(message).toBe(
      "Refused: 2222222 is not on main (head 3333333; 2222222 is 2 commits ahead of it and 5 behind). " +
        "production runs only commits already on main. Two ways forward: (1) merge a pull request with this change into main " +
        "and deploy that commit; or (2) in an emergency, open an incident (comment `/incident` on an issue that describes it, " +
        "or use the incident already open) and have someone with the maintain role or higher comment " +
        "`/hotfix allow 2222222 production -- <reason>` there; then deploy again.",
    );
  });

  test("an API error says it could not verify, not that the commit is off main", () => {
    const { message } = decideDeployment(input(ancestries["API error"]!));
    expect(message).toContain("could not verify that 2222222 is on main: GitHub did not answer (HTTP 502: Bad Gateway)");
    expect(message).toContain("this says nothing about whether 2222222 is on main");
    expect(message).not.toContain("is not on main");
  });

  test("shadow mode says what enforce mode would have done", () => {
    const decision = decideDeployment(input(ancestries["ahead of main"]!, { mode: "shadow" }));
    expect(decision.message).toMatch(/^\[shadow mode: approved; enforce mode would refuse\] Refused: 2222222 is not on main/);
    expect(decision.summary).toMatch(/^\[shadow: would refuse\]/);
  });

  test.each(Object.keys(ancestries))("the status summary fits GitHub's 140 characters (%s), even with long names", (name) => {
    for (const mode of ["enforce", "shadow"] as const) {
      const decision = decideDeployment(
        input(ancestries[name]!, { mode, mainBranch: "a-very-long-main-branch-name-for-testing", environment: "production-eu-west-1-canary" }),
      );
      expect(decision.summary.length).toBeLessThanOrEqual(STATUS_DESCRIPTION_LIMIT);
    }
  });
});

describe("decideDeployment: the 140-character status keeps the way forward", () => {
  const LONG_MAIN = "a-very-long-main-branch-name-for-testing";
  const LONG_ENV = "production-eu-west-1-canary";
  test.each([
    // ancestry,            mode,      main,       environment,   role,       summary (its length)
    ["diverged from main", "enforce", "main", "production", "maintain", "Refused: 2222222 is not on main. Merge a PR to main, or /incident, then a maintainer runs /hotfix allow 2222222 production -- <reason>", 134],
    ["ahead of main", "enforce", "master", "production", "maintain", "Refused: 2222222 is not on master. Merge a PR to master, or /incident, then a maintainer runs /hotfix allow 2222222 production -- <reason>", 138],
    ["ahead of main", "enforce", "main", "production", "admin", "Refused: 2222222 is not on main. Merge a PR to main, or /incident, then an admin runs /hotfix allow 2222222 production -- <reason>", 130],
    ["ahead of main", "enforce", "main", "prod", "write", "Refused: 2222222 is not on main. Merge a PR to main, or /incident, then a writer runs /hotfix allow 2222222 prod -- <reason>", 124],
    ["ahead of main", "enforce", "main", LONG_ENV, "maintain", "Refused: 2222222 is not on main. Merge a PR to main, or /incident, then a maintainer runs /hotfix allow 2222222 production-eu-west-1-canary", 139],
    ["ahead of main", "enforce", LONG_MAIN, "production", "maintain", "Refused: 2222222 is not on the main branch. Merge a PR to it, or /incident, then a maintainer runs /hotfix allow 2222222 production", 131],
    ["ahead of main", "enforce", LONG_MAIN, LONG_ENV, "maintain", "Refused: 2222222 is not on the main branch. Merge a PR to it, or /incident, then a maintainer runs /hotfix allow 2222222 <env>", 126],
    ["unknown to GitHub", "enforce", "main", "production", "maintain", "Refused: 2222222 is not a known commit on main. Merge a PR to main, or /incident, then a maintainer runs /hotfix allow 2222222 production", 137],
    ["unknown to GitHub", "enforce", LONG_MAIN, LONG_ENV, "maintain", "Refused: 2222222 is not on main. Merge a PR to it, or /incident, then a maintainer runs /hotfix allow 2222222 <env>", 115],
    ["ahead of main", "shadow", "main", "production", "maintain", "[shadow: would refuse] 2222222 is not on main. Merge a PR to main, or /incident, then a maintainer runs /hotfix allow 2222222 production", 136],
    ["ahead of main", "shadow", LONG_MAIN, LONG_ENV, "maintain", "[shadow: would refuse] 2222222 is not on the main branch. Merge a PR to it, or /incident, then a maintainer runs /hotfix allow 2222222 <env>", 140],
    ["API error", "enforce", "main", "production", "maintain", "Refused: could not verify 2222222 is on main; re-run the deployment.", 68],
    ["API error", "enforce", LONG_MAIN, "production", "maintain", "Refused: could not verify 2222222 is on a-very-long-main-branch-name-for-testing; re-run the deployment.", 104],
    ["on main (behind)", "enforce", "main", "production", "maintain", "2222222 is on main: approved.", 29],
    ["on main (behind)", "shadow", "main", "production", "maintain", "[shadow: would approve] 2222222 is on main: approved.", 53],
  ] as const)("%s, %s, main %s, env %s, %s grants → %j (%d)", (name, mode, mainBranch, environment, grantRole, summary, length) => {
    const decision = decideDeployment(input(ancestries[name]!, { mode, mainBranch, environment, grantRole }));
    expect(decision.summary).toBe(summary);
    expect(decision.summary).toHaveLength(length);
  });

  test.each(["ahead of main", "diverged from main", "unknown to GitHub"])("every refusal (%s) keeps both ways forward and assumes no open incident, whatever the names", (name) => {
    const names = ["main", "master", LONG_MAIN, "x".repeat(200)];
    const environments = ["production", LONG_ENV, "y".repeat(200)];
    for (const mode of ["enforce", "shadow"] as const)
      for (const grantRole of ["write", "maintain", "admin"])
        for (const mainBranch of names)
          for (const environment of environments) {
            const { summary, message } = decideDeployment(input(ancestries[name]!, { mode, grantRole, mainBranch, environment }));
            expect(summary.length).toBeLessThanOrEqual(STATUS_DESCRIPTION_LIMIT);
            expect(summary).toMatch(/Merge a PR to .+, or \/incident, then an? (writer|maintainer|admin) runs \/hotfix allow 2222222 /);
            expect(message).toContain("open an incident (comment `/incident` on an issue that describes it, or use the incident already open)");
            expect(`${summary} ${message}`).not.toMatch(/in the open incident|in the incident\b/);
          }
  });

  test("the fit is measured as sent: marker syntax in a name is neutralised first, and still fits", () => {
    const decision = decideDeployment(input(ancestries["ahead of main"]!, { mainBranch: "<!--main-->", environment: "prod<!--x-->" }));
    expect(neutraliseMarkers(decision.summary).length).toBeLessThanOrEqual(STATUS_DESCRIPTION_LIMIT);
    expect(decision.summary).toContain("/hotfix allow 2222222");
  });
});

describe("decideDeployment: exceptions (the seam incidents fill)", () => {
  const granted = (over: Partial<GrantedException> = {}): GrantedException => ({
    sha: S,
    environment: "production",
    incident: 42,
    grantedBy: "octocat",
    expiresAt: "2026-11-20T14:00:00Z",
    ...over,
  });

  test("an unexpired exception for (S, E) approves an off-main commit and names the incident", () => {
    const decision = decideDeployment(input(ancestries["diverged from main"]!, { exceptions: [granted()] }));
    expect(decision).toMatchObject({ verdict: "approve", outcome: "exception", exception: { incident: 42 } });
    expect(decision.message).toContain("@octocat granted an exception for production in incident #42");
  });

  test.each([
    ["expired", granted({ expiresAt: "2026-11-20T11:59:59Z" })],
    ["for another commit", granted({ sha: "4".repeat(40) })],
    ["for another environment", granted({ environment: "staging" })],
  ])("an exception %s does not open the gate", (_why, exception) => {
    expect(decideDeployment(input(ancestries["ahead of main"]!, { exceptions: [exception] })).verdict).toBe("refuse");
  });

  test("an exception still applies when GitHub cannot be asked about ancestry", () => {
    expect(decideDeployment(input(ancestries["API error"]!, { exceptions: [granted()] })).outcome).toBe("exception");
  });

  test("a commit on main needs no exception even when one exists", () => {
    expect(decideDeployment(input(ancestries["on main (behind)"]!, { exceptions: [granted()] })).outcome).toBe("on-main");
  });
});

describe("decideDeployment under a promotion rule (SPEC 10)", () => {
  const rule = { pattern: "production", after: "staging", soakMinutes: 30 };
  /** What the procedure hands the gate: the rule's decision on S's history (statuses newest first, [state, minutes ago]). */
  /** The deploy tool's bot, which created the staging deployment and reported on it. */
  const TOOL = { id: 41898282, kind: "app" } as const;
  const promoted = (statuses: Array<[string, number]>): GatePromotion => ({
    rule,
    decision: decidePromotion({
      sha: S,
      environment: "production",
      mainBranch: "main",
      grantRole: "maintain",
      onApiError: "reject",
      promotion: { production: { after: "staging", soakMinutes: 30 } },
      onMain: true,
      now: NOW,
      history: statuses.length === 0 ? [] : [{ id: 1, environment: "staging", sha: S, createdAt: "2026-11-20T10:00:00Z", createdBy: TOOL, statuses: statuses.map(([state, m]) => ({ state, createdAt: new Date(NOW.getTime() - m * 60_000).toISOString(), writtenBy: TOOL })) }],
    }),
  });
  const exception: GrantedException = { sha: S, environment: "production", incident: 42, grantedBy: "octocat", expiresAt: "2026-11-20T16:00:00Z" };

  test.each<[string, Ancestry, GatePromotion, GrantedException[], "approve" | "refuse", string]>([
    ["on main, soaked", ancestries["on main (behind)"]!, promoted([["success", 45]]), [], "approve", "soaked"],
    ["on main, not soaked", ancestries["on main (behind)"]!, promoted([["success", 12]]), [], "refuse", "not-soaked"],
    ["on main, never in staging", ancestries["on main (behind)"]!, promoted([]), [], "refuse", "never-reached"],
    ["on main, failed in staging after success", ancestries["on main (behind)"]!, promoted([["failure", 5], ["success", 45]]), [], "refuse", "failed-after-success"],
    ["on main, an exception waives the rule", ancestries["on main (behind)"]!, { rule, decision: null }, [exception], "approve", "exception"],
    ["on main, the rule not asked and no exception: refused", ancestries["on main (behind)"]!, { rule, decision: null }, [], "refuse", "promotion-unverifiable"],
    ["off main: the main-first refusal, whatever the rule", ancestries["ahead of main"]!, { rule, decision: null }, [], "refuse", "off-main"],
    ["off main with an exception: the ordinary exception", ancestries["ahead of main"]!, { rule, decision: null }, [exception], "approve", "exception"],
  ])("%s", (_case, ancestry, promotion, exceptions, verdict, outcome) => {
    const decision = decideDeployment(input(ancestry, { promotion, exceptions }));
    expect(decision).toMatchObject({ verdict, enforcedVerdict: verdict, outcome });
    expect(decision.summary.length).toBeLessThanOrEqual(STATUS_DESCRIPTION_LIMIT);
    expect(decision.waived).toEqual(outcome === "exception" && ancestry.kind === "on-main" ? { after: "staging" } : undefined);
  });

  test("the refusal says S is on main, then the rule's missing step; the status keeps the step first", () => {
    const decision = decideDeployment(input(ancestries["on main (behind)"]!, { promotion: promoted([["success", 12]]) }));
    expect(decision.message).toMatch(/^Refused: 2222222 is on main \(head 3333333\)\. 2222222 reached staging 12 minutes ago and production takes it only 30 minutes after that: deploy it to production again in 18 minutes\. /);
    expect(decision.summary).toBe("Refused: it reached staging 12 minutes ago; production needs 30. Retry in 18 minutes. Or /hotfix allow 2222222 production in an incident");
  });

  test("shadow mode approves and says what enforce mode would do with the rule", () => {
    const decision = decideDeployment(input(ancestries["on main (behind)"]!, { mode: "shadow", promotion: promoted([]) }));
    expect(decision).toMatchObject({ verdict: "approve", enforcedVerdict: "refuse", outcome: "never-reached" });
    expect(decision.message).toMatch(/^\[shadow mode: approved; enforce mode would refuse\] Refused: 2222222 is on main/);
    expect(decision.summary).toMatch(/^\[shadow: would refuse\] deploy 2222222 to staging first/);
  });

  test("an exception for a commit on main names what it waives, and no merge-back", () => {
    const decision = decideDeployment(input(ancestries["on main (behind)"]!, { promotion: { rule, decision: null }, exceptions: [exception] }));
    expect(decision.message).toBe(
      "2222222 is on main (head 3333333), and @octocat granted an exception for production in incident #42 (expires 2026-11-20T16:00:00Z): " +
        "approved without the promotion through staging that production asks for. It is on main, so nothing needs merging back.",
    );
    expect(decision.summary).toBe("2222222 approved under the exception in incident #42 (skipped staging).");
  });

  test("a refusal of a commit off main names the promotion step that follows main", () => {
    const { message } = decideDeployment(input(ancestries["ahead of main"]!, { promotion: { rule, decision: null } }));
    expect(message).toMatch(/; then deploy again\. Once it is on main, production takes it only after it reached staging and at least 30 minutes later, unless an exception covers it\.$/);
  });
});

describe("protectionRuleTarget: what a protection rule request asks about", () => {
  test.each([
    ["the deployment's sha and the payload's environment", { deployment_callback_url: "u", environment: "prod", sha: "b".repeat(40), deployment: { sha: "a".repeat(40), environment: "stage" } }, { callbackUrl: "u", environment: "prod", sha: "a".repeat(40) }],
    ["without a deployment: the payload's sha", { deployment_callback_url: "u", environment: "prod", sha: "b".repeat(40) }, { callbackUrl: "u", environment: "prod", sha: "b".repeat(40) }],
    ["without an environment: the deployment's", { deployment_callback_url: "u", deployment: { sha: "a".repeat(40), environment: "stage" } }, { callbackUrl: "u", environment: "stage", sha: "a".repeat(40) }],
    ["what is not text is not taken", { deployment_callback_url: 7, environment: ["prod"], deployment: null }, { callbackUrl: undefined, environment: undefined, sha: undefined }],
  ])("%s", (_case, payload, expected) => {
    expect(protectionRuleTarget(payload)).toEqual(expected);
  });
});
