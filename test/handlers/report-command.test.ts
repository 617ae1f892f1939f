import { marker } from "../../src/markers.js";
import type { RecordFields, RecordKind } from "../../src/records.js";
import type { CheckRun } from "../helpers/github-server/model.js";
import { incidentWorld, onLoopbackGitHub, S, type LoopbackWorld } from "../helpers/loopback-world.js";
import { NOW } from "../helpers/test-app.js";

/**
 * `/mainline report` (and `/mainline status` in a pull request) against the loopback GitHub: the
 * repository laid out as the app and people left it (issues, the app's signed records, its own
 * merge-back, RCA and post-merge review issues, the config's history on main), then a comment,
 * and what a user sees: the reply's body, the 👍, and what the report read (each fact once, within
 * its budget). The window: 2026-08-22 12:00 to 2026-11-20 12:00 (UTC), NOW less 90 days.
 */
const SINCE = "2026-08-22T12%3A00%3A00.000Z";

let world: LoopbackWorld;

onLoopbackGitHub(() => world, { afterAll: "open" });

/** A repository whose main is `master` (commits long before the window), where octocat has `role` (write unless said). */
async function repository({ role = "write" }: { role?: "write" | "admin" | "triage" } = {}) {
  world = await incidentWorld();
  world.role("octocat", role);
}

const sha = (digit: string) => digit.repeat(40);

/** Something laid out at `at` (GitHub's clock): its created_at, updated_at, closed_at. */
function at<T>(when: string, lay: () => T): T {
  world.githubAt(when);
  return lay();
}

/** Issue `number` closed at `when` (by octocat): its closed_at and updated_at. */
function closeAt(number: number, when: string): void {
  at(when, () => world.github.userClose(world.repo, number, "octocat"));
}

/** A record of incident #`incident` the app wrote at `when` (on the incident, or on issue `on`). */
function recordAt<K extends RecordKind>(when: string, incident: number, kind: K, fields: RecordFields<K>, text: string, on = incident) {
  return at(when, () => world.record(incident, kind, fields, text, on));
}

/**
 * The reads a delivery starts with (the token, `.github/mainline.yml` here and in the org) and the
 * dispatcher's in issue #`issue` (its thread, the 👍 on the comment, the commenter's role).
 */
const startOrDispatch = (issue: number) => (call: string) =>
  call.endsWith("/access_tokens") ||
  /\/contents\/\.github%2Fmainline\.yml$/.test(call) ||
  call.includes(`/issues/${issue}/comments?per_page=100`) ||
  /\/issues\/comments\/\d+\/reactions\?/.test(call) ||
  call.includes("/collaborators/");

/** What GitHub was asked and answered when a person wrote `command` in issue #`issue` at NOW. */
async function say(command: string, { issue = 50, login = "octocat" }: { issue?: number; login?: string } = {}) {
  world.at(NOW.toISOString());
  if (!world.repo.issues.has(issue)) world.personIssue(issue, { title: "Q4 retrospective", login });
  const mark = world.mark();
  const event = world.hooks.comment(issue, login, command);
  const comment = world.comments(issue).at(-1)!;
  await world.deliver(event);
  const calls = world.calls(mark);
  const replies = world.appBodies(issue);
  expect(replies.length).toBeLessThanOrEqual(1);
  return {
    comment,
    /** The app's reply in the issue, if any. */
    reply: replies[0],
    calls,
    /** What the delivery read, the token exchange and the config aside. */
    reads: calls.filter((c) => c.startsWith("GET ") && !c.endsWith("/access_tokens") && !/\/contents\/\.github%2Fmainline\.yml$/.test(c)),
    /** What the command read beyond the delivery's start and the dispatcher's reads. */
    ownReads: calls.filter((c) => c.startsWith("GET ") && !startOrDispatch(issue)(c)),
    /** The writes, in the order GitHub took them, as "METHOD path". */
    writes: world.writes(mark).map((w) => `${w.method} ${w.path}`),
    /** The writes with their bodies. */
    written: world.writes(mark),
  };
}

/** octocat's `/mainline report` in issue #50: the reply (its source marker checked and left out), the reads, and the writes. */
async function report() {
  const said = await say("/mainline report");
  const suffix = `\n\n<!-- mainline:reply source=${said.comment.id} -->`;
  expect(said.reply?.endsWith(suffix)).toBe(true);
  return { ...said, body: said.reply!.slice(0, -suffix.length) };
}

/** The report posts its reply in #50, then 👍s the comment (last: a redelivery that finds it skips the comment). */
function expectReported(r: Awaited<ReturnType<typeof say>>) {
  expect(r.writes).toEqual([`POST ${world.api}/issues/50/comments`, `POST ${world.api}/issues/comments/${r.comment.id}/reactions`]);
  expect(world.thumbsUp(r.comment.id)).toEqual(["mainline[bot]"]);
}

/** The three lists a report reads: the repository's comments of the window, the config's history on main, the app's issues of the window. */
const REPORT_LISTS = () => [
  `GET ${world.api}/issues/comments?since=${SINCE}&sort=created&direction=desc&per_page=100&page=1`,
  `GET ${world.api}/commits?path=.github%2Fmainline.yml&sha=heads%2Fmaster&since=${SINCE}&per_page=10`,
  `GET ${world.api}/issues?creator=mainline%5Bbot%5D&state=all&since=${SINCE}&per_page=100`,
];
/** What the report reads of each incident its records name: the issue (here still?), then its thread. */
const INCIDENT_READS = (n: number) => [`GET ${world.api}/issues/${n}`, `GET ${world.api}/issues/${n}/comments?per_page=100`];
const THREAD = (n: number) => `GET ${world.api}/issues/${n}/comments?per_page=100`;

/** The report's last section (before the reply's marker). */
const lastSection = (body: string) => body.split("\n\n").at(-1);

const heading = () => [`### mainline report: ${world.repo.owner}/${world.repo.name}`, "The last 90 days, 2026-08-22 to 2026-11-20 (UTC)."];

/**
 * The repository's history, as the app's records in GitHub hold it. Each incident's exceptions are
 * granted by alice (commit, granted, expires) and deployed (deployment id, let through, reached the
 * environment when known).
 */
type Grant = { sha: string; at: string; expires: string; criterion?: string };
/** `skipped`: a commit already on main let past its promotion rule; its records name no merge-back item (none follows). */
type Deploy = { sha: string; deployment: number; at: string; reached?: string; skipped?: string };
type Rollback = { sha: string; deployment: number; of: number; at: string };
type Incident = { number: number; title: string; createdAt: string; closedAt?: string; cascade?: boolean; grants: Grant[]; deploys: Deploy[]; rollbacks?: Rollback[] };

const HISTORY: Incident[] = [
  // Opened before the window, and nothing recorded in it since: none of its records is among the window's comments, and nothing of it is read.
  {
    number: 5,
    title: "Old outage",
    createdAt: "2026-08-01T00:00:00Z",
    closedAt: "2026-08-25T00:00:00Z",
    grants: [{ sha: sha("1"), at: "2026-08-01T01:00:00.000Z", expires: "2026-08-01T05:00:00.000Z", criterion: "outage" }],
    deploys: [{ sha: sha("1"), deployment: 500, at: "2026-08-01T02:00:00.000Z" }],
    rollbacks: [{ sha: sha("0"), deployment: 510, of: 400, at: "2026-08-01T01:30:00.000Z" }],
  },
  // Deployed at 12:30 (when it reached production, not when it was let through), merged back 12 hours later.
  {
    number: 10,
    title: "Checkout down",
    createdAt: "2026-11-01T10:00:00Z",
    closedAt: "2026-11-05T10:00:00Z",
    grants: [{ sha: sha("2"), at: "2026-11-01T11:00:00.000Z", expires: "2026-11-01T15:00:00.000Z", criterion: "outage" }],
    deploys: [{ sha: sha("2"), deployment: 501, at: "2026-11-01T12:00:00.000Z", reached: "2026-11-01T12:30:00.000Z" }],
  },
  // One exception used and merged back after 30 hours, one never used (granted before `hotfix.criteria` was set).
  {
    number: 20,
    title: "Search slow",
    createdAt: "2026-11-10T08:00:00Z",
    grants: [
      { sha: sha("3"), at: "2026-11-10T09:00:00.000Z", expires: "2026-11-10T13:00:00.000Z", criterion: "data loss" },
      { sha: sha("4"), at: "2026-11-10T11:00:00.000Z", expires: "2026-11-10T15:00:00.000Z" },
    ],
    deploys: [{ sha: sha("3"), deployment: 502, at: "2026-11-10T10:00:00.000Z" }],
  },
  // Two hotfix deploys 19 hours apart: a cascade, both merge-backs still open; production rolled back in between.
  {
    number: 30,
    title: "Login loop",
    createdAt: "2026-11-18T12:00:00Z",
    cascade: true,
    grants: [{ sha: sha("5"), at: "2026-11-18T12:30:00.000Z", expires: "2026-11-18T16:30:00.000Z", criterion: "outage" }],
    deploys: [{ sha: sha("5"), deployment: 503, at: "2026-11-18T13:00:00.000Z" }],
    rollbacks: [{ sha: sha("0"), deployment: 505, of: 400, at: "2026-11-18T20:00:00.000Z" }],
  },
  {
    number: 40,
    title: "Login loop again",
    createdAt: "2026-11-19T06:00:00Z",
    cascade: true,
    grants: [{ sha: sha("6"), at: "2026-11-19T06:30:00.000Z", expires: "2026-11-19T10:30:00.000Z", criterion: "Outage" }],
    deploys: [{ sha: sha("6"), deployment: 504, at: "2026-11-19T08:00:00.000Z" }],
  },
];

/** The merge-back issue that tracks each commit deployed under an exception (a deploy record names it). */
const MERGE_BACK_OF: Record<string, number> = { [sha("1")]: 6, [sha("2")]: 12, [sha("3")]: 22, [sha("5")]: 32, [sha("6")]: 42, [sha("9")]: 4 };

/** The incident's issue, as octocat opened it (`incident`, and `hotfix-cascade` on a cascade's), closed when it was. */
function incidentIssue({ number, title, createdAt, closedAt, cascade }: Incident, labels = cascade ? ["incident", "hotfix-cascade"] : ["incident"]) {
  at(createdAt, () => world.personIssue(number, { title, labels }));
  if (closedAt) closeAt(number, closedAt);
}

/**
 * The incident's thread: the app's signed records (this repository, this incident), each written
 * when it says. The first says the issue became an incident: without it the label makes nothing.
 * `copiedBy`: the same texts, written by that person instead of the app.
 */
function incidentRecords(incident: Incident, copiedBy?: string) {
  const { number } = incident;
  const write = <K extends RecordKind>(when: string, n: number, kind: K, fields: RecordFields<K>, text: string) =>
    copiedBy ? at(when, () => world.personComment(n, copiedBy, world.recordText(n, kind, fields, text))) : recordAt(when, n, kind, fields, text);
  write(incident.createdAt, number, "incident", { by: "octocat", via: "label", at: incident.createdAt, rca: number + 1 }, "This issue is an incident.");
  for (const g of incident.grants) {
    write(g.at, number, "exception", { sha: g.sha, env: "production", by: "alice", at: g.at, expires: g.expires, reason: g.criterion ?? "a reason", source: "1:1", criterion: g.criterion }, "Exception granted.");
  }
  for (const d of incident.deploys) {
    const tracked = d.skipped ? { skipped: d.skipped } : { issue: MERGE_BACK_OF[d.sha]! };
    write(d.at, number, "deploy", { sha: d.sha, env: "production", deployment: d.deployment, at: d.at, ...tracked }, "Deployed under the exception.");
    if (d.reached) write(d.reached, number, "deployed", { sha: d.sha, env: "production", deployment: d.deployment, at: d.reached, ...tracked }, "Reached production.");
  }
  for (const r of incident.rollbacks ?? []) {
    write(r.at, number, "rollback", { sha: r.sha, env: "production", deployment: r.deployment, of: r.of, by: "octocat", at: r.at, source: "1:1" }, "Rolled back.");
  }
}

function layOutIncident(incident: Incident) {
  incidentIssue(incident);
  incidentRecords(incident);
}

/** The app's merge-back issue #`number` for `commit` of `incident`, opened and (when given) closed when it was. */
function mergeBack(number: number, incident: number, commit: string, createdAt: string, closedAt?: string, labels = ["merge-back"]) {
  at(createdAt, () => world.appIssue(number, { title: `Merge back ${commit.slice(0, 7)} to master (incident #${incident})`, body: marker("merge-back", { incident, sha: commit }), labels }));
  if (closedAt) closeAt(number, closedAt);
}

const rcaBody = (incident: number, written: boolean) =>
  [
    `Root-cause analysis for incident #${incident}.`,
    ...["Timeline", "Root cause", "Action items"].map((s) => `## ${s}\n\n${written ? `${s}: written up.` : "<!-- Write this section here. -->"}`),
    marker("rca", { incident }),
  ].join("\n\n");
/** The app's RCA issue #`number` of `incident`; written and closed when `closedAt`. */
function rca(number: number, incident: number, createdAt: string, closedAt?: string) {
  at(createdAt, () => world.appIssue(number, { title: `RCA: incident #${incident}`, body: rcaBody(incident, closedAt !== undefined), labels: ["rca"] }));
  if (closedAt) closeAt(number, closedAt);
}

/**
 * Post-merge reviews (SPEC 11): issues the app opened for root's pushes to master, each as the app
 * leaves it: its signed record heading the body (open-post-merge-review.ts), and a
 * `post-merge-reviewed` record comment for each close the app judged done.
 */
type Review = { number: number; after: string; openedAt: string; labels?: string[]; closedAt?: string; reviewedCloses?: string[] };
/** The review's body as the app writes it: the signed record, then the text people read. */
const reviewBody = ({ number, after, openedAt }: Review) =>
  world.recordText(number, "post-merge-review", { after, pusher: "root", account: 77, at: openedAt }, "**root** pushed to `master` commits that no pull request merged.");
/** The `post-merge-reviewed` record of a close the app judged done (bob, a writer, closed it). */
const reviewedText = (number: number, closed: string) => world.recordText(number, "post-merge-reviewed", { by: "bob", account: 5, role: "write", closed }, "✅ Reviewed.");
/** The review's issue, opened and closed when it was, with a `post-merge-reviewed` record for each close the app judged done. */
function layOutReview(review: Review, body = reviewBody(review)) {
  at(review.openedAt, () => world.appIssue(review.number, { title: `Post-merge review: ${review.after.slice(0, 7)}…`, body, labels: review.labels ?? ["post-merge-review"] }));
  if (review.closedAt) closeAt(review.number, review.closedAt);
  for (const closed of review.reviewedCloses ?? []) at(closed, () => world.appComment(review.number, reviewedText(review.number, closed)));
}

/**
 * The whole history: the incidents, their merge-back issues (#6 closed in August, so not among the
 * app's issues of the window; #42 one a triager labelled `post-merge-review` too, and commented on:
 * no review record heads its body, so it is no review), their RCAs, the post-merge reviews, and a
 * person's notes in #10 and #30.
 */
function layOutHistory() {
  for (const incident of HISTORY) layOutIncident(incident);
  mergeBack(6, 5, sha("1"), "2026-08-01T02:00:00Z", "2026-08-01T20:00:00Z");
  mergeBack(12, 10, sha("2"), "2026-11-01T12:00:00Z", "2026-11-02T00:30:00Z");
  mergeBack(22, 20, sha("3"), "2026-11-10T10:00:00Z", "2026-11-11T16:00:00Z");
  mergeBack(32, 30, sha("5"), "2026-11-18T13:00:00Z");
  mergeBack(42, 40, sha("6"), "2026-11-19T08:00:00Z", undefined, ["merge-back", "post-merge-review"]);
  at("2026-11-19T08:30:00Z", () => world.personComment(42, "tess", "Labelled for review."));
  // Done within 5 days of its incident: on time.
  rca(11, 10, "2026-11-01T10:01:00Z", "2026-11-04T10:00:00Z");
  // Due 2026-11-15T08:00: 5 days overdue.
  rca(21, 20, "2026-11-10T08:01:00Z");
  // Not due yet.
  rca(31, 30, "2026-11-18T12:01:00Z");
  rca(41, 40, "2026-11-19T06:01:00Z");
  // Reviewed by bob on the 13th. A triager took its label off since: it is found all the same.
  layOutReview({ number: 70, after: "70".repeat(20), openedAt: "2026-11-12T10:00:00.000Z", labels: [], closedAt: "2026-11-13T10:00:00Z", reviewedCloses: ["2026-11-13T10:00:00Z"] });
  // Closed by root, who pushed, and reopened by the app: not done, and open (no thread read).
  layOutReview({ number: 71, after: "71".repeat(20), openedAt: "2026-11-19T09:00:00.000Z" });
  for (const issue of [10, 30]) at("2026-11-19T09:00:00Z", () => world.personComment(issue, "octocat", "Still seeing errors."));
}

const REPORT = () =>
  [
    ...heading(),
    [
      "| | last 90 days |",
      "| --- | --- |",
      "| Incidents | 4 (3 still open) |",
      "| Exceptions granted | 5 (4 used) |",
      "| Commits deployed under an exception | 4 |",
      "| Exception deploys per 30 days, oldest first | 0, 0, 4 |",
      "| Median time from exception deploy to merge-back | 21 hours (2 done, 2 still open) |",
      "| RCAs done on time | 1 of 2 due |",
      "| Incidents in a hotfix cascade | 2 |",
      "| Incidents force-closed | 0 |",
      "| Rollbacks from incidents | 1 |",
      "| Days since the last hotfix | 1 |",
      "| Post-merge reviews (pushes to main that no pull request merged) | 2 opened, 1 done |",
    ].join("\n"),
    [
      "**Exceptions by criterion:**",
      "- `Outage`: 3 granted, 3 used",
      "- `data loss`: 1 granted, 1 used",
      "- no criterion (granted while `hotfix.criteria` was empty): 1 granted, 0 used",
    ].join("\n"),
    [
      "**To follow up:**",
      "- #20 Search slow: RCA overdue by 5 days",
      "- #30 Login loop: part of a hotfix cascade; merge-back of `5555555` still open, 1 day after its deploy",
      "- #40 Login loop again: part of a hotfix cascade; merge-back of `6666666` still open, 1 day after its deploy",
      "- #71: post-merge review not done: **root** pushed `7171717` 1 day ago",
    ].join("\n"),
  ].join("\n\n");

const NOTHING_IN_THE_WINDOW = () =>
  [
    ...heading(),
    [
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
      "| Post-merge reviews (pushes to main that no pull request merged) | 0 opened, 0 done |",
    ].join("\n"),
    "Nothing to follow up.",
  ].join("\n\n");

describe("/mainline report", () => {
  test("a writer gets the last 90 days from the app's records, and 👍", async () => {
    await repository();
    layOutHistory();

    const r = await report();

    expect(r.body).toBe(REPORT());
    expectReported(r);
    // Each once: the three lists, each incident the window's records name and its thread, and the thread of each closed
    // review (only a close can be done: #70; #71 is open). Nothing of #5, whose records are all before the window; no
    // merge-back or RCA issue on its own (the list of the app's issues holds them).
    expect([...r.ownReads].sort()).toEqual([...REPORT_LISTS(), ...[10, 20, 30, 40].flatMap(INCIDENT_READS), THREAD(70)].sort());
    // The dispatcher's 3 and the report's 12.
    expect(r.reads.length).toBeLessThanOrEqual(3 + 12);
  });

  test("someone with the triage role is told it needs write, and nothing is read", async () => {
    await repository({ role: "triage" });
    layOutHistory();

    const r = await say("/mainline report");

    expect(r.ownReads).toEqual([]);
    expect(r.writes).toEqual([`POST ${world.api}/issues/50/comments`]);
    expect(r.reply).toBe(
      `mainline could not run this command from [your comment](${world.commentUrl(r.comment)}):\n\n` +
        "- `/mainline report`: this needs the write role or higher in this repository; **octocat** has triage\n\n" +
        `<!-- mainline:reply source=${r.comment.id} -->`,
    );
    expect(world.thumbsUp(r.comment.id)).toEqual([]);
  });

  test("a repository without any incident gets a report of zeros", async () => {
    await repository({ role: "admin" });

    const r = await report();

    expect(r.body).toBe(NOTHING_IN_THE_WINDOW());
    expectReported(r);
  });
});

describe("/mainline report: only the app's records count", () => {
  // Merge-back and RCA issues are those the incidents' records name, and only the app's own: no label is asked.
  test("the issue a merge-back record names, when the app did not open it, times nothing, whatever marker and label it carries", async () => {
    await repository();
    layOutIncident(HISTORY[3]!);
    // #30's deploy record names #32, which the list of the app's issues does not hold: it is read on its own, and a person opened it.
    at("2026-11-18T13:00:00Z", () => world.personIssue(32, { title: "Merge back", body: marker("merge-back", { incident: 30, sha: sha("5") }), labels: ["merge-back"], login: "mallory" }));
    closeAt(32, "2026-11-18T14:00:00Z");

    const r = await report();

    expect(r.calls.filter((c) => c.includes("labels="))).toEqual([]);
    expect(r.ownReads).toContain(`GET ${world.api}/issues/32`);
    expect(r.body).toContain("| Median time from exception deploy to merge-back | none done yet (1 still open) |");
    expect(r.body).toContain("| RCAs done on time | none due yet |");
  });

  // SPEC 8: a label, and a record copied by a person, are views; the report counts what the app recorded.
  test("an issue labelled as an incident whose records a person copied in counts for nothing, and is not even read", async () => {
    await repository();
    // #10 as the app would have left it, its records written by mallory instead.
    incidentIssue(HISTORY[1]!);
    incidentRecords(HISTORY[1]!, "mallory");

    const r = await report();

    expect(r.calls.filter((c) => /\/issues\/10(\/|\?|$)/.test(c))).toEqual([]);
    expect(r.body).toContain("| Incidents | 0 |\n| Exceptions granted | 0 |\n| Commits deployed under an exception | 0 |");
  });
});

describe("/mainline report: days since the last hotfix", () => {
  /** A hotfix 142 days ago, before the window: the report covers the last 90 days only. */
  const SUMMER: Incident = {
    number: 3,
    title: "Summer outage",
    createdAt: "2026-07-01T00:00:00Z",
    grants: [{ sha: sha("9"), at: "2026-07-01T01:00:00.000Z", expires: "2026-07-01T05:00:00.000Z" }],
    deploys: [{ sha: sha("9"), deployment: 499, at: "2026-07-01T02:00:00.000Z" }],
  };

  test("the last hotfix was before the window, in an incident only people spoke in since: none in the last 90 days", async () => {
    await repository();
    layOutIncident(SUMMER);
    at("2026-09-01T00:00:00Z", () => world.personComment(3, "octocat", "Is this still happening?"));

    const r = await report();

    expect(r.body).toBe(NOTHING_IN_THE_WINDOW());
    // None of the app's records of it is in the window: it is not read, nor its merge-back issue (#4, for a deploy before the window).
    expect([...r.ownReads].sort()).toEqual(REPORT_LISTS().sort());
    expectReported(r);
  });

  // Bug: report.ts computeReport counted daysSinceLastHotfix from every deploy in the facts, unfiltered by the
  // window, and the report reads every incident the app recorded something about in the window. An incident
  // whose hotfix was 142 days ago but that was force-closed in the window made the row read 142; untouched, it
  // read "none in the last 90 days". The same history gave two answers.
  test("the last hotfix was before the window, in an incident force-closed in it (a record of the window, so it is read): none in the last 90 days too", async () => {
    await repository();
    layOutIncident(SUMMER);
    recordAt("2026-09-01T00:00:00Z", 3, "force-close", { by: "octocat", at: "2026-09-01T00:00:00.000Z", reason: "stale", source: "390:1" }, "Force-closed.");
    closeAt(3, "2026-09-01T00:00:00Z");

    const r = await report();

    expect(r.body).toBe(NOTHING_IN_THE_WINDOW());
    // The incident and its thread; its merge-back issue (#4, for a deploy before the window) and its RCA (#4, opened before it) are not read.
    expect([...r.ownReads].sort()).toEqual([...REPORT_LISTS(), ...INCIDENT_READS(3)].sort());
    expectReported(r);
  });
});

describe("/mainline report: a commit already on main deployed under an exception owes no merge-back", () => {
  test("it counts as an exception deploy and in the trend, and no merge-back of it is open", async () => {
    await repository();
    layOutIncident({
      number: 60,
      title: "Cache stampede",
      createdAt: "2026-11-15T08:00:00Z",
      grants: [{ sha: sha("b"), at: "2026-11-15T09:00:00.000Z", expires: "2026-11-15T13:00:00.000Z", criterion: "outage" }],
      deploys: [{ sha: sha("b"), deployment: 600, at: "2026-11-15T10:00:00.000Z", reached: "2026-11-15T10:05:00.000Z", skipped: "staging" }],
    });

    const r = await report();

    expect(r.body).toBe(
      [
        ...heading(),
        [
          "| | last 90 days |",
          "| --- | --- |",
          "| Incidents | 1 (1 still open) |",
          "| Exceptions granted | 1 (1 used) |",
          "| Commits deployed under an exception | 1 |",
          "| Exception deploys per 30 days, oldest first | 0, 0, 1 |",
          "| Median time from exception deploy to merge-back | none owed (each commit deployed under an exception was on main) |",
          "| RCAs done on time | none due yet |",
          "| Incidents in a hotfix cascade | 0 |",
          "| Incidents force-closed | 0 |",
          "| Rollbacks from incidents | 0 |",
          "| Days since the last hotfix | 5 |",
          "| Post-merge reviews (pushes to main that no pull request merged) | 0 opened, 0 done |",
        ].join("\n"),
        "**Exceptions by criterion:**\n- `outage`: 1 granted, 1 used",
        "Nothing to follow up.",
      ].join("\n\n"),
    );
    expectReported(r);
  });
});

describe("/mainline status in a pull request", () => {
  /** Pull request #2 of S (`hotfix/payments`) into master, with the app's `mainline/merge-first` run on S from an earlier evaluation (failed). */
  function hotfixPull(): CheckRun {
    world.github.addPull(world.repo, { number: 2, head: "hotfix/payments", base: "master", commits: [S] });
    const at = world.github.mint.now();
    const run: CheckRun = {
      id: world.github.nextId(),
      name: "mainline/merge-first",
      head_sha: S,
      app_id: world.github.app.id,
      status: "completed",
      conclusion: "failure",
      external_id: null,
      output: { title: "Earlier", summary: "Earlier.", text: null },
      started_at: at,
      completed_at: at,
    };
    (world.repo.checkRuns ??= new Map()).set(run.id, run);
    return run;
  }

  test("anyone may re-run the checks: the check run is updated in place, and the comment gets 👍", async () => {
    await repository();
    const run = hotfixPull();

    const r = await say("/mainline status", { issue: 2, login: "drive-by" });

    // The check run, then 👍 (last: a redelivery that finds it skips the comment).
    expect(r.writes).toEqual([`PATCH ${world.api}/check-runs/${run.id}`, `POST ${world.api}/issues/comments/${r.comment.id}/reactions`]);
    expect(r.written[0]!.body).toMatchObject({ conclusion: "success", output: { title: "Hotfix into main" } });
    expect(world.checkRun(run.id)).toMatchObject({ conclusion: "success", output: { title: "Hotfix into main" } });
    expect([...world.repo.checkRuns!.values()].filter((c) => c.name === "mainline/merge-first")).toHaveLength(1);
    expect(world.thumbsUp(r.comment.id)).toEqual(["mainline[bot]"]);
    expect(r.reply).toBeUndefined();
    // The dispatcher's 2; the pull request as it is now (1); into main, no commit is read: the head's pull requests (1),
    // its check run (1), the files (1).
    expect(r.reads.length).toBeLessThanOrEqual(2 + 4);
  });

  test("/mainline report in a pull request is refused: it belongs in an issue", async () => {
    await repository();
    hotfixPull();

    const r = await say("/mainline report", { issue: 2 });

    expect(r.reply).toContain("- `/mainline report`: `/mainline report` works in an issue, not a pull request");
    expect(r.writes).toEqual([`POST ${world.api}/issues/2/comments`]);
  });
});

describe("/mainline report: post-merge reviews count from the app's records, not from labels or closes", () => {
  test("a review closed by a triager (the app yet to reopen it), with a done record a person copied in, is not done", async () => {
    await repository();
    const review: Review = { number: 80, after: "80".repeat(20), openedAt: "2026-11-19T09:00:00.000Z", closedAt: "2026-11-20T09:00:00Z" };
    layOutReview(review);
    at("2026-11-20T09:01:00Z", () => world.personComment(80, "tom", reviewedText(80, "2026-11-20T09:00:00Z")));

    const r = await report();

    expect(r.body).toContain("| Post-merge reviews (pushes to main that no pull request merged) | 1 opened, 0 done |");
    expect(r.body).toContain("- #80: post-merge review not done: **root** pushed `8080808` 1 day ago");
    expectReported(r);
  });

  // As the close gate holds them (post-merge-review-close.ts): an edited record is a review it reopens on every close; a record naming another issue is none.
  test("a review whose record an edit changed is opened and not done; an issue whose body carries another review's record is no review", async () => {
    await repository();
    const edited: Review = { number: 81, after: "81".repeat(20), openedAt: "2026-11-18T09:00:00.000Z" };
    const editedAfterDone: Review = { number: 83, after: "83".repeat(20), openedAt: "2026-11-14T09:00:00.000Z", closedAt: "2026-11-15T09:00:00Z", reviewedCloses: ["2026-11-15T09:00:00Z"] };
    layOutReview(edited, reviewBody(edited).replace("pusher=root", "pusher=tom"));
    // The app's merge-back issue, closed and commented on, whose body a person replaced with review #81's record as the app wrote it.
    at("2026-11-18T10:00:00Z", () => world.appIssue(82, { title: "Merge back", body: reviewBody(edited), labels: ["merge-back"] }));
    at("2026-11-18T11:00:00Z", () => world.personComment(82, "tom", "Done."));
    closeAt(82, "2026-11-19T10:00:00Z");
    // Done on the 15th, and its text edited since: the close was judged before the edit, and stays done.
    layOutReview(editedAfterDone, `${reviewBody(editedAfterDone)}\n\nLGTM`);

    const r = await report();

    // Only the closed review's thread is read: neither the open one's nor the issue that is no review.
    expect(r.calls.filter((c) => /\/issues\/8\d\/comments/.test(c))).toEqual([THREAD(83)]);
    expect(r.body).toContain("| Post-merge reviews (pushes to main that no pull request merged) | 2 opened, 1 done |");
    expect(lastSection(r.body)).toBe(
      "**To follow up:**\n- #81: post-merge review not done, opened 2 days ago: an edit changed the first line of its description, mainline's record of who pushed, and no close counts until it is restored",
    );
    expectReported(r);
  });
});

describe("/mainline report: raised hotfix limits on main are named (SPEC 8)", () => {
  test("the commit that raised them, its author, and each limit", async () => {
    await repository();
    const config = ".github/mainline.yml";
    const head = world.repo.branches.get("master")!;
    // The limits as they were (set before the window), then mallory's commit of the 19th raising them.
    const before = at("2026-08-01T10:00:00Z", () => world.github.commit(world.repo, sha("d"), head, "master", "Hotfix discipline"));
    world.repo.commits.get(before)!.files = { [config]: "hotfix:\n  criteria: [outage]\n  maxChangedLines: 50\n  budget: { count: 3, days: 30 }\n" };
    const raised = "hotfix:\n  criteria: [outage]\n  maxChangedLines: 200\n  budget: { count: 0, days: 30 }\n";
    const change = at("2026-11-19T10:00:00Z", () => world.github.commit(world.repo, sha("e"), before, "master", "Relax hotfix discipline"));
    Object.assign(world.repo.commits.get(change)!, { files: { [config]: raised }, author: world.github.user("mallory") });
    world.repo.files.set(config, raised);

    const r = await report();

    expect(lastSection(r.body)).toBe(
      [
        "**Weakenings of the config on main:**",
        "- `eeeeeee` by **mallory** (2026-11-19): hotfix.maxChangedLines raised from 50 to 200: a bigger fix needs no second approver; " +
          "hotfix.budget.count raised from 3 to 0 (off): more hotfixes pass before every new one needs a second approver",
      ].join("\n"),
    );
    expectReported(r);
  });
});

describe("/mainline report: every read is bounded, and a bound is said (SPEC 8)", () => {
  test("31 incidents the window's records name and 21 reviews, every other one closed and done: the 30 named latest and the 10 closed reviews' threads of the newest 20 are read, and the figures are lower bounds", async () => {
    await repository();
    // #100 became an incident first, #130 last: #100 is the one past the bound. No label: none is asked.
    const flooded = Array.from({ length: 31 }, (_, i): Incident => ({ number: 100 + i, title: "Flooded", createdAt: `2026-11-19T00:${String(i).padStart(2, "0")}:00Z`, grants: [], deploys: [] }));
    for (const incident of flooded) {
      incidentIssue(incident, []);
      incidentRecords(incident);
    }
    // #200 opened first, #220 last: #200 is the one past the bound. #200, #202, … #220 closed and done.
    const closed = "2026-11-19T12:00:00Z";
    const reviews = Array.from({ length: 21 }, (_, i): Review => ({ number: 200 + i, after: sha("f"), openedAt: `2026-11-19T09:${String(i).padStart(2, "0")}:00.000Z`, ...(i % 2 === 0 ? { closedAt: closed, reviewedCloses: [closed] } : {}) }));
    for (const review of reviews) layOutReview(review);

    const r = await report();

    expect(r.calls.filter((c) => /\/issues\/1\d\d(\/comments\?|$)/.test(c)).sort()).toEqual(flooded.slice(1).flatMap(({ number }) => INCIDENT_READS(number)).sort());
    expect(r.calls.filter((c) => /\/issues\/2\d\d\/comments/.test(c)).sort()).toEqual([202, 204, 206, 208, 210, 212, 214, 216, 218, 220].map(THREAD).sort());
    // The dispatcher's 3, the 3 lists, 2 reads for each of 30 incidents, 10 review threads: no RCA is read on its own (the
    // list of the app's issues is whole, and holds none of them).
    expect(r.reads.length).toBeLessThanOrEqual(3 + 3 + 60 + 10);
    expectReported(r);
    expect(r.body).toContain("| Incidents | at least 30 (at least 30 still open) |");
    expect(r.body).toContain("| Median time from exception deploy to merge-back | could not verify |");
    // The RCAs are the incidents': with one not read, neither how many were due nor how many were on time is known.
    expect(r.body).toContain("| RCAs done on time | could not verify |");
    expect(r.body).toContain("| Days since the last hotfix | could not verify |");
    expect(r.body).toContain("| Post-merge reviews (pushes to main that no pull request merged) | at least 20 opened, at least 10 done |");
    expect(lastSection(r.body)).toBe(
      [
        "**Could not verify:**",
        "- incidents past the 30 mainline reads (those with its latest records in these 90 days, each thread up to its bound)",
        "- post-merge reviews past the newest 20 mainline reads",
      ].join("\n"),
    );
  });
});
