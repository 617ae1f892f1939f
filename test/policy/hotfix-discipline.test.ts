import { defaultConfig, type Config } from "../../src/config.js";
import { decideHotfixGrant, hotfixReads, matchCriterion, type ApprovalReason, type GrantFacts, type GrantRecords, type RecentExceptionDeploys } from "../../src/policy/hotfix-discipline.js";

const S = "1a2b3c4d5e6f708192a3b4c5d6e7f80910111213";
const NOW = new Date("2026-11-20T12:00:00Z");
const DAY = 86_400_000;
const HOUR = 3_600_000;
const CRITERIA = ["security", "outage", "data-loss", "revenue", "compliance"];

const hotfix = (over: Partial<Config["hotfix"]> = {}): Config["hotfix"] => ({ ...defaultConfig.hotfix, ...over });

/** A deploy under an exception `days` before NOW. */
const deploy = (incident: number, sha: string, days: number) => ({ incident, sha: sha.repeat(40).slice(0, 40), deployedAt: new Date(NOW.getTime() - days * DAY).toISOString() });

type Recent = Extract<RecentExceptionDeploys, { deploys: unknown }>;

/** What the budget's read found: these deploys and, unless `over` says otherwise, no grant, no issue gone unread, the whole window. */
const recent = (deploys: Recent["deploys"], over: Partial<Recent> = {}): Recent => ({ deploys, grants: { grants: [], revokes: [], deploys: [] }, unread: [], complete: true, ...over });

const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();

/** A grant of `sha` to production in `incident`, `hours` before NOW, for 4 hours (the default `ttlHours`). */
const grant = (incident: number, sha: string, hours: number, env = "production") => ({ incident, sha: sha.repeat(40).slice(0, 40), env, at: ago(hours), expires: ago(hours - 4) });

const grants = (over: Partial<GrantRecords>): { grants: GrantRecords } => ({ grants: { grants: [], revokes: [], deploys: [], ...over } });

/** bob moved #40 to acme/secret `days` before NOW, where mainline could not read it. */
const unread = (days: number, read: "none" | "part" = "none") => ({ unread: [{ moved: 40, by: "bob", to: "acme/secret", at: ago(days * 24), read }] });

function facts(over: Partial<GrantFacts> = {}): GrantFacts {
  return { sha: S, reason: "outage: checkout returns 500", approvals: 1, hotfix: hotfix(), now: NOW, ...over };
}

describe("matchCriterion: the reason begins with what makes it a hotfix", () => {
  test.each<[string, string, string[], string | null | "refused"]>([
    ["no criteria: any reason", "fixing stuff", [], null],
    ["the SPEC's example", "outage: checkout returns 500", CRITERIA, "outage"],
    ["another case", "Outage: checkout returns 500", CRITERIA, "outage"],
    ["shouting", "OUTAGE: 500s everywhere", CRITERIA, "outage"],
    ["a space instead of a colon", "outage checkout returns 500", CRITERIA, "outage"],
    ["a dash after a space", "outage - checkout returns 500", CRITERIA, "outage"],
    ["a space before the colon", "outage : checkout returns 500", CRITERIA, "outage"],
    ["no space after the colon", "outage:checkout returns 500", CRITERIA, "outage"],
    ["leading whitespace", "   outage: checkout returns 500", CRITERIA, "outage"],
    ["the criterion alone", "outage", CRITERIA, "outage"],
    ["a criterion with a dash", "data-loss: orders dropped", CRITERIA, "data-loss"],
    ["the config's spelling is recorded", "security: CVE-2026-1234", ["Security"], "Security"],
    ["the longest criterion that matches", "data loss: orders dropped", ["data", "data loss"], "data loss"],
    ["any whitespace between a criterion's words", "Data \t Loss: orders dropped", ["data loss"], "data loss"],
    ["the shorter one when only it matches", "data: a table is gone", ["data", "data loss"], "data"],
    ["regex characters are literal", "c++: the build crashes", ["c++"], "c++"],
    ["a longer word is not the criterion", "outages: checkout returns 500", CRITERIA, "refused"],
    ["a dash straight after is not a separator", "outage-ish: slow checkout", CRITERIA, "refused"],
    ["it must come first", "an outage: checkout returns 500", CRITERIA, "refused"],
    ["a slash joins two words", "security/outage: both", CRITERIA, "refused"],
    ["no criterion at all", "the CEO wants it", CRITERIA, "refused"],
    ["regex characters are not patterns", "cx: the build crashes", ["c++"], "refused"],
    ["blank criteria count as none", "fixing stuff", ["  "], null],
  ])("%s: %j with %j → %s", (_case, reason, criteria, expected) => {
    const match = matchCriterion(reason, criteria);
    if (expected === "refused") expect(match.ok).toBe(false);
    else expect(match).toEqual({ ok: true, criterion: expected });
  });

  test("the reply lists the criteria and shows the form", () => {
    const match = matchCriterion("fixing stuff", CRITERIA);
    const error =
      "the reason must begin with what makes this a hotfix, one of this repository's `hotfix.criteria`: " +
      "`security`, `outage`, `data-loss`, `revenue`, `compliance`; for example `-- security: <what is broken>`";
    expect(match).toEqual({ ok: false, error });
    expect(error).toHaveLength(200);
  });

  test("criteria are the team's text: shown as code, marker syntax neutralised, a long list cut", () => {
    const hostile = matchCriterion("x", ["<!-- x --> `y`"]);
    expect(hostile).toEqual({ ok: false, error: expect.stringContaining("`<!-\u200b- x -\u200b-> 'y'`") });
    const many = Array.from({ length: 25 }, (_, i) => `c${i}`);
    const long = matchCriterion("x", many);
    expect(long.ok === false && long.error).toContain("`c18`, `c19` and 5 more; for example `-- c0: <what is broken>`");
  });
});

describe("decideHotfixGrant: approvals needed and why", () => {
  const big = hotfix({ maxChangedLines: 50 });
  const budget = hotfix({ budget: { count: 3, days: 30 } });
  const three = [deploy(10, "a", 1), deploy(11, "b", 5), deploy(12, "c", 29)];
  test.each<[string, Partial<GrantFacts>, 1 | 2, Array<ApprovalReason["kind"]>]>([
    // case, facts, approvals, reasons
    ["the defaults: one person", {}, 1, []],
    ["override.approvals 2", { approvals: 2 }, 2, ["configured"]],
    ["no size limit: any size", { changedLines: { lines: 5000, complete: true } }, 1, []],
    ["exactly maxChangedLines", { hotfix: big, changedLines: { lines: 50, complete: true } }, 1, []],
    ["one line over maxChangedLines", { hotfix: big, changedLines: { lines: 51, complete: true } }, 2, ["too-large"]],
    ["over maxChangedLines where the config asks two anyway", { hotfix: big, approvals: 2, changedLines: { lines: 51, complete: true } }, 2, ["configured", "too-large"]],
    ["a commit already on main changes nothing against it", { hotfix: big, changedLines: { lines: 0, complete: true } }, 1, []],
    ["GitHub listed only some files, and those are already over", { hotfix: big, changedLines: { lines: 400, complete: false } }, 2, ["too-large"]],
    ["GitHub listed only some files, within the limit so far", { hotfix: big, changedLines: { lines: 30, complete: false } }, 2, ["size-unverified"]],
    ["the compare failed", { hotfix: big, changedLines: { error: "HTTP 502: Bad Gateway" } }, 2, ["size-unverified"]],
    ["the size was not read", { hotfix: big }, 2, ["size-unverified"]],
    ["no budget: any number of hotfixes", { recentDeploys: recent([...three, ...three]) }, 1, []],
    ["two deploys of a budget of three", { hotfix: budget, recentDeploys: recent(three.slice(0, 2)) }, 1, []],
    ["three deploys: the budget is spent", { hotfix: budget, recentDeploys: recent(three) }, 2, ["budget-spent"]],
    ["a redeploy of the same commit is not another hotfix", { hotfix: budget, recentDeploys: recent([...three.slice(0, 2), deploy(10, "a", 0.5)]) }, 1, []],
    ["the same commit in another incident is", { hotfix: budget, recentDeploys: recent([...three.slice(0, 2), deploy(13, "a", 0.5)]) }, 2, ["budget-spent"]],
    ["one of them older than the window", { hotfix: budget, recentDeploys: recent([...three.slice(0, 2), deploy(12, "c", 31)]) }, 1, []],
    ["one of them exactly at the window's start", { hotfix: budget, recentDeploys: recent([...three.slice(0, 2), deploy(12, "c", 30)]) }, 2, ["budget-spent"]],
    ["a read cut short, already spent", { hotfix: budget, recentDeploys: recent(three, { complete: false }) }, 2, ["budget-spent"]],
    ["a read cut short, not spent so far", { hotfix: budget, recentDeploys: recent(three.slice(0, 1), { complete: false }) }, 2, ["budget-unverified"]],
    // Grants still in force and not yet used are deploys to come.
    ["two deploys and a grant not yet used: the budget is spent", { hotfix: budget, recentDeploys: recent(three.slice(0, 2), grants({ grants: [grant(13, "d", 1)] })) }, 2, ["budget-spent"]],
    ["no deploy, three grants on one comment", { hotfix: budget, recentDeploys: recent([], grants({ grants: [grant(13, "d", 0), grant(13, "e", 0), grant(13, "f", 0)] })) }, 2, ["budget-spent"]],
    ["a grant that expired", { hotfix: budget, recentDeploys: recent(three.slice(0, 2), grants({ grants: [grant(13, "d", 5)] })) }, 1, []],
    ["a grant revoked", { hotfix: budget, recentDeploys: recent(three.slice(0, 2), grants({ grants: [grant(13, "d", 1)], revokes: [{ incident: 13, sha: "d".repeat(40), at: ago(0.5) }] })) }, 1, []],
    [
      "a grant made again after a revoke",
      { hotfix: budget, recentDeploys: recent(three.slice(0, 2), grants({ grants: [grant(13, "d", 1)], revokes: [{ incident: 13, sha: "d".repeat(40), at: ago(2) }] })) },
      2,
      ["budget-spent"],
    ],
    [
      "a revoke of the same commit in another incident",
      { hotfix: budget, recentDeploys: recent(three.slice(0, 2), grants({ grants: [grant(13, "d", 1)], revokes: [{ incident: 14, sha: "d".repeat(40), at: ago(0.5) }] })) },
      2,
      ["budget-spent"],
    ],
    [
      "a grant used: counted once, as its deploy",
      { hotfix: budget, recentDeploys: recent([deploy(10, "a", 1), deploy(13, "d", 0.02)], grants({ grants: [grant(13, "d", 1)], deploys: [{ incident: 13, sha: "d".repeat(40), env: "production", at: ago(0.5) }] })) },
      1,
      [],
    ],
    [
      "a grant used elsewhere: a deploy to staging leaves the production grant to come",
      {
        hotfix: budget,
        recentDeploys: recent(three.slice(0, 2), grants({ grants: [grant(13, "d", 1)], deploys: [{ incident: 13, sha: "d".repeat(40), env: "staging", at: ago(0.5) }] })),
      },
      2,
      ["budget-spent"],
    ],
    ["two grants of one commit in one incident count once", { hotfix: budget, recentDeploys: recent(three.slice(0, 1), grants({ grants: [grant(13, "d", 1), grant(13, "d", 1, "staging")] })) }, 1, []],
    // An issue that left where mainline could not read it may have held deploys.
    ["an issue moved unread within the window", { hotfix: budget, recentDeploys: recent([], unread(29)) }, 2, ["budget-moved-unread"]],
    ["an issue moved with more comments than mainline reads", { hotfix: budget, recentDeploys: recent([], unread(1, "part")) }, 2, ["budget-moved-unread"]],
    ["an issue moved unread before the window", { hotfix: budget, recentDeploys: recent([], unread(31)) }, 1, []],
    ["an issue moved unread, the deploys alone spending it: it says what it cannot count", { hotfix: budget, recentDeploys: recent(three, unread(2)) }, 2, ["budget-moved-unread"]],
    ["the deploys could not be read", { hotfix: budget, recentDeploys: { error: "HTTP 502: Bad Gateway" } }, 2, ["budget-unverified"]],
    ["the deploys were not read", { hotfix: budget }, 2, ["budget-unverified"]],
    [
      "everything at once",
      { approvals: 2, hotfix: hotfix({ maxChangedLines: 50, budget: { count: 3, days: 30 } }), changedLines: { lines: 120, complete: true }, recentDeploys: recent(three) },
      2,
      ["configured", "too-large", "budget-spent"],
    ],
  ])("%s → %d %j", (_case, over, approvals, kinds) => {
    const decision = decideHotfixGrant(facts(over));
    expect(decision).toMatchObject({ ok: true, approvals });
    expect(decision.ok && decision.reasons.map((r) => r.kind)).toEqual(kinds);
  });

  test("a reason that names no criterion is refused before anything else is weighed", () => {
    const decision = decideHotfixGrant(facts({ reason: "hurry", hotfix: hotfix({ criteria: CRITERIA, maxChangedLines: 50 }), changedLines: { lines: 500, complete: true } }));
    expect(decision).toEqual({ ok: false, error: expect.stringMatching(/^the reason must begin with what makes this a hotfix/) });
  });

  test("the criterion is kept for the record", () => {
    expect(decideHotfixGrant(facts({ hotfix: hotfix({ criteria: CRITERIA }) }))).toMatchObject({ ok: true, criterion: "outage" });
    expect(decideHotfixGrant(facts())).toMatchObject({ ok: true, criterion: null });
  });
});

describe("decideHotfixGrant: the sentence the grant's record and reply end with", () => {
  const LEAD = "It needs a second person's `/hotfix approve 1a2b3c4` before it can be used.";
  const BIG = "Its change against main is 120 lines (added + deleted), more than `hotfix.maxChangedLines` allows (50).";
  const HABIT = "This repository already had 3 exception deploys in the last 30 days, the `hotfix.budget` (3): hotfixes have become a habit (`/mainline report` shows the trend).";
  const three = [deploy(10, "a", 1), deploy(11, "b", 5), deploy(12, "c", 29)];
  test.each<[string, Partial<GrantFacts>, string, number]>([
    ["one person suffices: nothing to add", {}, "", 0],
    ["override.approvals 2: the sentence it always had", { approvals: 2 }, LEAD, 75],
    ["too large", { hotfix: hotfix({ maxChangedLines: 50 }), changedLines: { lines: 120, complete: true } }, `${LEAD} ${BIG}`, 179],
    ["a habit", { hotfix: hotfix({ budget: { count: 3, days: 30 } }), recentDeploys: recent(three) }, `${LEAD} ${HABIT}`, 236],
    [
      "a budget of one in one day",
      { hotfix: hotfix({ budget: { count: 1, days: 1 } }), recentDeploys: recent(three.slice(0, 1)) },
      `${LEAD} This repository already had 1 exception deploy in the last day, the \`hotfix.budget\` (1): hotfixes have become a habit (\`/mainline report\` shows the trend).`,
      231,
    ],
    [
      "deploys and grants not used yet",
      { hotfix: hotfix({ budget: { count: 2, days: 30 } }), recentDeploys: recent(three.slice(0, 1), grants({ grants: [grant(13, "d", 1)] })) },
      `${LEAD} This repository already had 1 exception deploy and 1 exception granted and not yet used in the last 30 days, the \`hotfix.budget\` (2): hotfixes have become a habit (\`/mainline report\` shows the trend).`,
      276,
    ],
    [
      "grants not used yet alone",
      { hotfix: hotfix({ budget: { count: 2, days: 30 } }), recentDeploys: recent([], grants({ grants: [grant(13, "d", 1), grant(13, "e", 0)] })) },
      `${LEAD} This repository already had 2 exceptions granted and not yet used in the last 30 days, the \`hotfix.budget\` (2): hotfixes have become a habit (\`/mainline report\` shows the trend).`,
      254,
    ],
    [
      "an issue moved where mainline cannot read it",
      { hotfix: hotfix({ budget: { count: 3, days: 30 } }), recentDeploys: recent([], unread(1)) },
      `${LEAD} An issue moved on 2026-11-19 to a repository mainline cannot read (#40, to acme/secret, by **bob**) may have held exception deploys, so until 2026-12-19 mainline cannot tell that the \`hotfix.budget\` (3) is not spent.`,
      292,
    ],
    [
      "an issue moved with more comments than mainline reads",
      { hotfix: hotfix({ budget: { count: 3, days: 30 } }), recentDeploys: recent([], unread(1, "part")) },
      `${LEAD} An issue moved on 2026-11-19 with more comments than mainline reads (#40, to acme/secret, by **bob**) may have held exception deploys, so until 2026-12-19 mainline cannot tell that the \`hotfix.budget\` (3) is not spent.`,
      294,
    ],
    [
      "both, and the config's two",
      { approvals: 2, hotfix: hotfix({ maxChangedLines: 50, budget: { count: 3, days: 30 } }), changedLines: { lines: 120, complete: true }, recentDeploys: recent(three) },
      `${LEAD} ${BIG} ${HABIT}`,
      340,
    ],
    [
      "could not count either",
      { hotfix: hotfix({ maxChangedLines: 50, budget: { count: 3, days: 30 } }), changedLines: { error: "HTTP 502: Bad Gateway" }, recentDeploys: recent([], { complete: false }) },
      `${LEAD} mainline could not count the lines it changes against main (HTTP 502: Bad Gateway), so it cannot tell that it is within \`hotfix.maxChangedLines\` (50). ` +
        "mainline could not count this repository's exception deploys of the last 30 days (more than mainline reads), so it cannot tell that the `hotfix.budget` (3) is not spent.",
      396,
    ],
    [
      "GitHub listed only some files",
      { hotfix: hotfix({ maxChangedLines: 50 }), changedLines: { lines: 10, complete: false } },
      `${LEAD} mainline could not count the lines it changes against main (GitHub listed only some of its files), so it cannot tell that it is within \`hotfix.maxChangedLines\` (50).`,
      241,
    ],
    [
      "files GitHub counts no lines in",
      { hotfix: hotfix({ maxChangedLines: 50 }), changedLines: { lines: 10, complete: false, uncounted: "GitHub gives no line count for 2 of its files, binary or not shown as a diff" } },
      `${LEAD} mainline could not count the lines it changes against main (GitHub gives no line count for 2 of its files, binary or not shown as a diff), so it cannot tell that it is within \`hotfix.maxChangedLines\` (50).`,
      281,
    ],
  ])("%s", (_case, over, note, length) => {
    const decision = decideHotfixGrant(facts(over));
    expect(decision.ok && decision.note).toBe(note);
    expect(note).toHaveLength(length);
  });
});

describe("hotfixReads: what the caller reads before a grant", () => {
  test.each<[string, Config["hotfix"], { changedLines: boolean; deploysSince: string | undefined }]>([
    ["nothing under the defaults", hotfix(), { changedLines: false, deploysSince: undefined }],
    ["compare main...S for a size limit", hotfix({ maxChangedLines: 50 }), { changedLines: true, deploysSince: undefined }],
    ["the exception deploys of the budget's window", hotfix({ budget: { count: 3, days: 30 } }), { changedLines: false, deploysSince: "2026-10-21T12:00:00.000Z" }],
    ["a window without a count is off", hotfix({ budget: { count: 0, days: 7 } }), { changedLines: false, deploysSince: undefined }],
  ])("%s", (_case, config, reads) => {
    expect(hotfixReads(config, NOW)).toEqual(reads);
  });
});
