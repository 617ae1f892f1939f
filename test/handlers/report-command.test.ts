import nock from "nock";
import { marker } from "../../src/markers.js";
import { recordBody, type RecordFields, type RecordKind } from "../../src/records.js";
import { issueComment, REPO_ID } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { restCheckRun, restCheckRuns, restComment, restCommit, restIssue, restPull, restPullFiles, restPullOfCommit } from "../helpers/rest-objects.js";
import { testApp, TEST_RECORD_KEY } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
/** NOW (2026-11-20T12:00:00Z) less 90 days. */
const SINCE = "2026-08-22T12%3A00%3A00.000Z";
const GET = {
  reactions: `${REPO_PATH}/issues/comments/9001/reactions?content=%2B1&per_page=100`,
  comments: (n: number) => `${REPO_PATH}/issues/${n}/comments?per_page=100`,
  permission: `${REPO_PATH}/collaborators/octocat/permission`,
  /** The repository's comments of the window, newest first: where the app's records name the incidents (no label is asked). */
  records: `${REPO_PATH}/issues/comments?since=${SINCE}&sort=created&direction=desc&per_page=100&page=1`,
  issue: (n: number) => `${REPO_PATH}/issues/${n}`,
  /** The changes of `.github/mainline.yml` on main in the window (a weakening is a line in the report, SPEC 8). */
  configHistory: `${REPO_PATH}/commits?path=.github%2Fmainline.yml&sha=heads%2Fmaster&since=${SINCE}&per_page=10`,
  /**
   * The issues the app opened, touched in the window: its post-merge reviews, and the merge-back and RCA issues the
   * incidents' records name (by creator: no label is asked).
   */
  ownIssues: `${REPO_PATH}/issues?creator=mainline%5Bbot%5D&state=all&since=${SINCE}&per_page=100`,
};
/** What the report reads at once before the threads: the repository's comments, the config's history on main, and the app's own issues. */
const REPORT_LISTS = [`GET ${GET.records}`, `GET ${GET.configHistory}`, `GET ${GET.ownIssues}`].sort();
/** An issue's comments, as the mock serves them. */
type Thread = [number, Array<ReturnType<typeof restComment>>];
/** What the report reads of each incident its records name: the issue (here still?), then its thread. */
const INCIDENT_READS = (n: number) => [`GET ${GET.issue(n)}`, `GET ${GET.comments(n)}`];

/**
 * The dispatcher's first reads: the issue's thread (its records say whether it is an incident, its
 * replies whether the comment was answered), then the app's 👍 on the comment.
 */
const DISPATCH_READS = (issue: number) => [`GET ${GET.comments(issue)}`, `GET ${GET.reactions}`];

/** What the delivery read beyond its start (the token, `.github/mainline.yml`); each mock answers once, so `github.done()` proves each was read once. */
function reads(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => c.startsWith("GET ") && !CONFIG_READS.includes(c));
}

/** What the report read: all but what the dispatcher read in #50 to run it (its thread, the 👍, octocat's role). */
function reportReads(github: ReturnType<typeof mockGitHub>): string[] {
  const dispatch = [...DISPATCH_READS(50), `GET ${GET.permission}`];
  return reads(github).filter((c) => !dispatch.includes(c));
}

/** What the delivery wrote, in the order GitHub took them (the token exchange aside). */
function writes(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => !c.startsWith("GET ") && !c.endsWith("/access_tokens"));
}

/** The report in #50, then 👍 (last: a redelivery that finds it skips the comment). */
const REPORTED = [`POST ${REPO_PATH}/issues/50/comments`, `POST ${REPO_PATH}/issues/comments/9001/reactions`];

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** The body of the app's reply in issue #50. */
function replyBody(github: ReturnType<typeof mockGitHub>): string | undefined {
  return (github.requests.find((r) => r.method === "POST" && r.path === `${REPO_PATH}/issues/50/comments`)?.body as { body: string } | undefined)?.body;
}

async function deliver(payload: ReturnType<typeof issueComment>) {
  const { probot } = await testApp();
  await probot.receive({ id: "c-1", name: "issue_comment", payload: payload as never });
}

/**
 * The repository's history, as the app's records in GitHub hold it. Each incident's exceptions are
 * granted by alice (commit, granted, expires) and deployed (deployment id, let through, reached the
 * environment when known).
 */
type Grant = { sha: string; at: string; expires: string; criterion?: string };
/** `skipped`: a commit already on main let past its promotion rule; its records name no merge-back item (none follows). */
type Deploy = { sha: string; deployment: number; at: string; reached?: string; skipped?: string };
const sha = (digit: string) => digit.repeat(40);
type Rollback = { sha: string; deployment: number; of: number; at: string };
const HISTORY: Array<{ number: number; title: string; createdAt: string; closedAt?: string; cascade?: boolean; grants: Grant[]; deploys: Deploy[]; rollbacks?: Rollback[] }> = [
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

const INCIDENTS = HISTORY.map(({ number, title, createdAt, closedAt, cascade }) =>
  restIssue({ number, title, labels: cascade ? ["incident", "hotfix-cascade"] : ["incident"], createdAt, updatedAt: "2026-11-20T10:00:00Z", ...(closedAt ? { state: "closed" as const, closedAt } : {}), author: { login: "octocat" } }),
);

/** The merge-back issue that tracks each commit deployed under an exception (a deploy record names it). */
const MERGE_BACK_OF: Record<string, number> = { [sha("1")]: 6, [sha("2")]: 12, [sha("3")]: 22, [sha("5")]: 32, [sha("6")]: 42, [sha("9")]: 4 };

/**
 * The incident's thread: the app's signed records (this repository, this incident), as its own
 * comments. The first says the issue became an incident: without it the label makes nothing.
 */
function records(incident: { number: number; createdAt: string; grants: Grant[]; deploys: Deploy[]; rollbacks?: Rollback[] }) {
  let id = incident.number * 100;
  const record = <K extends RecordKind>(kind: K, fields: RecordFields<K>, text: string, at: string) =>
    restComment({ id: id++, issue: incident.number, body: recordBody(TEST_RECORD_KEY, kind, { repo: REPO_ID, incident: incident.number }, fields, text), createdAt: at.replace(".000", "") });
  return [
    record("incident", { by: "octocat", via: "label", at: incident.createdAt, rca: incident.number + 1 }, "This issue is an incident.", incident.createdAt),
    ...incident.grants.map((g) =>
      record("exception", { sha: g.sha, env: "production", by: "alice", at: g.at, expires: g.expires, reason: g.criterion ?? "a reason", source: `${id}:1`, criterion: g.criterion }, "Exception granted.", g.at),
    ),
    ...incident.deploys.flatMap((d) => {
      const tracked = d.skipped ? { skipped: d.skipped } : { issue: MERGE_BACK_OF[d.sha]! };
      return [
        record("deploy", { sha: d.sha, env: "production", deployment: d.deployment, at: d.at, ...tracked }, "Deployed under the exception.", d.at),
        ...(d.reached ? [record("deployed", { sha: d.sha, env: "production", deployment: d.deployment, at: d.reached, ...tracked }, "Reached production.", d.reached)] : []),
      ];
    }),
    ...(incident.rollbacks ?? []).map((r) => record("rollback", { sha: r.sha, env: "production", deployment: r.deployment, of: r.of, by: "octocat", at: r.at, source: `${id}:1` }, "Rolled back.", r.at)),
  ];
}

const mergeBack = (number: number, incident: number, commit: string, createdAt: string, closedAt?: string) =>
  restIssue({
    number,
    title: `Merge back ${commit.slice(0, 7)} to master (incident #${incident})`,
    body: marker("merge-back", { incident, sha: commit }),
    labels: ["merge-back"],
    author: { app: true },
    createdAt,
    ...(closedAt ? { state: "closed" as const, closedAt } : {}),
  });
const MERGE_BACKS = [
  mergeBack(6, 5, sha("1"), "2026-08-01T02:00:00Z", "2026-08-01T20:00:00Z"),
  mergeBack(12, 10, sha("2"), "2026-11-01T12:00:00Z", "2026-11-02T00:30:00Z"),
  mergeBack(22, 20, sha("3"), "2026-11-10T10:00:00Z", "2026-11-11T16:00:00Z"),
  mergeBack(32, 30, sha("5"), "2026-11-18T13:00:00Z"),
  mergeBack(42, 40, sha("6"), "2026-11-19T08:00:00Z"),
];

const rcaBody = (incident: number, written: boolean) =>
  [
    `Root-cause analysis for incident #${incident}.`,
    ...["Timeline", "Root cause", "Action items"].map((s) => `## ${s}\n\n${written ? `${s}: written up.` : "<!-- Write this section here. -->"}`),
    marker("rca", { incident }),
  ].join("\n\n");
const rca = (number: number, incident: number, createdAt: string, closedAt?: string) =>
  restIssue({ number, title: `RCA: incident #${incident}`, body: rcaBody(incident, closedAt !== undefined), labels: ["rca"], author: { app: true }, createdAt, ...(closedAt ? { state: "closed" as const, closedAt } : {}) });
const RCAS = [
  // Done within 5 days of its incident: on time.
  rca(11, 10, "2026-11-01T10:01:00Z", "2026-11-04T10:00:00Z"),
  // Due 2026-11-15T08:00: 5 days overdue.
  rca(21, 20, "2026-11-10T08:01:00Z"),
  // Not due yet.
  rca(31, 30, "2026-11-18T12:01:00Z"),
  rca(41, 40, "2026-11-19T06:01:00Z"),
];

/**
 * Post-merge reviews (SPEC 11): issues the app opened for root's pushes to master, each as the app
 * leaves it: its signed record heading the body (open-post-merge-review.ts), and a
 * `post-merge-reviewed` record comment for each close the app judged done.
 */
type Review = { number: number; after: string; openedAt: string; labels?: string[]; closedAt?: string; reviewedCloses?: string[] };
const REVIEWS: Review[] = [
  // Reviewed by bob on the 13th. A triager took its label off since: it is found all the same.
  { number: 70, after: "70".repeat(20), openedAt: "2026-11-12T10:00:00.000Z", labels: [], closedAt: "2026-11-13T10:00:00Z", reviewedCloses: ["2026-11-13T10:00:00Z"] },
  // Closed by root, who pushed, and reopened by the app: not done, and open (no thread read).
  { number: 71, after: "71".repeat(20), openedAt: "2026-11-19T09:00:00.000Z" },
];
/** The review's body as the app writes it: the signed record, then the text people read. */
const reviewBody = ({ number, after, openedAt }: Review) =>
  recordBody(TEST_RECORD_KEY, "post-merge-review", { repo: REPO_ID, incident: number }, { after, pusher: "root", account: 77, at: openedAt }, "**root** pushed to `master` commits that no pull request merged.");
const reviewIssue = (review: Review) => ({
  ...restIssue({
    number: review.number,
    title: `Post-merge review: ${review.after.slice(0, 7)}…`,
    body: reviewBody(review),
    labels: review.labels ?? ["post-merge-review"],
    author: { app: true },
    createdAt: review.openedAt.replace(".000", ""),
    ...(review.closedAt ? { state: "closed" as const, closedAt: review.closedAt } : {}),
  }),
  comments: review.reviewedCloses?.length ?? 0,
});
/** The review's thread: a `post-merge-reviewed` record for each close the app judged done. */
function reviewRecords({ number, reviewedCloses = [] }: Review) {
  return reviewedCloses.map((closed, i) =>
    restComment({ id: number * 100 + 1 + i, issue: number, body: recordBody(TEST_RECORD_KEY, "post-merge-reviewed", { repo: REPO_ID, incident: number }, { by: "bob", account: 5, role: "write", closed }, "✅ Reviewed."), createdAt: closed }),
  );
}
/**
 * The issues the app opened touched in the window, as GitHub lists them by creator: the reviews; the
 * merge-back issues (#6, closed in August, is not among them), one of which a triager labelled
 * `post-merge-review` (no review: no review record heads its body, so its thread is not read); the RCA
 * issues. Where the records name its merge-back and RCA issues, the report finds them here: none is read
 * on its own.
 */
const LABELLED_MERGE_BACK = { ...restIssue({ number: 42, title: "Merge back", body: marker("merge-back", { incident: 40, sha: sha("6") }), labels: ["merge-back", "post-merge-review"], author: { app: true }, createdAt: "2026-11-19T08:00:00Z" }), comments: 1 };
const OWN_ISSUES = [...REVIEWS.map(reviewIssue), LABELLED_MERGE_BACK, ...MERGE_BACKS.filter((i) => ![6, 42].includes(i.number)), ...RCAS];
/** The threads the report reads of them: the closed reviews' only. */
const OWN_THREADS: Thread[] = REVIEWS.filter((r) => r.closedAt).map((r) => [r.number, reviewRecords(r)]);

const REPORT = [
  "### mainline report: Codertocat/Hello-World",
  "The last 90 days, 2026-08-22 to 2026-11-20 (UTC).",
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

/** The repository's comments as GitHub lists them for the report: those updated since the window's start, newest first. */
function listedSince(comments: ReadonlyArray<ReturnType<typeof restComment>>) {
  const from = Date.parse(decodeURIComponent(SINCE));
  return comments.filter((c) => Date.parse(c.updated_at) >= from).sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
}

/**
 * GitHub answering `/mainline report` in issue #50 by octocat, who has the `role` role here: the
 * dispatcher's reads, the lists the report reads (the repository's `comments`, by default those of
 * every thread of `threads`; the app's `ownIssues`; the changes of the config on main, none unless
 * `configChanges`: the list and the file at each side), each issue of `incidents` and `issues` (the
 * report asks for the incidents its records name, and for their merge-back issues the app's own
 * issues do not hold) and each thread of `threads`, then the report it posts and the 👍.
 */
function reportGitHub({
  role = "write",
  incidents,
  issues = [],
  ownIssues = [],
  threads = [],
  comments = threads.flatMap(([, thread]) => thread),
  configChanges = { list: [], files: {} },
}: {
  role?: "write" | "admin";
  incidents: Array<ReturnType<typeof restIssue>>;
  issues?: Array<ReturnType<typeof restIssue>>;
  ownIssues?: Array<ReturnType<typeof restIssue>>;
  threads?: Thread[];
  comments?: Array<ReturnType<typeof restComment>>;
  configChanges?: { list: unknown[]; files: Record<string, string> };
}) {
  const github = mockGitHub();
  github.token();
  github.config();
  github.scope.get(GET.reactions).reply(200, []);
  github.scope.get(GET.comments(50)).reply(200, []);
  github.scope.get(GET.permission).reply(200, { permission: role, role_name: role, user: null });
  github.scope.get(GET.records).reply(200, listedSince(comments));
  for (const issue of [...incidents, ...issues]) github.scope.get(GET.issue(issue.number)).reply(200, issue);
  github.scope.get(GET.configHistory).reply(200, configChanges.list);
  for (const [ref, yaml] of Object.entries(configChanges.files)) github.scope.get(`${REPO_PATH}/contents/.github%2Fmainline.yml?ref=${ref}`).reply(200, yaml);
  github.scope.get(GET.ownIssues).reply(200, ownIssues);
  for (const [number, comments] of threads) github.scope.get(GET.comments(number)).reply(200, comments);
  github.scope.post(`${REPO_PATH}/issues/comments/9001/reactions`, { content: "+1" }).reply(201, {});
  github.scope.post(`${REPO_PATH}/issues/50/comments`).reply(201, restComment({ id: 9002, issue: 50, body: "report" }));
  return github;
}

describe("/mainline report", () => {
  test("a writer gets the last 90 days from the app's records, and 👍", async () => {
    const inWindow = HISTORY.filter((incident) => incident.number !== 5);
    const threads = [...inWindow.map((incident): Thread => [incident.number, records(incident)]), ...OWN_THREADS];
    // The repository's comments: the app's records of every incident (#5's all before the window), the reviews' records, a person's notes.
    const notes = [10, 30].map((issue, i) => restComment({ id: 9100 + i, issue, body: "Still seeing errors.", author: { login: "octocat" }, createdAt: "2026-11-19T09:00:00Z" }));
    const comments = [...HISTORY.flatMap(records), ...OWN_THREADS.flatMap(([, thread]) => thread), ...notes];
    const github = reportGitHub({ incidents: INCIDENTS.filter((i) => i.number !== 5), ownIssues: OWN_ISSUES, threads, comments });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, title: "Q4 retrospective", labels: [] } }));

    // Each once: the three lists, each incident the window's records name and its thread, and the thread of each closed
    // review (only a close can be done: #70; #71 is open). Nothing of #5, whose records are all before the window.
    expect(reportReads(github).sort()).toEqual([...REPORT_LISTS, ...[10, 20, 30, 40].flatMap(INCIDENT_READS), `GET ${GET.comments(70)}`].sort());
    // The dispatcher's 3 and the report's 12.
    expect(reads(github).length).toBeLessThanOrEqual(3 + 12);
    expect(writes(github)).toEqual(REPORTED);
    expect(replyBody(github)).toBe(`${REPORT}\n\n<!-- mainline:reply source=9001 -->`);
    github.done();
  });

  test("someone with the triage role is told it needs write, and nothing is read", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.reactions).reply(200, []);
    github.scope.get(GET.comments(50)).reply(200, []);
    github.scope.get(GET.permission).reply(200, { permission: "read", role_name: "triage", user: null });
    github.scope.post(`${REPO_PATH}/issues/50/comments`).reply(201, restComment({ id: 9002, issue: 50, body: "reply" }));

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    expect(reportReads(github)).toEqual([]);
    expect(writes(github)).toEqual([`POST ${REPO_PATH}/issues/50/comments`]);
    expect(github.requests.find((r) => r.method === "POST" && r.path === `${REPO_PATH}/issues/50/comments`)?.body).toEqual({
      body:
        "mainline could not run this command from [your comment](https://github.com/Codertocat/Hello-World/issues/50#issuecomment-9001):\n\n" +
        "- `/mainline report`: this needs the write role or higher in this repository; **octocat** has triage\n\n" +
        "<!-- mainline:reply source=9001 -->",
    });
    github.done();
  });

  test("a repository without any incident gets a report of zeros", async () => {
    const github = reportGitHub({ role: "admin", incidents: [] });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    const body = replyBody(github);
    expect(body).toContain(
      [
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
    );
    expect(body).toContain("Nothing to follow up.");
    github.done();
  });
});

describe("/mainline report: only the app's records count", () => {
  // Merge-back and RCA issues are those the incidents' records name, and only the app's own: no label is asked.
  test("the issue a merge-back record names, when the app did not open it, times nothing, whatever marker and label it carries", async () => {
    // #30's deploy record names #32, which the list of the app's issues does not hold: it is read on its own, and a person opened it.
    const forgedMergeBack = restIssue({ number: 32, body: marker("merge-back", { incident: 30, sha: sha("5") }), labels: ["merge-back"], author: { login: "mallory" }, createdAt: "2026-11-18T13:00:00Z", state: "closed", closedAt: "2026-11-18T14:00:00Z" });
    const github = reportGitHub({ incidents: [INCIDENTS[3]!], issues: [forgedMergeBack], threads: [[30, records(HISTORY[3]!)]] });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    expect(github.calls().filter((c) => c.includes("labels="))).toEqual([]);
    const body = replyBody(github)!;
    expect(body).toContain("| Median time from exception deploy to merge-back | none done yet (1 still open) |");
    expect(body).toContain("| RCAs done on time | none due yet |");
    github.done();
  });

  // SPEC 8: a label, and a record copied by a person, are views; the report counts what the app recorded.
  test("an issue labelled as an incident whose records a person copied in counts for nothing, and is not even read", async () => {
    const copied = records(HISTORY[1]!).map((c) => restComment({ id: c.id, issue: 10, body: c.body, author: { login: "mallory" }, createdAt: c.created_at }));
    const github = reportGitHub({ incidents: [], comments: copied });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    expect(github.calls().filter((c) => c.includes("/issues/10"))).toEqual([]);
    const body = replyBody(github);
    expect(body).toContain("| Incidents | 0 |\n| Exceptions granted | 0 |\n| Commits deployed under an exception | 0 |");
    github.done();
  });
});

describe("/mainline report: days since the last hotfix", () => {
  /** A hotfix 142 days ago, before the window: the report covers the last 90 days only. */
  const SUMMER = {
    number: 3,
    title: "Summer outage",
    createdAt: "2026-07-01T00:00:00Z",
    grants: [{ sha: sha("9"), at: "2026-07-01T01:00:00.000Z", expires: "2026-07-01T05:00:00.000Z" }],
    deploys: [{ sha: sha("9"), deployment: 499, at: "2026-07-01T02:00:00.000Z" }],
  };
  const NOTHING_IN_THE_WINDOW = [
    "### mainline report: Codertocat/Hello-World",
    "The last 90 days, 2026-08-22 to 2026-11-20 (UTC).",
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

  /**
   * `/mainline report` by a writer; SUMMER's thread holds `later` besides its records of July, and
   * the report reads it when the window's comments hold one of the app's records of it.
   */
  async function report(summer: ReturnType<typeof restIssue>, later: Array<ReturnType<typeof restComment>> = []) {
    const thread = [...records(SUMMER), ...later];
    const read = listedSince(later).some((c) => c.user?.type === "Bot");
    const github = reportGitHub({ incidents: read ? [summer] : [], threads: read ? [[3, thread]] : [], comments: thread });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    // Its merge-back issue (#4, for a deploy before the window) and its RCA (#4, opened before it) are not read.
    expect(reportReads(github).sort()).toEqual([...REPORT_LISTS, ...(read ? INCIDENT_READS(3) : [])].sort());
    expect(writes(github)).toEqual(REPORTED);
    return github;
  }

  test("the last hotfix was before the window, in an incident only people spoke in since: none in the last 90 days", async () => {
    const summer = restIssue({ number: 3, title: SUMMER.title, labels: ["incident"], createdAt: SUMMER.createdAt, updatedAt: "2026-09-01T00:00:00Z" });
    const github = await report(summer, [restComment({ id: 390, issue: 3, body: "Is this still happening?", author: { login: "octocat" }, createdAt: "2026-09-01T00:00:00Z" })]);

    expect(replyBody(github)).toBe(`${NOTHING_IN_THE_WINDOW}\n\n<!-- mainline:reply source=9001 -->`);
    github.done();
  });

  // Bug: report.ts computeReport counted daysSinceLastHotfix from every deploy in the facts, unfiltered by the
  // window, and the report reads every incident the app recorded something about in the window. An incident
  // whose hotfix was 142 days ago but that was force-closed in the window made the row read 142; untouched, it
  // read "none in the last 90 days". The same history gave two answers.
  test("the last hotfix was before the window, in an incident force-closed in it (a record of the window, so it is read): none in the last 90 days too", async () => {
    const summer = restIssue({ number: 3, title: SUMMER.title, labels: ["incident"], createdAt: SUMMER.createdAt, state: "closed", closedAt: "2026-09-01T00:00:00Z" });
    const forceClose = restComment({
      id: 391,
      issue: 3,
      body: recordBody(TEST_RECORD_KEY, "force-close", { repo: REPO_ID, incident: 3 }, { by: "octocat", at: "2026-09-01T00:00:00.000Z", reason: "stale", source: "390:1" }, "Force-closed."),
      createdAt: "2026-09-01T00:00:00Z",
    });

    const github = await report(summer, [forceClose]);

    expect(replyBody(github)).toBe(`${NOTHING_IN_THE_WINDOW}\n\n<!-- mainline:reply source=9001 -->`);
    github.done();
  });
});

describe("/mainline report: a commit already on main deployed under an exception owes no merge-back", () => {
  test("it counts as an exception deploy and in the trend, and no merge-back of it is open", async () => {
    const onMain = {
      number: 60,
      title: "Cache stampede",
      createdAt: "2026-11-15T08:00:00Z",
      grants: [{ sha: sha("b"), at: "2026-11-15T09:00:00.000Z", expires: "2026-11-15T13:00:00.000Z", criterion: "outage" }],
      deploys: [{ sha: sha("b"), deployment: 600, at: "2026-11-15T10:00:00.000Z", reached: "2026-11-15T10:05:00.000Z", skipped: "staging" }],
    };
    const incident = restIssue({ number: 60, title: onMain.title, labels: ["incident"], createdAt: onMain.createdAt, updatedAt: "2026-11-20T10:00:00Z", author: { login: "octocat" } });
    const github = reportGitHub({ incidents: [incident], threads: [[60, records(onMain)]] });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    expect(replyBody(github)).toBe(
      [
        "### mainline report: Codertocat/Hello-World",
        "The last 90 days, 2026-08-22 to 2026-11-20 (UTC).",
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
        "<!-- mainline:reply source=9001 -->",
      ].join("\n\n"),
    );
    github.done();
  });
});

describe("/mainline status in a pull request", () => {
  const HEAD = "a".repeat(40);
  const headPulls = `${REPO_PATH}/commits/${HEAD}/pulls?per_page=100`;
  const checkRuns = `${REPO_PATH}/commits/${HEAD}/check-runs?check_name=mainline%2Fmerge-first&filter=latest&per_page=100`;

  test("anyone may re-run the checks: the check run is updated in place, and the comment gets 👍", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.reactions).reply(200, []);
    github.scope.get(GET.comments(2)).reply(200, []);
    github.scope.get(`${REPO_PATH}/pulls/2`).reply(200, restPull({ base: "master", head: "hotfix/payments" }));
    github.scope.get(headPulls).reply(200, [restPullOfCommit({ base: "master", head: "hotfix/payments" })]);
    github.scope.get(checkRuns).reply(200, restCheckRuns([restCheckRun({ id: 31, name: "mainline/merge-first", headSha: HEAD })]));
    github.scope.patch(`${REPO_PATH}/check-runs/31`).reply(200, restCheckRun({ id: 31, name: "mainline/merge-first", headSha: HEAD }));
    github.scope.get(`${REPO_PATH}/pulls/2/files?per_page=100`).reply(200, restPullFiles([{ filename: "src/checkout.ts" }]));
    github.scope.post(`${REPO_PATH}/issues/comments/9001/reactions`, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/mainline status", login: "drive-by", issue: { number: 2, labels: [], pullRequest: true } }));

    // The check run, then 👍 (last: a redelivery that finds it skips the comment).
    expect(writes(github)).toEqual([`PATCH ${REPO_PATH}/check-runs/31`, `POST ${REPO_PATH}/issues/comments/9001/reactions`]);
    // The dispatcher's 2; the pull request as it is now (1); into main, no commit is read: the head's pull requests (1),
    // its check run (1), the files (1).
    expect(reads(github).length).toBeLessThanOrEqual(2 + 4);
    expect(github.requests.find((r) => r.method === "PATCH")?.body).toMatchObject({ conclusion: "success", output: { title: "Hotfix into main" } });
    github.done();
  });

  test("/mainline report in a pull request is refused: it belongs in an issue", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.reactions).reply(200, []);
    github.scope.get(GET.comments(2)).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, restComment({ id: 9002, issue: 2, body: "reply" }));

    await deliver(issueComment({ body: "/mainline report", issue: { number: 2, labels: [], pullRequest: true } }));

    expect((github.requests.at(-1)?.body as { body: string }).body).toContain("- `/mainline report`: `/mainline report` works in an issue, not a pull request");
    github.done();
  });
});

describe("/mainline report: post-merge reviews count from the app's records, not from labels or closes", () => {
  test("a review closed by a triager (the app yet to reopen it), with a done record a person copied in, is not done", async () => {
    const review: Review = { number: 80, after: "80".repeat(20), openedAt: "2026-11-19T09:00:00.000Z", closedAt: "2026-11-20T09:00:00Z" };
    const [genuine] = reviewRecords({ ...review, reviewedCloses: ["2026-11-20T09:00:00Z"] });
    const copied = restComment({ id: 8099, issue: 80, body: genuine!.body!, author: { login: "tom" }, createdAt: "2026-11-20T09:01:00Z" });
    const github = reportGitHub({ incidents: [], ownIssues: [{ ...reviewIssue(review), comments: 1 }], threads: [[80, [copied]]] });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    const body = replyBody(github)!;
    expect(body).toContain("| Post-merge reviews (pushes to main that no pull request merged) | 1 opened, 0 done |");
    expect(body).toContain("- #80: post-merge review not done: **root** pushed `8080808` 1 day ago");
    github.done();
  });

  // As the close gate holds them (post-merge-review-close.ts): an edited record is a review it reopens on every close; a record naming another issue is none.
  test("a review whose record an edit changed is opened and not done; an issue whose body carries another review's record is no review", async () => {
    const edited: Review = { number: 81, after: "81".repeat(20), openedAt: "2026-11-18T09:00:00.000Z" };
    const editedAfterDone: Review = { number: 83, after: "83".repeat(20), openedAt: "2026-11-14T09:00:00.000Z", closedAt: "2026-11-15T09:00:00Z", reviewedCloses: ["2026-11-15T09:00:00Z"] };
    // The app's merge-back issue, closed, whose body a person replaced with review #81's record as the app wrote it.
    const copiedOnto = { ...restIssue({ number: 82, body: reviewBody(edited), labels: ["merge-back"], author: { app: true }, createdAt: "2026-11-18T10:00:00Z", state: "closed", closedAt: "2026-11-19T10:00:00Z" }), comments: 1 };
    const github = reportGitHub({
      incidents: [],
      ownIssues: [
        { ...reviewIssue(edited), body: reviewBody(edited).replace("pusher=root", "pusher=tom") },
        copiedOnto,
        // Done on the 15th, and its text edited since: the close was judged before the edit, and stays done.
        { ...reviewIssue(editedAfterDone), body: `${reviewBody(editedAfterDone)}\n\nLGTM` },
      ],
      threads: [[83, reviewRecords(editedAfterDone)]],
    });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    // Only the closed review's thread is read: neither the open one's nor the issue that is no review.
    expect(github.calls().filter((c) => /\/issues\/8\d\/comments/.test(c))).toEqual([`GET ${GET.comments(83)}`]);
    const body = replyBody(github)!;
    expect(body).toContain("| Post-merge reviews (pushes to main that no pull request merged) | 2 opened, 1 done |");
    expect(body).toContain(
      "**To follow up:**\n- #81: post-merge review not done, opened 2 days ago: an edit changed the first line of its description, mainline's record of who pushed, and no close counts until it is restored\n\n",
    );
    github.done();
  });
});

describe("/mainline report: raised hotfix limits on main are named (SPEC 8)", () => {
  test("the commit that raised them, its author, and each limit", async () => {
    const before = sha("d");
    const change = sha("e");
    const commit = { ...restCommit(change, "Relax hotfix discipline"), parents: [{ sha: before, url: `https://api.github.com${REPO_PATH}/commits/${before}` }] };
    const dated = { ...commit, author: { login: "mallory" }, commit: { ...commit.commit, committer: { ...commit.commit.committer, date: "2026-11-19T10:00:00Z" } } };
    const github = reportGitHub({
      incidents: [],
      configChanges: {
        list: [dated],
        files: {
          [before]: "hotfix:\n  criteria: [outage]\n  maxChangedLines: 50\n  budget: { count: 3, days: 30 }\n",
          [change]: "hotfix:\n  criteria: [outage]\n  maxChangedLines: 200\n  budget: { count: 0, days: 30 }\n",
        },
      },
    });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    expect(replyBody(github)).toContain(
      [
        "**Weakenings of the config on main:**",
        "- `eeeeeee` by **mallory** (2026-11-19): hotfix.maxChangedLines raised from 50 to 200: a bigger fix needs no second approver; " +
          "hotfix.budget.count raised from 3 to 0 (off): more hotfixes pass before every new one needs a second approver",
      ].join("\n") + "\n\n<!-- mainline:reply",
    );
    github.done();
  });
});

describe("/mainline report: every read is bounded, and a bound is said (SPEC 8)", () => {
  test("31 incidents the window's records name and 21 reviews, every other one closed and done: the 30 named latest and the 10 closed reviews' threads of the newest 20 are read, and the figures are lower bounds", async () => {
    // #100 became an incident first, #130 last: #100 is the one past the bound. No label: none is asked.
    const flooded = Array.from({ length: 31 }, (_, i) => ({ number: 100 + i, createdAt: `2026-11-19T00:${String(i).padStart(2, "0")}:00Z`, grants: [], deploys: [] }));
    const closed = "2026-11-19T12:00:00Z";
    // #200, #202, … #220 closed and done; #220, the 21st, is past the bound: its thread is not read.
    const reviews = Array.from({ length: 21 }, (_, i): Review => ({ number: 200 + i, after: sha("f"), openedAt: "2026-11-19T09:00:00.000Z", ...(i % 2 === 0 ? { closedAt: closed, reviewedCloses: [closed] } : {}) }));
    const github = reportGitHub({
      incidents: flooded.slice(1).map(({ number, createdAt }) => restIssue({ number, title: "Flooded", labels: [], createdAt })),
      ownIssues: reviews.map(reviewIssue),
      threads: [
        ...flooded.slice(1).map((incident): Thread => [incident.number, records(incident)]),
        ...reviews.slice(0, 20).flatMap((r): Thread[] => (r.closedAt ? [[r.number, reviewRecords(r)]] : [])),
      ],
      comments: [...flooded.flatMap(records), ...reviews.flatMap(reviewRecords)],
    });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    const calls = github.calls();
    expect(calls.filter((c) => /\/issues\/1\d\d(\/comments\?|$)/.test(c)).sort()).toEqual(flooded.slice(1).flatMap(({ number }) => INCIDENT_READS(number)).sort());
    expect(calls.filter((c) => /\/issues\/2\d\d\/comments/.test(c)).sort()).toEqual([200, 202, 204, 206, 208, 210, 212, 214, 216, 218].map((n) => `GET ${GET.comments(n)}`));
    // The dispatcher's 6, the 3 lists, 2 reads for each of 30 incidents, 10 review threads, the report and 👍: no RCA is
    // read on its own (the list of the app's issues is whole, and holds none of them: each was opened before the window).
    expect(calls).toHaveLength(6 + 3 + 60 + 10 + 2);
    const body = replyBody(github)!;
    expect(body).toContain("| Incidents | at least 30 (at least 30 still open) |");
    expect(body).toContain("| Median time from exception deploy to merge-back | could not verify |");
    // The RCAs are the incidents': with one not read, neither how many were due nor how many were on time is known.
    expect(body).toContain("| RCAs done on time | could not verify |");
    expect(body).toContain("| Days since the last hotfix | could not verify |");
    expect(body).toContain("| Post-merge reviews (pushes to main that no pull request merged) | at least 20 opened, at least 10 done |");
    expect(body).toContain(
      [
        "**Could not verify:**",
        "- incidents past the 30 mainline reads (those with its latest records in these 90 days, each thread up to its bound)",
        "- post-merge reviews past the newest 20 mainline reads",
      ].join("\n") + "\n\n<!-- mainline:reply",
    );
    github.done();
  });
});

