import nock from "nock";
import { marker } from "../../src/markers.js";
import { recordBody, type RecordFields, type RecordKind } from "../../src/records.js";
import { issueComment, REPO_ID } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { restCheckRun, restCheckRuns, restComment, restIssue, restPull, restPullFiles, restPullOfCommit } from "../helpers/rest-objects.js";
import { testApp, TEST_RECORD_KEY } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
/** NOW (2026-11-20T12:00:00Z) less 90 days. */
const SINCE = "2026-08-22T12%3A00%3A00.000Z";
const GET = {
  reactions: `${REPO_PATH}/issues/comments/9001/reactions?content=%2B1&per_page=100`,
  comments: (n: number) => `${REPO_PATH}/issues/${n}/comments?per_page=100`,
  permission: `${REPO_PATH}/collaborators/octocat/permission`,
  incidents: `${REPO_PATH}/issues?labels=incident&state=all&per_page=100&since=${SINCE}`,
  mergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  rcas: `${REPO_PATH}/issues?labels=rca&state=all&per_page=100&since=${SINCE}`,
  /** The changes of `.github/mainline.yml` on main in the window (a weakening is a line in the report, SPEC 8). */
  configHistory: `${REPO_PATH}/commits?path=.github%2Fmainline.yml&sha=heads%2Fmaster&since=${SINCE}&per_page=10`,
};
/** What the report reads at once before the incidents' threads: the three lists and the config's history on main. */
const REPORT_LISTS = [`GET ${GET.incidents}`, `GET ${GET.mergeBacks}`, `GET ${GET.rcas}`, `GET ${GET.configHistory}`].sort();

/**
 * The dispatcher's first reads: the issue's thread (its records say whether it is an incident, its
 * replies whether the comment was answered), then the app's 👍 on the comment.
 */
const DISPATCH_READS = (issue: number) => [`GET ${GET.comments(issue)}`, `GET ${GET.reactions}`];

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof issueComment>) {
  const { probot } = await testApp();
  await probot.receive({ id: "c-1", name: "issue_comment", payload: payload as never });
}

/**
 * The repository's history, as the app's records in GitHub hold it. Each incident's exceptions are
 * granted by alice (commit, granted, expires) and deployed (deployment id, let through, reached the
 * environment when known).
 */
type Grant = { sha: string; at: string; expires: string };
type Deploy = { sha: string; deployment: number; at: string; reached?: string };
const sha = (digit: string) => digit.repeat(40);
const HISTORY: Array<{ number: number; title: string; createdAt: string; closedAt?: string; cascade?: boolean; grants: Grant[]; deploys: Deploy[] }> = [
  // Opened before the window (touched in it, so GitHub lists it): counts for nothing but the last hotfix.
  {
    number: 5,
    title: "Old outage",
    createdAt: "2026-08-01T00:00:00Z",
    closedAt: "2026-08-25T00:00:00Z",
    grants: [{ sha: sha("1"), at: "2026-08-01T01:00:00.000Z", expires: "2026-08-01T05:00:00.000Z" }],
    deploys: [{ sha: sha("1"), deployment: 500, at: "2026-08-01T02:00:00.000Z" }],
  },
  // Deployed at 12:30 (when it reached production, not when it was let through), merged back 12 hours later.
  {
    number: 10,
    title: "Checkout down",
    createdAt: "2026-11-01T10:00:00Z",
    closedAt: "2026-11-05T10:00:00Z",
    grants: [{ sha: sha("2"), at: "2026-11-01T11:00:00.000Z", expires: "2026-11-01T15:00:00.000Z" }],
    deploys: [{ sha: sha("2"), deployment: 501, at: "2026-11-01T12:00:00.000Z", reached: "2026-11-01T12:30:00.000Z" }],
  },
  // One exception used and merged back after 30 hours, one never used.
  {
    number: 20,
    title: "Search slow",
    createdAt: "2026-11-10T08:00:00Z",
    grants: [
      { sha: sha("3"), at: "2026-11-10T09:00:00.000Z", expires: "2026-11-10T13:00:00.000Z" },
      { sha: sha("4"), at: "2026-11-10T11:00:00.000Z", expires: "2026-11-10T15:00:00.000Z" },
    ],
    deploys: [{ sha: sha("3"), deployment: 502, at: "2026-11-10T10:00:00.000Z" }],
  },
  // Two hotfix deploys 19 hours apart: a cascade, both merge-backs still open.
  {
    number: 30,
    title: "Login loop",
    createdAt: "2026-11-18T12:00:00Z",
    cascade: true,
    grants: [{ sha: sha("5"), at: "2026-11-18T12:30:00.000Z", expires: "2026-11-18T16:30:00.000Z" }],
    deploys: [{ sha: sha("5"), deployment: 503, at: "2026-11-18T13:00:00.000Z" }],
  },
  {
    number: 40,
    title: "Login loop again",
    createdAt: "2026-11-19T06:00:00Z",
    cascade: true,
    grants: [{ sha: sha("6"), at: "2026-11-19T06:30:00.000Z", expires: "2026-11-19T10:30:00.000Z" }],
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
function records(incident: { number: number; createdAt: string; grants: Grant[]; deploys: Deploy[] }) {
  let id = incident.number * 100;
  const record = <K extends RecordKind>(kind: K, fields: RecordFields<K>, text: string, at: string) =>
    restComment({ id: id++, issue: incident.number, body: recordBody(TEST_RECORD_KEY, kind, { repo: REPO_ID, incident: incident.number }, fields, text), createdAt: at.replace(".000", "") });
  return [
    record("incident", { by: "octocat", via: "label", at: incident.createdAt, rca: incident.number + 1 }, "This issue is an incident.", incident.createdAt),
    ...incident.grants.map((g) => record("exception", { sha: g.sha, env: "production", by: "alice", at: g.at, expires: g.expires, reason: "outage", source: `${id}:1` }, "Exception granted.", g.at)),
    ...incident.deploys.flatMap((d) => [
      record("deploy", { sha: d.sha, env: "production", deployment: d.deployment, at: d.at, issue: MERGE_BACK_OF[d.sha]! }, "Deployed under the exception.", d.at),
      ...(d.reached ? [record("deployed", { sha: d.sha, env: "production", deployment: d.deployment, at: d.reached, issue: MERGE_BACK_OF[d.sha]! }, "Reached production.", d.reached)] : []),
    ]),
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

const REPORT = [
  "### mainline report: Codertocat/Hello-World",
  "The last 90 days, 2026-08-22 to 2026-11-20 (UTC).",
  [
    "| | last 90 days |",
    "| --- | --- |",
    "| Incidents | 4 (3 still open) |",
    "| Exceptions granted | 5 (4 used) |",
    "| Commits deployed under an exception | 4 |",
    "| Median time from exception deploy to merge-back | 21 hours (2 done, 2 still open) |",
    "| RCAs done on time | 1 of 2 due |",
    "| Incidents in a hotfix cascade | 2 |",
    "| Incidents force-closed | 0 |",
    "| Days since the last hotfix | 1 |",
  ].join("\n"),
  [
    "**To follow up:**",
    "- #20 Search slow: RCA overdue by 5 days",
    "- #30 Login loop: part of a hotfix cascade; merge-back of `5555555` still open, 1 day after its deploy",
    "- #40 Login loop again: part of a hotfix cascade; merge-back of `6666666` still open, 1 day after its deploy",
  ].join("\n"),
].join("\n\n");

/**
 * GitHub answering `/mainline report` in issue #50 by octocat, who has the `role` role here: the
 * dispatcher's reads, the lists the report reads (`incidents`, `mergeBacks`, `rcas`; no change of
 * the config on main), each incident thread of `threads`, then the 👍 and the report it posts.
 */
function reportGitHub({
  role = "write",
  incidents,
  mergeBacks = [],
  rcas = [],
  threads = [],
}: {
  role?: "write" | "admin";
  incidents: Array<ReturnType<typeof restIssue>>;
  mergeBacks?: Array<ReturnType<typeof restIssue>>;
  rcas?: Array<ReturnType<typeof restIssue>>;
  threads?: Array<[number, Array<ReturnType<typeof restComment>>]>;
}) {
  const github = mockGitHub();
  github.token();
  github.config();
  github.scope.get(GET.reactions).reply(200, []);
  github.scope.get(GET.comments(50)).reply(200, []);
  github.scope.get(GET.permission).reply(200, { permission: role, role_name: role, user: null });
  github.scope.get(GET.incidents).reply(200, incidents);
  github.scope.get(GET.mergeBacks).reply(200, mergeBacks);
  github.scope.get(GET.rcas).reply(200, rcas);
  github.scope.get(GET.configHistory).reply(200, []);
  for (const [number, comments] of threads) github.scope.get(GET.comments(number)).reply(200, comments);
  github.scope.post(`${REPO_PATH}/issues/comments/9001/reactions`, { content: "+1" }).reply(201, {});
  github.scope.post(`${REPO_PATH}/issues/50/comments`).reply(201, restComment({ id: 9002, issue: 50, body: "report" }));
  return github;
}

describe("/mainline report", () => {
  test("a writer gets the last 90 days from the app's records, and 👍", async () => {
    const github = reportGitHub({ incidents: INCIDENTS, mergeBacks: MERGE_BACKS, rcas: RCAS, threads: HISTORY.map((incident) => [incident.number, records(incident)]) });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, title: "Q4 retrospective", labels: [] } }));

    const calls = github.calls();
    expect(calls.slice(0, 6)).toEqual([...CONFIG_READS, ...DISPATCH_READS(50), `GET ${GET.permission}`]);
    // The three lists are read at once, then each incident's thread.
    expect(calls.slice(6, 10).sort()).toEqual(REPORT_LISTS);
    expect(calls.slice(10, 15).sort()).toEqual(HISTORY.map((i) => `GET ${GET.comments(i.number)}`).sort());
    expect(calls.slice(15)).toEqual([`POST ${REPO_PATH}/issues/comments/9001/reactions`, `POST ${REPO_PATH}/issues/50/comments`]);
    expect(github.requests.at(-1)?.body).toEqual({ body: `${REPORT}\n\n<!-- mainline:reply source=9001 -->` });
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

    expect(github.calls()).toEqual([...CONFIG_READS, ...DISPATCH_READS(50), `GET ${GET.permission}`, `POST ${REPO_PATH}/issues/50/comments`]);
    expect(github.requests.at(-1)?.body).toEqual({
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

    const { body } = github.requests.at(-1)?.body as { body: string };
    expect(body).toContain(
      [
        "| Incidents | 0 |",
        "| Exceptions granted | 0 |",
        "| Commits deployed under an exception | 0 |",
        "| Median time from exception deploy to merge-back | no exception deploys |",
        "| RCAs done on time | none due yet |",
        "| Incidents in a hotfix cascade | 0 |",
        "| Incidents force-closed | 0 |",
        "| Days since the last hotfix | none in the last 90 days |",
      ].join("\n"),
    );
    expect(body).toContain("Nothing to follow up.");
    github.done();
  });
});

describe("/mainline report: only the app's records count", () => {
  // SPEC 8: a label, and a record copied by a person, are views; the report counts what the app recorded.
  test("an issue labelled as an incident whose records a person copied in counts for nothing", async () => {
    const copied = records(HISTORY[1]!).map((c) => restComment({ id: c.id, issue: 10, body: c.body, author: { login: "mallory" }, createdAt: c.created_at }));
    const github = reportGitHub({ incidents: [INCIDENTS[1]!], threads: [[10, copied]] });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    const { body } = github.requests.at(-1)?.body as { body: string };
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
  const SUMMER_MERGE_BACK = mergeBack(4, 3, sha("9"), "2026-07-01T02:00:00Z", "2026-07-01T20:00:00Z");
  const NOTHING_IN_THE_WINDOW = [
    "### mainline report: Codertocat/Hello-World",
    "The last 90 days, 2026-08-22 to 2026-11-20 (UTC).",
    [
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
    ].join("\n"),
    "Nothing to follow up.",
  ].join("\n\n");

  /** `/mainline report` by a writer, with GitHub listing `incidents` as touched in the window. */
  async function report(incidents: Array<ReturnType<typeof restIssue>>) {
    const github = reportGitHub({ incidents, mergeBacks: [SUMMER_MERGE_BACK], threads: incidents.map((incident) => [incident.number, records({ ...SUMMER, number: incident.number })]) });

    await deliver(issueComment({ body: "/mainline report", issue: { number: 50, labels: [] } }));

    const calls = github.calls();
    expect(calls.slice(0, 6)).toEqual([...CONFIG_READS, ...DISPATCH_READS(50), `GET ${GET.permission}`]);
    expect(calls.slice(6, 10).sort()).toEqual(REPORT_LISTS);
    expect(calls.slice(10)).toEqual([...incidents.map((i) => `GET ${GET.comments(i.number)}`), `POST ${REPO_PATH}/issues/comments/9001/reactions`, `POST ${REPO_PATH}/issues/50/comments`]);
    return github;
  }

  test("the last hotfix was before the window, in an incident untouched since: none in the last 90 days", async () => {
    const github = await report([]);

    expect(github.requests.at(-1)?.body).toEqual({ body: `${NOTHING_IN_THE_WINDOW}\n\n<!-- mainline:reply source=9001 -->` });
    github.done();
  });

  // Bug: report.ts computeReport counts daysSinceLastHotfix from every deploy in the facts, unfiltered by the
  // window, and report-facts.ts reads every incident *touched* in the window. An incident whose hotfix was
  // 142 days ago but that was closed (or commented on) in the window makes the row read 142; untouched, it reads
  // "none in the last 90 days". The same history gives two answers.
  test("the last hotfix was before the window, in an incident closed in it: none in the last 90 days too", async () => {
    const summer = restIssue({ number: 3, title: SUMMER.title, labels: ["incident"], createdAt: SUMMER.createdAt, state: "closed", closedAt: "2026-09-01T00:00:00Z" });

    const github = await report([summer]);

    expect(github.requests.at(-1)?.body).toEqual({ body: `${NOTHING_IN_THE_WINDOW}\n\n<!-- mainline:reply source=9001 -->` });
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

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      ...DISPATCH_READS(2),
      `GET ${REPO_PATH}/pulls/2`,
      `GET ${headPulls}`,
      `GET ${checkRuns}`,
      `PATCH ${REPO_PATH}/check-runs/31`,
      `GET ${REPO_PATH}/pulls/2/files?per_page=100`,
      `POST ${REPO_PATH}/issues/comments/9001/reactions`,
    ]);
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
