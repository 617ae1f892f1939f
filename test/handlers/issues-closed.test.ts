import nock from "nock";
import { issueEvent, SHA } from "../helpers/fixtures.js";
import { CONFIG_READS, incidentViewReads, mockGitHubWithConfig } from "../helpers/github-mock.js";
import {
  ledgerText,
  mergeBackBody,
  mergeBackIssue as restMergeBack,
  mergeBackTable,
  RCA_BLOCKERS_UNWRITTEN,
  RCA_PROMPT,
  RCA_ROW_UNWRITTEN,
  rcaIssue as restRca,
  rcaTemplateBody,
  type RcaSections,
} from "../helpers/incident-texts.js";
import { restComment, restComparison, restCommit, restIssue } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
const CLOSED_AT = "2026-11-20T11:00:00Z";

const rcaBody = (sections: RcaSections) => rcaTemplateBody({ incident: 7, title: "Payments fail", sections });
const UNWRITTEN_RCA = rcaTemplateBody({ incident: 7, title: "Payments fail" });
const WRITTEN_RCA = rcaBody({ timeline: "16:02 payments fail.", rootCause: "The retry flag was dropped.", actionItems: "- [ ] Test the retry path." });
const MERGE_BACK_BODY = mergeBackBody({ incident: 7, sha: S });

const INCIDENT = { number: 7, title: "Payments fail", labels: ["incident"] };
const incidentIssue = (state: "open" | "closed") => restIssue({ ...INCIDENT, state, closedAt: CLOSED_AT });
const rcaIssue = (body: string, state: "open" | "closed" = "open") => restRca({ number: 8, incident: 7, title: "Payments fail", body, state });
const mergeBackIssue = (state: "open" | "closed") => restMergeBack({ number: 9, incident: 7, sha: S, state });

/** The ledger comment with the given status, merge-back and RCA sections (no exceptions, no deployments). */
const ledger = ({ status, mergeBack, rca }: { status: string; mergeBack?: string; rca: string }) => ledgerText({ incident: 7, status, mergeBack, rca });
const OPEN_ITEM = mergeBackTable({ issue: 9, commit: "2222222", state: "open, due 2026-11-21T09:00:00.000Z" });
const BLOCKED_LEDGER = ledger({
  status: `**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
  mergeBack: OPEN_ITEM,
  rca: RCA_ROW_UNWRITTEN(8),
});

const LEDGER_COMMENT = restComment({ id: 70, issue: 7, body: BLOCKED_LEDGER });
/** The close is identified by its timestamp: a later close is a new one. */
const REOPENED_MARKER = "<!-- mainline:reopened closed=2026-11-20T11%3A00%3A00Z -->";
const REOPENED_COMMENT = restComment({ id: 71, issue: 7, body: `🔒 Reopened: …\n\n${REOPENED_MARKER}`, createdAt: "2026-11-20T11:00:02Z" });

/** Everything done: the incident may close (`READY_LEDGER`), or is closed (`DONE_LEDGER`). */
const READY_LEDGER = ledger({
  status: "**Status:** nothing blocks closing: `/incident close` closes it.",
  mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: "done (on master)" }),
  rca: "#8: done.",
});
const DONE_LEDGER = ledger({
  status: "**Status:** closed: its fixes are on main and its RCA is written.",
  mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: "done (on master)" }),
  rca: "#8: done.",
});
/** The app's record on #9 when it closed it: its change reached main. */
const MERGE_BACK_DONE_RECORD = restComment({
  id: 90,
  issue: 9,
  body: `✅ Done: 2222222 is on master: it is reachable from master's head 3333333.\n\n<!-- mainline:merge-back-done sha=${S} commit=${S} way=reachable -->`,
});
const FORCE_CLOSE_RECORD = restComment({
  id: 69,
  issue: 7,
  body: "⛔ Force-closed by **carol**. Reason: we accept the risk.\n\n<!-- mainline:force-close by=carol at=2026-11-20T10%3A59%3A00.000Z reason=we%20accept%20the%20risk source=9100 -->",
  createdAt: "2026-11-20T10:59:00Z",
});
const FORCE_CLOSED_LEDGER = ledger({
  status: "**Status:** force-closed by **carol** at 2026-11-20T10:59:00.000Z: we accept the risk",
  mergeBack: OPEN_ITEM,
  rca: RCA_ROW_UNWRITTEN(8),
});
const PARTIAL_RCA = rcaBody({ timeline: "16:02 payments fail.", rootCause: "The retry flag was dropped.", actionItems: RCA_PROMPT });
const PARTIAL_RCA_LEDGER = ledger({
  status: '**Status:** cannot close yet (2 blocking):\n- RCA #8: "Action items" has no content yet\n- RCA #8 is still open (close it when it is written)',
  rca: "#8: open; to write: Action items.",
});
const MERGE_BACK_LEDGER = ledger({
  status: "**Status:** cannot close yet (1 blocking):\n- merge-back #9: 2222222 is not on master yet",
  mergeBack: OPEN_ITEM,
  rca: "#8: done.",
});

/** A commit on main since #9 opened that has nothing to do with it, and the diffs patch identity compares. */
const OTHER_COMMIT = "4444444444444444444444444444444444444444";
const DIFF = "application/vnd.github.v3.diff";
/** What GitHub answers a diff with: the charset is what makes Octokit read it as text. */
const DIFF_HEADERS = { "content-type": "application/vnd.github.diff; charset=utf-8" };
const DIFF_OF_S = "diff --git a/pay.js b/pay.js\nindex 1111111..2222222 100644\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";
const DIFF_OF_OTHER = "diff --git a/README.md b/README.md\nindex 3333333..4444444 100644\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-Helo\n+Hello\n";

/** The deliveries (built once: each is checked against GitHub's webhook schema): a person closed the incident, its RCA, or its merge-back issue an hour ago. */
const INCIDENT_CLOSED = issueEvent("closed", { ...INCIDENT, state: "closed", closedAt: CLOSED_AT });
const RCA_CLOSED = issueEvent("closed", { number: 8, title: "RCA: Payments fail", body: PARTIAL_RCA, labels: ["rca"], state: "closed", closedAt: CLOSED_AT });
const mergeBackClosedEvent = issueEvent("closed", { number: 9, title: "Merge back 2222222 to master (incident #7)", body: MERGE_BACK_BODY, labels: ["merge-back"], state: "closed", closedAt: CLOSED_AT });
/** #9 was opened at 09:00, as the REST issue says: main's history is read from a day before that. */
const MERGE_BACK_CLOSED = { ...mergeBackClosedEvent, issue: { ...mergeBackClosedEvent.issue, created_at: "2026-11-20T09:00:00Z" } };

const GET = {
  incident: `${REPO_PATH}/issues/7`,
  comments: (n: number) => `${REPO_PATH}/issues/${n}/comments?per_page=100`,
  allMergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  rcas: `${REPO_PATH}/issues?labels=rca&state=all&per_page=100`,
  // A day of slack before the oldest item (opened 09:00 on the 20th).
  mainHistory: `${REPO_PATH}/commits?sha=master&since=2026-11-19T09%3A00%3A00.000Z&per_page=100`,
  compare: `${REPO_PATH}/compare/heads%2Fmaster...${S}?per_page=1`,
  pullsOfS: `${REPO_PATH}/commits/${S}/pulls?per_page=100`,
  deployments: `${REPO_PATH}/deployments?per_page=30`,
};

const VIEW_READS = incidentViewReads(7);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof issueEvent>) {
  const { probot } = await testApp();
  await probot.receive({ id: "x-1", name: "issues", payload: payload as never });
}

function writes(github: ReturnType<typeof mockGitHubWithConfig>) {
  return github.requests.filter((r) => r.method !== "GET" && !r.path.includes("access_tokens")).map((r) => ({ method: r.method, path: r.path, body: r.body }));
}

/** The close gate's re-check of open item #9 when its commit is nowhere on main (and nothing landed since). */
function mergeBackStillOffMain(github: ReturnType<typeof mockGitHubWithConfig>) {
  github.scope.get(GET.mainHistory).reply(200, []);
  github.scope.get(GET.compare).reply(200, restComparison(S, "diverged", { ahead: 1, behind: 2 }));
  github.scope.get(GET.pullsOfS).reply(200, []);
}

/** Reopening #9, closed while its change is not on main; the app's reopen comment is its only one there. */
function mockMergeBackReopen(github: ReturnType<typeof mockGitHubWithConfig>) {
  github.scope.get(`${REPO_PATH}/issues/9`).reply(200, mergeBackIssue("closed"));
  github.scope.patch(`${REPO_PATH}/issues/9`).reply(200, mergeBackIssue("open"));
  github.scope.get(GET.comments(9)).reply(200, []);
  github.scope.post(`${REPO_PATH}/issues/9/comments`).reply(201, restComment({ id: 90, issue: 9, body: "reopened" }));
}
const MERGE_BACK_REOPEN_CALLS = [`GET ${REPO_PATH}/issues/9`, `PATCH ${REPO_PATH}/issues/9`, `GET ${GET.comments(9)}`, `POST ${REPO_PATH}/issues/9/comments`];
/** #9 reopened, its comment saying how far the look for its change on main got: `patchCheck` is the same-patch part. */
const mergeBackReopenWrites = (patchCheck: string) => [
  { method: "PATCH", path: `${REPO_PATH}/issues/9`, body: { state: "open", state_reason: "reopened" } },
  {
    method: "POST",
    path: `${REPO_PATH}/issues/9/comments`,
    body: {
      body:
        "🔁 Reopened: 2222222 is not on master yet: it is not reachable from master, no commit on master is a cherry-pick of it, " +
        `no pull request with it was merged into master, and ${patchCheck}. ` +
        `Merge it to \`master\` first; this issue closes by itself when it lands.\n\n${REOPENED_MARKER}`,
    },
  },
];

/** Reopening the closed incident, then rewriting its ledger (`ledgerComment`, unchanged, so not written). */
function mockIncidentReopen(github: ReturnType<typeof mockGitHubWithConfig>, ledgerComment: ReturnType<typeof restComment>) {
  github.scope.get(GET.incident).reply(200, incidentIssue("closed"));
  github.scope.patch(GET.incident).reply(200, incidentIssue("open"));
  github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, REOPENED_COMMENT);
  github.scope.get(GET.incident).reply(200, incidentIssue("open"));
  github.scope.get(GET.comments(7)).reply(200, [ledgerComment, REOPENED_COMMENT]);
  github.scope.get(GET.deployments).reply(200, []);
}
const INCIDENT_REOPEN_CALLS = [
  // Reopened once per close: the issue as it is now, then the app's earlier comments.
  `GET ${GET.incident}`,
  `PATCH ${GET.incident}`,
  `GET ${GET.comments(7)}`,
  `POST ${REPO_PATH}/issues/7/comments`,
  // The ledger, rewritten from the issue as it now is (identical here, so not written).
  `GET ${GET.incident}`,
  ...VIEW_READS,
  `GET ${GET.deployments}`,
];
/** The incident reopened with one comment listing `blockers`, one line each. */
const incidentReopenWrites = (blockers: string) => [
  { method: "PATCH", path: `${REPO_PATH}/issues/7`, body: { state: "open", state_reason: "reopened" } },
  {
    method: "POST",
    path: `${REPO_PATH}/issues/7/comments`,
    body: {
      body:
        "🔒 Reopened: an incident closes only when its fixes are on `master` and its RCA is written. Still blocking:\n" +
        `${blockers}\n` +
        "When nothing blocks, `/incident close` closes it. An admin can `/incident force-close <reason>` (recorded in the ledger).\n\n" +
        REOPENED_MARKER,
    },
  },
];

describe("issues.closed: the incident's close gate", () => {
  test("an incident closed while its merge-back and RCA are not done is reopened with one comment listing exactly what blocks", async () => {
    const github = mockGitHubWithConfig();
    mergeBackStillOffMain(github);
    github.scope.get(GET.comments(7)).twice().reply(200, [LEDGER_COMMENT]);
    github.scope.get(GET.allMergeBacks).times(3).reply(200, [mergeBackIssue("open")]);
    github.scope.get(GET.rcas).twice().reply(200, [rcaIssue(UNWRITTEN_RCA)]);
    mockIncidentReopen(github, LEDGER_COMMENT);

    await deliver(INCIDENT_CLOSED);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      // Items whose change reached main unnoticed are closed first: #9's commit is looked for.
      `GET ${GET.allMergeBacks}`,
      `GET ${GET.mainHistory}`,
      `GET ${GET.compare}`,
      `GET ${GET.pullsOfS}`,
      ...VIEW_READS,
      ...INCIDENT_REOPEN_CALLS,
    ]);
    expect(writes(github)).toEqual(incidentReopenWrites(`- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`));
    github.done();
  });

  test("a redelivered close, after the app reopened the incident and said why, neither reopens nor comments again", async () => {
    const github = mockGitHubWithConfig();
    mergeBackStillOffMain(github);
    github.scope.get(GET.comments(7)).times(3).reply(200, [LEDGER_COMMENT, REOPENED_COMMENT]);
    github.scope.get(GET.allMergeBacks).times(3).reply(200, [mergeBackIssue("open")]);
    github.scope.get(GET.rcas).twice().reply(200, [rcaIssue(UNWRITTEN_RCA)]);
    github.scope.get(GET.incident).twice().reply(200, incidentIssue("open"));
    github.scope.get(GET.deployments).reply(200, []);

    await deliver(INCIDENT_CLOSED);

    expect(writes(github)).toEqual([]);
    github.done();
  });

  test("an incident closed with nothing blocking stays closed, and its ledger says so", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.allMergeBacks).times(3).reply(200, [mergeBackIssue("closed")]);
    github.scope.get(GET.comments(9)).reply(200, [MERGE_BACK_DONE_RECORD]);
    github.scope.get(GET.comments(7)).twice().reply(200, [LEDGER_COMMENT]);
    github.scope.get(GET.rcas).twice().reply(200, [rcaIssue(WRITTEN_RCA, "closed")]);
    github.scope.get(GET.incident).reply(200, incidentIssue("closed"));
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, restComment({ id: 70, issue: 7, body: DONE_LEDGER, updatedAt: "2026-11-20T12:00:00Z" }));

    await deliver(INCIDENT_CLOSED);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      // #9 was closed by the app, which recorded how its change reached main: main is not read again.
      `GET ${GET.allMergeBacks}`,
      `GET ${GET.comments(9)}`,
      ...VIEW_READS,
      `GET ${GET.incident}`,
      ...VIEW_READS,
      `GET ${GET.deployments}`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
    ]);
    expect(writes(github)).toEqual([{ method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: DONE_LEDGER } }]);
    github.done();
  });

  test("an incident closed after a person closed its merge-back issue while the commit is still off main: both are reopened, the incident naming #9 as blocking", async () => {
    const github = mockGitHubWithConfig();
    // The gate sees #9 closed, with no record from the app that its change reached main; nothing landed on main since.
    github.scope.get(GET.allMergeBacks).reply(200, [mergeBackIssue("closed")]);
    github.scope.get(GET.comments(9)).reply(200, []);
    mergeBackStillOffMain(github);
    mockMergeBackReopen(github);
    // From then on #9 is open again, and the written RCA blocks nothing.
    const ledgerComment = restComment({ id: 70, issue: 7, body: MERGE_BACK_LEDGER });
    github.scope.get(GET.comments(7)).twice().reply(200, [ledgerComment]);
    github.scope.get(GET.allMergeBacks).twice().reply(200, [mergeBackIssue("open")]);
    github.scope.get(GET.rcas).twice().reply(200, [rcaIssue(WRITTEN_RCA, "closed")]);
    mockIncidentReopen(github, ledgerComment);

    await deliver(INCIDENT_CLOSED);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      // #9 is verified like a merge-back issue a person just closed: not done, so reopened with why.
      `GET ${GET.allMergeBacks}`,
      `GET ${GET.comments(9)}`,
      `GET ${GET.mainHistory}`,
      `GET ${GET.compare}`,
      `GET ${GET.pullsOfS}`,
      ...MERGE_BACK_REOPEN_CALLS,
      // Then the incident is judged with #9 open again.
      ...VIEW_READS,
      ...INCIDENT_REOPEN_CALLS,
    ]);
    expect(writes(github)).toEqual([
      ...mergeBackReopenWrites("its patch was not compared with master's commits"),
      ...incidentReopenWrites("- merge-back #9: 2222222 is not on master yet"),
    ]);
    github.done();
  });

  test("a force-closed incident stays closed although its merge-back and RCA are not done", async () => {
    const github = mockGitHubWithConfig();
    mergeBackStillOffMain(github);
    github.scope.get(GET.comments(7)).twice().reply(200, [FORCE_CLOSE_RECORD, restComment({ id: 70, issue: 7, body: FORCE_CLOSED_LEDGER })]);
    github.scope.get(GET.allMergeBacks).times(3).reply(200, [mergeBackIssue("open")]);
    github.scope.get(GET.rcas).twice().reply(200, [rcaIssue(UNWRITTEN_RCA)]);
    github.scope.get(GET.incident).reply(200, incidentIssue("closed"));
    github.scope.get(GET.deployments).reply(200, []);

    await deliver(INCIDENT_CLOSED);

    expect(writes(github)).toEqual([]);
    github.done();
  });

  // SPEC 5: force-close closes the incident anyway; it does not switch the close gate off for good.
  test("a force-close does not exempt a later close: reopened at 10:00, closed by a person at 11:00 with blockers, it is reopened", async () => {
    const github = mockGitHubWithConfig();
    const forceClosedAtNine = restComment({
      id: 69,
      issue: 7,
      body: "⛔ Force-closed by **carol**. Reason: we accept the risk.\n\n<!-- mainline:force-close by=carol at=2026-11-20T09%3A00%3A00.000Z reason=we%20accept%20the%20risk source=9100 -->",
      createdAt: "2026-11-20T09:00:00Z",
    });
    // The request sequence of a fixed gate is not known yet: every read is answered as GitHub would, any number of times.
    github.scope.get(GET.mainHistory).reply(200, []).persist();
    github.scope.get(GET.compare).reply(200, restComparison(S, "diverged", { ahead: 1, behind: 2 })).persist();
    github.scope.get(GET.pullsOfS).reply(200, []).persist();
    github.scope.get(GET.comments(7)).reply(200, [forceClosedAtNine, LEDGER_COMMENT]).persist();
    github.scope.get(GET.allMergeBacks).reply(200, [mergeBackIssue("open")]).persist();
    github.scope.get(GET.rcas).reply(200, [rcaIssue(UNWRITTEN_RCA)]).persist();
    github.scope.get(GET.incident).reply(200, incidentIssue("closed")).persist();
    github.scope.get(GET.deployments).reply(200, []).persist();
    github.scope.patch(GET.incident).reply(200, incidentIssue("open")).persist();
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, REOPENED_COMMENT).persist();
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, LEDGER_COMMENT).persist();
    const event = (id: number, kind: "closed" | "reopened", at: string, login: string) => ({ id, event: kind, created_at: at, actor: { login }, commit_id: null });
    const history = [event(1, "closed", "2026-11-20T09:00:01Z", "mainline[bot]"), event(2, "reopened", "2026-11-20T10:00:00Z", "bob"), event(3, "closed", CLOSED_AT, "bob")];
    github.scope.get((path) => /\/issues\/7\/(events|timeline)(\?|$)/.test(path)).reply(200, history).persist();
    github.scope.get(() => true).reply(200, []).persist();

    await deliver(INCIDENT_CLOSED);

    expect(writes(github)).toContainEqual({ method: "PATCH", path: `${REPO_PATH}/issues/7`, body: { state: "open", state_reason: "reopened" } });
  });
});

describe("issues.closed: RCA and merge-back issues closed too early", () => {
  test("an RCA closed with an empty section is reopened, naming the section", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(`${REPO_PATH}/issues/8`).reply(200, rcaIssue(PARTIAL_RCA, "closed"));
    github.scope.patch(`${REPO_PATH}/issues/8`).reply(200, rcaIssue(PARTIAL_RCA));
    github.scope.get(GET.comments(8)).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues/8/comments`).reply(201, restComment({ id: 80, issue: 8, body: "reopened" }));
    github.scope.get(GET.incident).reply(200, incidentIssue("open"));
    github.scope.get(GET.comments(7)).reply(200, [restComment({ id: 70, issue: 7, body: PARTIAL_RCA_LEDGER })]);
    github.scope.get(GET.allMergeBacks).reply(200, []);
    github.scope.get(GET.rcas).reply(200, [rcaIssue(PARTIAL_RCA)]);
    github.scope.get(GET.deployments).reply(200, []);

    await deliver(RCA_CLOSED);

    expect(writes(github)).toEqual([
      { method: "PATCH", path: `${REPO_PATH}/issues/8`, body: { state: "open", state_reason: "reopened" } },
      {
        method: "POST",
        path: `${REPO_PATH}/issues/8/comments`,
        body: { body: `📝 Reopened: the RCA is not written yet. "Action items" needs content under its heading.\n\n${REOPENED_MARKER}` },
      },
    ]);
    github.done();
  });

  test("a merge-back issue closed by a person while its commit is not on main is reopened with the explanation", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.comments(9)).reply(200, []);
    github.scope.get(GET.mainHistory).reply(200, [restCommit(OTHER_COMMIT, "Fix a typo in the README")]);
    github.scope.get(GET.compare).reply(200, restComparison(S, "diverged", { ahead: 1, behind: 2 }));
    github.scope.get(GET.pullsOfS).reply(200, []);
    github.scope.get(`${REPO_PATH}/commits/${S}`).matchHeader("accept", DIFF).reply(200, DIFF_OF_S, DIFF_HEADERS);
    github.scope.get(`${REPO_PATH}/commits/${OTHER_COMMIT}`).matchHeader("accept", DIFF).reply(200, DIFF_OF_OTHER, DIFF_HEADERS);
    mockMergeBackReopen(github);
    github.scope.get(GET.incident).reply(200, incidentIssue("open"));
    github.scope.get(GET.comments(7)).reply(200, [restComment({ id: 70, issue: 7, body: MERGE_BACK_LEDGER })]);
    github.scope.get(GET.allMergeBacks).reply(200, [mergeBackIssue("open")]);
    github.scope.get(GET.rcas).reply(200, [rcaIssue(WRITTEN_RCA, "closed")]);
    github.scope.get(GET.deployments).reply(200, []);

    await deliver(MERGE_BACK_CLOSED);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      // Not if the app closed it itself (its comment says so).
      `GET ${GET.comments(9)}`,
      // Is S's change on main by any of the four ways? main's commits since #9 opened, then S itself.
      `GET ${GET.mainHistory}`,
      `GET ${GET.compare}`,
      `GET ${GET.pullsOfS}`,
      `GET ${REPO_PATH}/commits/${S}`,
      `GET ${REPO_PATH}/commits/${OTHER_COMMIT}`,
      ...MERGE_BACK_REOPEN_CALLS,
      `GET ${GET.incident}`,
      ...VIEW_READS,
      `GET ${GET.deployments}`,
    ]);
    expect(writes(github)).toEqual(mergeBackReopenWrites("no commit on master has the same patch"));
    github.done();
  });

  test("a merge-back issue closed by a person when its commit is on main gets a confirmation and stays closed", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.comments(9)).reply(200, []);
    github.scope.get(GET.mainHistory).reply(200, []);
    github.scope.get(GET.compare).reply(200, restComparison(S, "behind", { behind: 3 }));
    github.scope.post(`${REPO_PATH}/issues/9/comments`).reply(201, restComment({ id: 90, issue: 9, body: "confirmed" }));
    github.scope.get(GET.incident).reply(200, incidentIssue("open"));
    github.scope.get(GET.comments(7)).reply(200, [restComment({ id: 70, issue: 7, body: READY_LEDGER })]);
    github.scope.get(GET.allMergeBacks).reply(200, [mergeBackIssue("closed")]);
    github.scope.get(GET.rcas).reply(200, [rcaIssue(WRITTEN_RCA, "closed")]);
    github.scope.get(GET.deployments).reply(200, []);

    await deliver(MERGE_BACK_CLOSED);

    expect(writes(github)).toEqual([
      {
        method: "POST",
        path: `${REPO_PATH}/issues/9/comments`,
        body: {
          body:
            "✅ Confirmed: 2222222 is on master: it is reachable from master's head 3333333.\n\n" +
            `<!-- mainline:merge-back-done sha=${S} commit=${S} way=reachable -->`,
        },
      },
    ]);
    github.done();
  });
});
