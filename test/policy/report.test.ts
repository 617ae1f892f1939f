import { computeReport, renderReport, type ReportFacts } from "../../src/policy/report.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const A = "a".repeat(40);
const A2 = "a2".repeat(20);
const B = "b".repeat(40);
const C = "c".repeat(40);
const OLD = "0".repeat(40);

const empty: ReportFacts = { now: NOW, incidents: [], exceptions: [], exceptionDeploys: [], mergeBacks: [], rcas: [] };

/**
 * A quarter with known answers: a cascade of two hotfixes (#10, #11) on Nov 1st, a force-closed
 * incident (#12) in October, a fresh one (#13), and an incident (#5) from before the window.
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
    { incident: 10, sha: A, grantedAt: "2026-11-01T09:00:00Z", used: true },
    { incident: 10, sha: A2, grantedAt: "2026-11-01T09:30:00Z", used: false },
    { incident: 11, sha: B, grantedAt: "2026-11-01T21:00:00Z", used: true },
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
};

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
    ]);
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
        "| Median time from exception deploy to merge-back | 14.8 hours (2 done, 1 still open) |",
        "| RCAs done on time | 1 of 3 due |",
        "| Incidents in a hotfix cascade | 2 |",
        "| Incidents force-closed | 1 |",
        "| Days since the last hotfix | 18 |",
        "",
        "**To follow up:**",
        "- #10 Checkout 500s: part of a hotfix cascade",
        "- #11 Payments &lt;b&gt;down&lt;/b&gt; @\u200boncall: part of a hotfix cascade; merge-back of `bbbbbbb` still open, 18 days after its deploy; RCA overdue by 13 days",
        "- #12 Search slow: force-closed; RCA done 3 days late",
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
        "| Median time from exception deploy to merge-back | no exception deploys |",
        "| RCAs done on time | none due yet |",
        "| Incidents in a hotfix cascade | 0 |",
        "| Incidents force-closed | 0 |",
        "| Days since the last hotfix | none in the last 90 days |",
        "",
        "Nothing to follow up.",
      ].join("\n"),
    );
  });

  test.each([
    ["only unfinished merge-backs", { medianHoursDeployToMergeBack: null, exceptionDeploys: 2, mergeBacksStillOpen: 2 }, "none done yet (2 still open)"],
    ["all done", { medianHoursDeployToMergeBack: 1, exceptionDeploys: 3, mergeBacksStillOpen: 0 }, "1 hour (3 done)"],
    ["a long median, rounded to a tenth", { medianHoursDeployToMergeBack: 100.04, exceptionDeploys: 1, mergeBacksStillOpen: 0 }, "100 hours (1 done)"],
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
