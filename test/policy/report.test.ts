import { renderReport } from "../../src/policy/report-text.js";
import { parseConfig } from "../../src/config.js";
import { weakenings } from "../../src/policy/config-weakening.js";
import { computeReport, isReviewDone, perPeriod, type PostMergeReviewFacts, type ReportFacts } from "../../src/policy/report.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const A = "a".repeat(40);
const A2 = "a2".repeat(20);
const B = "b".repeat(40);
const C = "c".repeat(40);
const OLD = "0".repeat(40);

const empty: ReportFacts = { now: NOW, incidents: [], exceptions: [], exceptionDeploys: [], mergeBacks: [], rcas: [] };

/**
 * A quarter with known answers: a cascade of two hotfixes (#10, #11) on Nov 1st, a force-closed
 * incident (#12) in October, a fresh one (#13), and an incident (#5) from before the window; a
 * rollback in #11; five post-merge reviews in November (#60 to #64), one (#59) from before.
 */
const history: ReportFacts = {
  now: NOW,
  incidents: [
    { number: 5, title: "Old outage", openedAt: "2026-08-01T00:00:00Z", closedAt: "2026-08-03T00:00:00Z", cascade: false, forceClosed: true },
    { number: 10, title: "Checkout 500s", openedAt: "2026-11-01T08:00:00Z", closedAt: "2026-11-05T00:00:00Z", cascade: true, forceClosed: false },
    { number: 11, title: "Payments <b>down</b> @oncall", openedAt: "2026-11-01T20:00:00Z", closedAt: null, cascade: true, forceClosed: false },
    { number: 12, title: "Search slow", openedAt: "2026-10-01T00:00:00Z", closedAt: "2026-10-03T00:00:00Z", cascade: false, forceClosed: true },
    { number: 13, title: "Login loop", openedAt: "2026-11-18T12:00:00Z", closedAt: null, cascade: false, forceClosed: false },
  ],
  exceptions: [
    { incident: 5, sha: OLD, grantedAt: "2026-08-01T01:00:00Z", used: true },
    { incident: 10, sha: A, grantedAt: "2026-11-01T09:00:00Z", used: true, criterion: "outage" },
    // The same criterion in another spelling (the config's changed): one criterion, spelled as the latest grant spelled it.
    { incident: 10, sha: A2, grantedAt: "2026-11-01T09:30:00Z", used: false, criterion: "Outage" },
    { incident: 11, sha: B, grantedAt: "2026-11-01T21:00:00Z", used: true, criterion: "security" },
    // Granted while `hotfix.criteria` was empty.
    { incident: 12, sha: C, grantedAt: "2026-10-01T01:00:00Z", used: true },
  ],
  exceptionDeploys: [
    { incident: 5, sha: OLD, deployedAt: "2026-08-01T02:00:00Z" },
    { incident: 10, sha: A, deployedAt: "2026-11-01T10:00:00Z" },
    // A redeploy of the same commit: neither another hotfix nor a later start for its merge-back.
    { incident: 10, sha: A, deployedAt: "2026-11-01T12:00:00Z" },
    { incident: 11, sha: B, deployedAt: "2026-11-01T22:00:00Z" },
    { incident: 12, sha: C, deployedAt: "2026-10-01T02:00:00Z" },
  ],
  mergeBacks: [
    { incident: 5, sha: OLD, openedAt: "2026-08-01T02:00:00Z", doneAt: "2026-08-01T03:00:00Z" },
    { incident: 10, sha: A, openedAt: "2026-11-01T10:00:00Z", doneAt: "2026-11-01T15:30:00Z" },
    { incident: 11, sha: B, openedAt: "2026-11-01T22:00:00Z", doneAt: null },
    { incident: 12, sha: C, openedAt: "2026-10-01T02:00:00Z", doneAt: "2026-10-02T02:00:00Z" },
  ],
  rcas: [
    { incident: 5, openedAt: "2026-08-01T00:00:00Z", doneAt: null, dueDays: 5 },
    { incident: 10, openedAt: "2026-11-01T08:00:00Z", doneAt: "2026-11-04T00:00:00Z", dueDays: 5 },
    { incident: 11, openedAt: "2026-11-01T20:00:00Z", doneAt: null, dueDays: 5 },
    { incident: 12, openedAt: "2026-10-01T00:00:00Z", doneAt: "2026-10-09T00:00:00Z", dueDays: 5 },
    { incident: 13, openedAt: "2026-11-18T12:00:00Z", doneAt: null, dueDays: 5 },
  ],
  rollbacks: [
    { incident: 5, at: "2026-08-01T03:00:00Z" },
    { incident: 11, at: "2026-11-01T23:00:00Z" },
  ],
  postMergeReviews: {
    reviews: [
      review(59, "2026-08-01T00:00:00Z", null, []),
      // Closed by a writer other than the pusher: done.
      review(60, "2026-11-10T12:00:00Z", "2026-11-11T12:00:00Z", ["2026-11-11T12:00:00Z"]),
      // Closed by the pusher, reopened by the app: not done.
      review(61, "2026-11-12T12:00:00Z", null, []),
      // Done, then reopened by someone: under review again.
      review(62, "2026-11-15T12:00:00Z", null, ["2026-11-16T12:00:00Z"]),
      // Closed by a triager, and not reopened (yet): its close is no review.
      review(63, "2026-11-18T12:00:00Z", "2026-11-19T12:00:00Z", []),
      // Reopened after its review and closed again by a writer: done by the second close.
      review(64, "2026-11-02T12:00:00Z", "2026-11-05T12:00:00Z", ["2026-11-03T12:00:00Z", "2026-11-05T12:00:00Z"]),
    ],
    complete: true,
    limit: 20,
  },
};

function review(issue: number, openedAt: string, closedAt: string | null, reviewedCloses: string[]): PostMergeReviewFacts {
  return { issue, after: String(issue).repeat(20), pusher: "alice", openedAt, closedAt, reviewedCloses };
}

describe("computeReport: a quarter with known answers", () => {
  const report = computeReport(history);

  test.each([
    ["incidents opened in the window (#5 is older)", "incidents", 4],
    ["of which still open (#11, #13)", "incidentsOpen", 2],
    ["exceptions granted", "exceptionsGranted", 4],
    ["exceptions used (A2 never was)", "exceptionsUsed", 3],
    ["commits deployed under an exception, a redeploy counted once", "exceptionDeploys", 3],
    ["median hours to merge-back: 5.5 (A, from its first deploy) and 24 (C)", "medianHoursDeployToMergeBack", 14.75],
    ["merge-backs still open (B)", "mergeBacksStillOpen", 1],
    ["RCAs on time (#10)", "rcasOnTime", 1],
    ["RCAs due: done (#10, #12) or past due (#11); #13 is not due yet", "rcasDue", 3],
    ["incidents in a cascade", "cascades", 2],
    ["incidents force-closed (#5 is older)", "forceClosed", 1],
    ["days since the last hotfix (B, 18 days 14 hours ago)", "daysSinceLastHotfix", 18],
    ["rollbacks (#5's is older)", "rollbacks", 1],
    ["window start", "from", "2026-08-22"],
    ["window end", "to", "2026-11-20"],
  ] as const)("%s", (_what, key, value) => {
    expect(report[key]).toBe(value);
  });

  test("the notable items, by incident", () => {
    expect(report.notable).toEqual([
      { kind: "cascade", incident: 10 },
      { kind: "cascade", incident: 11 },
      { kind: "merge-back-open", incident: 11, sha: B, daysSinceDeploy: 18 },
      { kind: "rca-overdue", incident: 11, daysOverdue: 13 },
      { kind: "force-closed", incident: 12 },
      { kind: "rca-late", incident: 12, daysLate: 3 },
      { kind: "review-pending", incident: 61, sha: "61".repeat(20), pusher: "alice", daysSincePush: 8 },
      { kind: "review-pending", incident: 62, sha: "62".repeat(20), pusher: "alice", daysSincePush: 5 },
      { kind: "review-pending", incident: 63, sha: "63".repeat(20), pusher: "alice", daysSincePush: 2 },
    ]);
  });

  test("exceptions by criterion: regardless of case, most granted first, grants without a criterion last", () => {
    expect(report.exceptionsByCriterion).toEqual([
      { criterion: "Outage", granted: 2, used: 1 },
      { criterion: "security", granted: 1, used: 1 },
      { criterion: null, granted: 1, used: 1 },
    ]);
  });

  test("exception deploys per 30 days, oldest first: C on Oct 1st, A and B on Nov 1st (a redeploy of A counted once)", () => {
    expect(report.exceptionDeploysPerPeriod).toEqual([0, 1, 2]);
  });

  test("post-merge reviews opened in the window, and done (#60, #64)", () => {
    expect(report.postMergeReviews).toEqual({ opened: 5, done: 2, complete: true, limit: 20 });
  });

  test("renders what a team lead pastes into a retrospective", () => {
    expect(renderReport(report, "octo/shop")).toBe(
      [
        "### mainline report: octo/shop",
        "",
        "The last 90 days, 2026-08-22 to 2026-11-20 (UTC).",
        "",
        "| | last 90 days |",
        "| --- | --- |",
        "| Incidents | 4 (2 still open) |",
        "| Exceptions granted | 4 (3 used) |",
        "| Commits deployed under an exception | 3 |",
        "| Exception deploys per 30 days, oldest first | 0, 1, 2 |",
        "| Median time from exception deploy to merge-back | 14.8 hours (2 done, 1 still open) |",
        "| RCAs done on time | 1 of 3 due |",
        "| Incidents in a hotfix cascade | 2 |",
        "| Incidents force-closed | 1 |",
        "| Rollbacks from incidents | 1 |",
        "| Days since the last hotfix | 18 |",
        "| Post-merge reviews (pushes to main that no pull request merged) | 5 opened, 2 done |",
        "",
        "**Exceptions by criterion:**",
        "- `Outage`: 2 granted, 1 used",
        "- `security`: 1 granted, 1 used",
        "- no criterion (granted while `hotfix.criteria` was empty): 1 granted, 1 used",
        "",
        "**To follow up:**",
        "- #10 Checkout 500s: part of a hotfix cascade",
        "- #11 Payments &lt;b&gt;down&lt;/b&gt; @\u200boncall: part of a hotfix cascade; merge-back of `bbbbbbb` still open, 18 days after its deploy; RCA overdue by 13 days",
        "- #12 Search slow: force-closed; RCA done 3 days late",
        "- #61: post-merge review not done: **alice** pushed `6161616` 8 days ago",
        "- #62: post-merge review not done: **alice** pushed `6262626` 5 days ago",
        "- #63: post-merge review not done: **alice** pushed `6363636` 2 days ago",
      ].join("\n"),
    );
  });
});

describe("computeReport: the 90-day window", () => {
  const start = "2026-08-22T12:00:00.000Z";
  const justBefore = "2026-08-22T11:59:59.999Z";
  const incident = (openedAt: string) => ({ number: 1, title: "x", openedAt, closedAt: null, cascade: true, forceClosed: true });

  test.each([
    ["exactly 90 days ago counts", start, 1],
    ["a millisecond earlier does not", justBefore, 0],
    ["today counts", NOW.toISOString(), 1],
  ])("%s", (_what, at, counted) => {
    const report = computeReport({
      ...empty,
      incidents: [incident(at)],
      exceptions: [{ incident: 1, sha: A, grantedAt: at, used: true }],
      exceptionDeploys: [{ incident: 1, sha: A, deployedAt: at }],
      rcas: [{ incident: 1, openedAt: at, doneAt: null, dueDays: 0 }],
    });
    expect(report).toMatchObject({
      incidents: counted,
      exceptionsGranted: counted,
      exceptionsUsed: counted,
      exceptionDeploys: counted,
      mergeBacksStillOpen: counted,
      cascades: counted,
      forceClosed: counted,
    });
  });

  test("a commit first deployed before the window is not counted again for a redeploy inside it", () => {
    const report = computeReport({
      ...empty,
      exceptionDeploys: [
        { incident: 1, sha: A, deployedAt: justBefore },
        { incident: 1, sha: A, deployedAt: "2026-11-01T00:00:00Z" },
      ],
    });
    expect(report).toMatchObject({ exceptionDeploys: 0, daysSinceLastHotfix: 19 });
  });
});

describe("computeReport: median time from exception deploy to merge-back", () => {
  const deployAt = "2026-11-10T00:00:00Z";
  const doneAfter = (hours: number | null) => (hours === null ? null : new Date(Date.parse(deployAt) + hours * 3_600_000).toISOString());
  const withItems = (hours: Array<number | null>): ReportFacts => ({
    ...empty,
    exceptionDeploys: hours.map((_, i) => ({ incident: 1, sha: String(i).repeat(40), deployedAt: deployAt })),
    mergeBacks: hours.map((h, i) => ({ incident: 1, sha: String(i).repeat(40), openedAt: deployAt, doneAt: doneAfter(h) })),
  });

  test.each([
    ["one item", [3], 3, 0],
    ["an odd count: the middle value", [10, 1, 4], 4, 0],
    ["an even count: the mean of the two middle values", [1, 2, 10, 40], 6, 0],
    ["unfinished items are left out of the median but counted", [2, null, 8, null], 5, 2],
    ["all unfinished: no median", [null, null], null, 2],
    ["no deploys: no median", [], null, 0],
    ["a merge-back done before the deploy counts as zero, not negative", [-5, 3], 1.5, 0],
  ])("%s", (_what, hours, median, stillOpen) => {
    const report = computeReport(withItems(hours));
    expect(report.medianHoursDeployToMergeBack).toBe(median);
    expect(report.mergeBacksStillOpen).toBe(stillOpen);
  });

  test("a deploy without a merge-back item is still open", () => {
    expect(computeReport({ ...empty, exceptionDeploys: [{ incident: 1, sha: A, deployedAt: deployAt }] })).toMatchObject({
      medianHoursDeployToMergeBack: null,
      mergeBacksStillOpen: 1,
    });
  });

  // A commit already on main let past its promotion rule: its deploy record has `skipped` and no merge-back item.
  const onMain = { incident: 2, sha: B, deployedAt: deployAt, skipped: "staging" };
  test.each([
    ["alone: an exception deploy, in the trend, owing nothing", [onMain], { exceptionDeploys: 1, exceptionDeploysPerPeriod: [0, 0, 1], medianHoursDeployToMergeBack: null, mergeBacksDone: 0, mergeBacksStillOpen: 0, notable: [] }],
    [
      "beside a deploy off main whose merge-back was done in 3 hours: the median is that one's alone",
      [onMain, { incident: 1, sha: A, deployedAt: deployAt }],
      { exceptionDeploys: 2, exceptionDeploysPerPeriod: [0, 0, 2], medianHoursDeployToMergeBack: 3, mergeBacksDone: 1, mergeBacksStillOpen: 0, notable: [] },
    ],
  ])("a deploy of a commit on main (skipped staging) owes no merge-back, %s", (_what, exceptionDeploys, expected) => {
    const report = computeReport({ ...empty, exceptionDeploys, mergeBacks: [{ incident: 1, sha: A, openedAt: deployAt, doneAt: doneAfter(3) }] });
    expect(report).toMatchObject({ ...expected, daysSinceLastHotfix: 10 });
  });

  test("the merge-back item must be of the same incident and commit", () => {
    const report = computeReport({
      ...empty,
      exceptionDeploys: [{ incident: 1, sha: A, deployedAt: deployAt }],
      mergeBacks: [
        { incident: 2, sha: A, openedAt: deployAt, doneAt: doneAfter(1) },
        { incident: 1, sha: B, openedAt: deployAt, doneAt: doneAfter(2) },
        { incident: 1, sha: A.toUpperCase(), openedAt: deployAt, doneAt: doneAfter(7) },
      ],
    });
    expect(report.medianHoursDeployToMergeBack).toBe(7);
  });
});

describe("computeReport: RCAs on time", () => {
  const opened = "2026-11-01T00:00:00Z";
  const rcaCase = (doneAt: string | null, now = NOW) =>
    computeReport({
      ...empty,
      now,
      incidents: [{ number: 1, title: "x", openedAt: opened, closedAt: null, cascade: false, forceClosed: false }],
      rcas: [{ incident: 1, openedAt: "2026-11-02T00:00:00Z", doneAt, dueDays: 5 }],
    });

  test.each([
    ["done on the due moment: on time", "2026-11-06T00:00:00Z", NOW, 1, 1],
    ["done a millisecond late", "2026-11-06T00:00:00.001Z", NOW, 0, 1],
    ["not done, due date passed", null, NOW, 0, 1],
    ["not done, not due yet", null, new Date("2026-11-05T23:59:59Z"), 0, 0],
    ["done early, before it was due", "2026-11-02T00:00:00Z", new Date("2026-11-03T00:00:00Z"), 1, 1],
  ])("%s (due counts from the incident's opening, not the RCA's)", (_what, doneAt, now, onTime, due) => {
    expect(rcaCase(doneAt, now)).toMatchObject({ rcasOnTime: onTime, rcasDue: due });
  });

  test("without its incident on record, an RCA is due from its own opening", () => {
    const report = computeReport({ ...empty, rcas: [{ incident: 9, openedAt: "2026-11-01T00:00:00Z", doneAt: "2026-11-05T12:00:00Z", dueDays: 4 }] });
    expect(report).toMatchObject({ rcasOnTime: 0, rcasDue: 1, notable: [{ kind: "rca-late", incident: 9, daysLate: 0 }] });
  });
});

describe("computeReport: days since the last hotfix", () => {
  test.each([
    ["never a hotfix", [], null],
    ["a hotfix an hour ago", ["2026-11-20T11:00:00Z"], 0],
    ["exactly a day ago", ["2026-11-19T12:00:00Z"], 1],
    ["the latest of several counts", ["2026-11-01T00:00:00Z", "2026-11-15T13:00:00Z", "2026-11-10T00:00:00Z"], 4],
    ["only before the window: none in the window", ["2025-11-20T12:00:00Z"], null],
  ])("%s", (_what, times, days) => {
    const report = computeReport({ ...empty, exceptionDeploys: times.map((deployedAt, i) => ({ incident: i, sha: A, deployedAt })) });
    expect(report.daysSinceLastHotfix).toBe(days);
  });
});

describe("renderReport", () => {
  test("a quiet quarter", () => {
    expect(renderReport(computeReport(empty), "octo/shop")).toBe(
      [
        "### mainline report: octo/shop",
        "",
        "The last 90 days, 2026-08-22 to 2026-11-20 (UTC).",
        "",
        "| | last 90 days |",
        "| --- | --- |",
        "| Incidents | 0 |",
        "| Exceptions granted | 0 |",
        "| Commits deployed under an exception | 0 |",
        "| Exception deploys per 30 days, oldest first | 0, 0, 0 |",
        "| Median time from exception deploy to merge-back | no exception deploys |",
        "| RCAs done on time | none due yet |",
        "| Incidents in a hotfix cascade | 0 |",
        "| Incidents force-closed | 0 |",
        "| Rollbacks from incidents | 0 |",
        "| Days since the last hotfix | none in the last 90 days |",
        "",
        "Nothing to follow up.",
      ].join("\n"),
    );
  });

  test.each([
    ["only unfinished merge-backs", { medianHoursDeployToMergeBack: null, exceptionDeploys: 2, mergeBacksDone: 0, mergeBacksStillOpen: 2 }, "none done yet (2 still open)"],
    ["all done", { medianHoursDeployToMergeBack: 1, exceptionDeploys: 3, mergeBacksDone: 3, mergeBacksStillOpen: 0 }, "1 hour (3 done)"],
    ["a long median, rounded to a tenth", { medianHoursDeployToMergeBack: 100.04, exceptionDeploys: 1, mergeBacksDone: 1, mergeBacksStillOpen: 0 }, "100 hours (1 done)"],
    ["only commits on main deployed under exceptions", { medianHoursDeployToMergeBack: null, exceptionDeploys: 2, mergeBacksDone: 0, mergeBacksStillOpen: 0 }, "none owed (each commit deployed under an exception was on main)"],
    ["one of three deploys a commit on main", { medianHoursDeployToMergeBack: 2, exceptionDeploys: 3, mergeBacksDone: 1, mergeBacksStillOpen: 1 }, "2 hours (1 done, 1 still open)"],
  ])("the merge-back cell: %s", (_what, over, cell) => {
    const rendered = renderReport({ ...computeReport(empty), ...over }, "octo/shop");
    expect(rendered).toContain(`| Median time from exception deploy to merge-back | ${cell} |`);
  });

  test("hostile titles and repository names are shown inert, and notable items without a known title still read", () => {
    const report = {
      ...computeReport(empty),
      notable: [
        { kind: "cascade" as const, incident: 3 },
        { kind: "rca-overdue" as const, incident: 4, daysOverdue: 1 },
      ],
      titles: { 3: "# Pwned | x\n| forged | row |" },
    };
    const rendered = renderReport(report, "octo/my_repo");
    expect(rendered).toContain("### mainline report: octo/my\\_repo\n");
    expect(rendered).toContain("- #3 \\# Pwned \\| x \\| forged \\| row \\|: part of a hotfix cascade\n- #4: RCA overdue by 1 day");
  });
});

describe("perPeriod: exception deploys per 30 days over the last 90, oldest first", () => {
  const now = NOW.getTime();
  const daysAgo = (days: number, ms = 0) => now - days * 86_400_000 - ms;

  test.each([
    ["now", [now], [0, 0, 1]],
    ["exactly 30 days ago: in the last 30 days, as the hotfix budget counts it", [daysAgo(30)], [0, 0, 1]],
    ["a millisecond more: the period before", [daysAgo(30, 1)], [0, 1, 0]],
    ["exactly 60 days ago: still the middle period", [daysAgo(60)], [0, 1, 0]],
    ["a millisecond more: the oldest period", [daysAgo(60, 1)], [1, 0, 0]],
    ["exactly 90 days ago: the window's start, the oldest period", [daysAgo(90)], [1, 0, 0]],
    ["a clock a little ahead: the last period", [now + 1_000], [0, 0, 1]],
    ["several", [daysAgo(1), daysAgo(2), daysAgo(45), daysAgo(89)], [1, 1, 2]],
  ])("%s", (_what, times, periods) => {
    expect(perPeriod(times, now)).toEqual(periods);
  });

  test("the window decides what reaches the periods: a deploy a millisecond before it counts nowhere", () => {
    const report = computeReport({
      ...empty,
      exceptionDeploys: [
        { incident: 1, sha: A, deployedAt: "2026-08-22T11:59:59.999Z" },
        { incident: 2, sha: B, deployedAt: "2026-08-22T12:00:00.000Z" },
      ],
    });
    expect(report.exceptionDeploysPerPeriod).toEqual([1, 0, 0]);
  });
});

describe("isReviewDone: a post-merge review is done by a close the app judged", () => {
  test.each([
    ["open, never closed", null, [], false],
    ["closed by a writer other than the pusher (its record names this close)", "2026-11-10T00:00:00Z", ["2026-11-10T00:00:00Z"], true],
    ["the same moment written another way", "2026-11-10T00:00:00Z", ["2026-11-10T00:00:00.000Z"], true],
    ["closed, no record: a close by the pusher or a triager the app has not reopened yet", "2026-11-10T00:00:00Z", [], false],
    ["reopened after its review: under review again", null, ["2026-11-10T00:00:00Z"], false],
    ["reopened after its review and closed again by someone else (a triager): not done", "2026-11-12T00:00:00Z", ["2026-11-10T00:00:00Z"], false],
    ["reopened and closed again by a writer: done by the second close", "2026-11-12T00:00:00Z", ["2026-11-10T00:00:00Z", "2026-11-12T00:00:00Z"], true],
  ])("%s", (_what, closedAt, reviewedCloses, done) => {
    expect(isReviewDone({ closedAt, reviewedCloses })).toBe(done);
  });

  test("counted among the reviews opened in the window; an older review counts for nothing", () => {
    const report = computeReport({
      ...empty,
      postMergeReviews: {
        reviews: [review(1, "2026-08-22T11:59:59Z", "2026-11-01T00:00:00Z", ["2026-11-01T00:00:00Z"]), review(2, "2026-08-22T12:00:00Z", "2026-11-01T00:00:00Z", ["2026-11-01T00:00:00Z"])],
        complete: true,
        limit: 20,
      },
    });
    expect(report.postMergeReviews).toEqual({ opened: 1, done: 1, complete: true, limit: 20 });
    expect(report.notable).toEqual([]);
  });

  // As the close gate holds it: every close of such a review is reopened until the record is restored.
  test("a review whose record an edit changed counts as opened and, while no close was judged, not done: who pushed is unknown", () => {
    const changed = (issue: number, openedAt: string, closedAt: string | null, reviewedCloses: string[]): PostMergeReviewFacts => ({ issue, recordChanged: true, openedAt, closedAt, reviewedCloses });
    const report = computeReport({
      ...empty,
      postMergeReviews: {
        // #1 closed and reopened by the app; #2 done on the 10th, edited since (the edit undoes no judged close).
        reviews: [changed(1, "2026-11-17T06:00:00Z", null, []), changed(2, "2026-11-09T00:00:00Z", "2026-11-10T00:00:00Z", ["2026-11-10T00:00:00Z"])],
        complete: true,
        limit: 20,
      },
    });
    expect(report.postMergeReviews).toEqual({ opened: 2, done: 1, complete: true, limit: 20 });
    expect(report.notable).toEqual([{ kind: "review-record-changed", incident: 1, daysSinceOpened: 3 }]);
    expect(renderReport(report, "acme/shop")).toContain(
      "**To follow up:**\n- #1: post-merge review not done, opened 3 days ago: an edit changed the first line of its description, mainline's record of who pushed, and no close counts until it is restored",
    );
  });
});

describe("exceptions by criterion", () => {
  const grant = (criterion: string | undefined, used = true) => ({ incident: 1, sha: A, grantedAt: "2026-11-01T00:00:00Z", used, ...(criterion === undefined ? {} : { criterion }) });

  test.each([
    ["none granted: no section", [], []],
    ["only grants without a criterion", [grant(undefined), grant(undefined, false)], [{ criterion: null, granted: 2, used: 1 }]],
    [
      "ties by name",
      [grant("security"), grant("outage", false), grant(undefined)],
      [
        { criterion: "outage", granted: 1, used: 0 },
        { criterion: "security", granted: 1, used: 1 },
        { criterion: null, granted: 1, used: 1 },
      ],
    ],
  ])("%s", (_what, exceptions, counts) => {
    expect(computeReport({ ...empty, exceptions }).exceptionsByCriterion).toEqual(counts);
  });

  test("the section shows the ten most granted criteria and sums the rest; the team's words are shown inert", () => {
    const exceptions = [
      ...Array.from({ length: 12 }, (_, i) => Array.from({ length: 12 - i }, () => grant(`c${String(i).padStart(2, "0")}`))).flat(),
      grant("<b>x</b> | `y` @team", false),
      grant(undefined),
    ];
    const rendered = renderReport(computeReport({ ...empty, exceptions }), "octo/shop");
    expect(rendered).toContain(
      [
        "**Exceptions by criterion:**",
        ...Array.from({ length: 10 }, (_, i) => `- \`c${String(i).padStart(2, "0")}\`: ${12 - i} granted, ${12 - i} used`),
        "- 3 more criteria: 4 granted, 3 used",
        "- no criterion (granted while `hotfix.criteria` was empty): 1 granted, 1 used",
      ].join("\n"),
    );
    expect(rendered).not.toContain("<b>");
  });
});

describe("renderReport: what a bound stopped is never an exact figure (SPEC 8)", () => {
  const report = computeReport({ ...history, cut: { incidents: 30, mergeBacks: 300, rcas: 300 }, postMergeReviews: { ...history.postMergeReviews!, complete: false } });

  test("counts read as lower bounds, the median and RCAs as not verified, and the report says which reads stopped", () => {
    const rendered = renderReport(report, "octo/shop");
    expect(rendered).toContain(
      [
        "| Incidents | at least 4 (at least 2 still open) |",
        "| Exceptions granted | at least 4 (at least 3 used) |",
        "| Commits deployed under an exception | at least 3 |",
        "| Exception deploys per 30 days, oldest first | at least 0, 1, 2 |",
        "| Median time from exception deploy to merge-back | could not verify |",
        "| RCAs done on time | could not verify |",
        "| Incidents in a hotfix cascade | at least 2 |",
        "| Incidents force-closed | at least 1 |",
        "| Rollbacks from incidents | at least 1 |",
        "| Days since the last hotfix | at most 18 |",
        "| Post-merge reviews (pushes to main that no pull request merged) | at least 5 opened, at least 2 done |",
        "",
        "**Exceptions by criterion:**",
        "- `Outage`: at least 2 granted, at least 1 used",
      ].join("\n"),
    );
    expect(rendered.endsWith(
      [
        "**Could not verify:**",
        "- incidents past the 30 mainline reads (those with its latest records in these 90 days, each thread up to its bound)",
        "- merge-back issues past the 300 mainline reads",
        "- RCA issues past the 300 mainline reads",
        "- post-merge reviews past the newest 20 mainline reads",
      ].join("\n"),
    )).toBe(true);
  });

  test("no hotfix among the incidents read, but not all were read: the days since the last one are not verified", () => {
    expect(renderReport(computeReport({ ...empty, cut: { incidents: 30 } }), "octo/shop")).toContain("| Days since the last hotfix | could not verify |");
  });

  test("more comments in the window than are read for mainline's records: the figures from incidents are lower bounds, and the report says why", () => {
    const rendered = renderReport(computeReport({ ...history, cut: { comments: 1000 } }), "octo/shop");
    expect(rendered).toContain("| Incidents | at least 4 (at least 2 still open) |\n| Exceptions granted | at least 4 (at least 3 used) |\n| Commits deployed under an exception | at least 3 |");
    expect(rendered).toContain("| Median time from exception deploy to merge-back | could not verify |");
    // The RCAs are those the incidents' records name: an incident not found may have one due.
    expect(rendered).toContain("| RCAs done on time | could not verify |");
    expect(rendered).toContain("| Days since the last hotfix | at most 18 |");
    expect(rendered).toContain("- `Outage`: at least 2 granted, at least 1 used");
    expect(rendered).toContain("**Could not verify:**\n- incidents whose records are not among the latest 1000 comments of these 90 days (the most mainline reads)");
  });
});

describe("renderReport: weakenings of the config on main, raised hotfix limits among them (SPEC 8)", () => {
  const config = (raw: unknown) => parseConfig(raw).config;
  const before = config({ hotfix: { criteria: ["outage"], maxChangedLines: 50, budget: { count: 3, days: 30 } } });
  const after = config({ hotfix: { criteria: ["outage", "cleanup"], maxChangedLines: 0, budget: { count: 5, days: 7 } } });

  const line = (w: string[]) => renderReport(computeReport({ ...empty, config: { weakened: [{ sha: C, author: "mallory", date: "2026-11-19T10:00:00Z", weakenings: w }], complete: true, limit: 10 } }), "octo/shop");

  test("each raised limit is a sentence of the commit's line", () => {
    const raised = config({ hotfix: { criteria: ["outage"], maxChangedLines: 0, budget: { count: 5, days: 30 } } });
    expect(line(weakenings(before, raised))).toContain(
      [
        "**Weakenings of the config on main:**",
        "- `ccccccc` by **mallory** (2026-11-19): hotfix.maxChangedLines raised from 50 to 0 (no limit): a bigger fix needs no second approver; " +
          "hotfix.budget.count raised from 3 to 5: more hotfixes pass before every new one needs a second approver",
      ].join("\n"),
    );
  });

  test("every weakening of a change is named, up to six; past them, the rest are counted", () => {
    expect(line(weakenings(before, after)).endsWith(
      "- `ccccccc` by **mallory** (2026-11-19): hotfix.criteria now also accepts `cleanup`: more reasons qualify for an exception; " +
        "hotfix.maxChangedLines raised from 50 to 0 (no limit): a bigger fix needs no second approver; " +
        "hotfix.budget.count raised from 3 to 5: more hotfixes pass before every new one needs a second approver; " +
        "hotfix.budget.days lowered from 30 to 7: fewer hotfixes count against the budget",
    )).toBe(true);
    expect(line(Array.from({ length: 8 }, (_, i) => `w${i}`)).endsWith("(2026-11-19): w0; w1; w2; w3; w4; w5; and 2 more")).toBe(true);
  });

  test("a sentence too long for a line is cut, and a code span it cuts is closed", () => {
    const many = config({ hotfix: { criteria: ["outage", ...Array.from({ length: 200 }, (_, i) => `criterion-${i}`)] } });
    const [sentence] = weakenings(config({ hotfix: { criteria: ["outage"] } }), many);
    const shown = line([sentence!]).split("\n").find((l) => l.startsWith("- `ccccccc`"))!;
    expect(shown).toBe(
      `- \`ccccccc\` by **mallory** (2026-11-19): hotfix.criteria now also accepts ${Array.from({ length: 17 }, (_, i) => `\`criterion-${i}\``).join(", ")}, \`cr…\``,
    );
  });
});

describe("renderReport: within a comment, whatever the repository holds", () => {
  test("thirty incidents with long hostile titles and a hundred open merge-backs each, two hundred criteria, ten config changes of many weakenings", () => {
    const long = "&<>@|".repeat(200);
    const incidents = Array.from({ length: 30 }, (_, i) => ({ number: i + 1, title: long, openedAt: "2026-11-01T00:00:00Z", closedAt: null, cascade: true, forceClosed: true }));
    const exceptionDeploys = incidents.flatMap((incident) => Array.from({ length: 100 }, (_, j) => ({ incident: incident.number, sha: String(j).padStart(7, "0").padEnd(40, "0"), deployedAt: "2026-11-02T00:00:00Z" })));
    const exceptions = Array.from({ length: 200 }, (_, i) => ({ incident: 1, sha: A, grantedAt: "2026-11-01T00:00:00Z", used: true, criterion: `${long}${i}` }));
    const weakened = Array.from({ length: 10 }, (_, i) => ({ sha: C, author: long, date: "2026-11-01T00:00:00Z", weakenings: Array.from({ length: 50 }, () => `\`${"x".repeat(400)}\` ${i}`) }));
    const reviews = Array.from({ length: 20 }, (_, i) => review(100 + i, "2026-11-01T00:00:00Z", null, []));
    const report = computeReport({
      ...empty,
      incidents,
      exceptions,
      exceptionDeploys,
      rcas: incidents.map((i) => ({ incident: i.number, openedAt: i.openedAt, doneAt: null, dueDays: 1 })),
      postMergeReviews: { reviews, complete: true, limit: 20 },
      config: { weakened, complete: false, limit: 10 },
    });

    const rendered = renderReport(report, `${long}/${long}`);

    expect(rendered.length).toBeLessThan(50_000);
    expect(rendered).toContain("- and 30 more issues to follow up");
    expect(rendered).toMatch(/: force-closed; part of a hotfix cascade; merge-back of `0000000` still open, 18 days after its deploy; .*; merge-back of `0000002` still open, 18 days after its deploy; and 98 more\n/);
  });
});
