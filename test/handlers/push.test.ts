import nock from "nock";
import { pushEvent, SHA } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { ledgerText, mergeBackIssue, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaIssue } from "../helpers/incident-texts.js";
import { restComment, restCommit, restComparison, restIssue, restPullOfCommit } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
/** A second open item's commit, of incident #11. */
const T = "5555555555555555555555555555555555555555";
const CHERRY_PICK = "cccccccccccccccccccccccccccccccccccccccc";
const UNRELATED = "dddddddddddddddddddddddddddddddddddddddd";
/** A squash-merge on main of pull request #20, whose own commits are S, T and its head U. */
const SQUASH = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
const U = "6666666666666666666666666666666666666666";

/** Incident #7's ledger, before and after its merge-back issue #9 is done; its RCA issue #8 is unwritten. */
const ledger = (status: string, mergeBackState: string) =>
  ledgerText({ incident: 7, status, mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: mergeBackState }), rca: RCA_ROW_UNWRITTEN(8) });
const LEDGER_BEFORE = ledger(`**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`, "open, due 2026-11-21T09:00:00.000Z");
const LEDGER_AFTER = ledger(`**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`, "done (on master)");

const GET = {
  openMergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=open&per_page=100`,
  allMergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  /** Items closed since the push (the fixture's `repository.pushed_at`): their ledgers are rewritten too. */
  closedSincePush: `${REPO_PATH}/issues?labels=merge-back&state=closed&per_page=100&since=2019-05-15T15%3A20%3A57.000Z`,
  rcas: `${REPO_PATH}/issues?labels=rca&state=all&per_page=100`,
  comments: (n: number) => `${REPO_PATH}/issues/${n}/comments?per_page=100`,
  compare: (sha: string) => `${REPO_PATH}/compare/heads%2Fmaster...${sha}?per_page=1`,
  pulls: (sha: string) => `${REPO_PATH}/commits/${sha}/pulls?per_page=100`,
  pullCommits: (n: number) => `${REPO_PATH}/pulls/${n}/commits?per_page=100`,
  diff: (sha: string) => `${REPO_PATH}/commits/${sha}`,
};
const DIFF = "application/vnd.github.v3.diff";
const DIFF_HEADERS = { "content-type": "application/vnd.github.diff; charset=utf-8" };
const diffOf = (file: string, from: string, to: string) =>
  `diff --git a/${file} b/${file}\nindex 1111111..2222222 100644\n--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-${from}\n+${to}\n`;

/** The deliveries, built once: each is checked against GitHub's webhook schema. */
const CHERRY_PICKED_TO_MAIN = pushEvent({
  before: SHA.mainHead,
  after: CHERRY_PICK,
  commits: [{ id: CHERRY_PICK, message: `Retry charges\n\n(cherry picked from commit ${S})` }],
});
const PUSHED_TO_RELEASE = pushEvent({
  branch: "release/2026.11",
  before: SHA.mainHead,
  after: CHERRY_PICK,
  commits: [{ id: CHERRY_PICK, message: `Retry charges\n\n(cherry picked from commit ${S})` }],
});
const UNRELATED_TO_MAIN = pushEvent({ before: SHA.mainHead, after: UNRELATED, commits: [{ id: UNRELATED, message: "Fix a typo in the README" }] });
const SQUASHED_TO_MAIN = pushEvent({ before: SHA.mainHead, after: SQUASH, commits: [{ id: SQUASH, message: "Payments: retry and longer timeout (#20)" }] });
/** Pull request #20 into master from hotfix/payments, squash-merged as SQUASH. */
const PULL_20 = { ...restPullOfCommit({ number: 20, base: "master", head: "hotfix/payments", headSha: U, state: "closed" }), merge_commit_sha: SQUASH };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** After the push closed `closed` (incident #7's items): found again since the push, then #7's ledger rewritten from its records. */
function incident7LedgerRewritten(github: ReturnType<typeof mockGitHubWithConfig>, closed: ReturnType<typeof mergeBackIssue>[]) {
  github.scope.get(GET.closedSincePush).reply(200, closed);
  github.scope.get(`${REPO_PATH}/issues/7`).reply(200, restIssue({ number: 7, title: "Payments fail", labels: ["incident"] }));
  github.scope.get(GET.comments(7)).reply(200, [restComment({ id: 70, issue: 7, body: LEDGER_BEFORE })]);
  github.scope.get(GET.allMergeBacks).reply(200, closed);
  github.scope.get(GET.rcas).reply(200, [rcaIssue({ number: 8, incident: 7, title: "Payments fail" })]);
  github.scope.get(`${REPO_PATH}/deployments?per_page=30`).reply(200, []);
  github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, restComment({ id: 70, issue: 7, body: LEDGER_AFTER, updatedAt: "2026-11-20T12:00:00Z" }));
}

async function deliver(payload: ReturnType<typeof pushEvent>) {
  const { probot } = await testApp();
  await probot.receive({ id: "p-1", name: "push", payload: payload as never });
}

describe("push", () => {
  test("a cherry-pick reaching main closes its merge-back issue, naming the commit and the way, and rewrites the incident's ledger", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.openMergeBacks).reply(200, [mergeBackIssue({ number: 9, incident: 7, sha: S })]);
    github.scope.post(`${REPO_PATH}/issues/9/comments`).reply(201, restComment({ id: 90, issue: 9, body: "done" }));
    github.scope.patch(`${REPO_PATH}/issues/9`).reply(200, mergeBackIssue({ number: 9, incident: 7, sha: S, state: "closed" }));
    incident7LedgerRewritten(github, [mergeBackIssue({ number: 9, incident: 7, sha: S, state: "closed" })]);

    await deliver(CHERRY_PICKED_TO_MAIN);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.openMergeBacks}`,
      // The pushed commit's trailer is evidence enough: GitHub is not asked about S.
      `POST ${REPO_PATH}/issues/9/comments`,
      `PATCH ${REPO_PATH}/issues/9`,
      // Items closed since the push was made: a redelivery after a failure finds theirs here.
      `GET ${GET.closedSincePush}`,
      `GET ${REPO_PATH}/issues/7`,
      `GET ${GET.comments(7)}`,
      `GET ${GET.allMergeBacks}`,
      `GET ${GET.rcas}`,
      `GET ${REPO_PATH}/deployments?per_page=30`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
    ]);
    expect(github.requests.filter((r) => r.method !== "GET").slice(1).map((r) => r.body)).toEqual([
      {
        body:
          `✅ Done: 2222222 reached master as a cherry-pick: ccccccc carries \`(cherry picked from commit ${S})\`.\n\n` +
          `<!-- mainline:merge-back-done sha=${S} commit=${CHERRY_PICK} way=cherry-pick -->`,
      },
      { state: "closed", state_reason: "completed" },
      { body: LEDGER_AFTER },
    ]);
    github.done();
  });

  test("a push to another branch does nothing beyond reading config", async () => {
    const github = mockGitHubWithConfig();

    await deliver(PUSHED_TO_RELEASE);

    expect(github.calls()).toEqual(CONFIG_READS);
    github.done();
  });

  test("a push that brings none of the open items' changes closes nothing, after looking for each one", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.openMergeBacks).reply(200, [mergeBackIssue({ number: 9, incident: 7, sha: S }), mergeBackIssue({ number: 12, incident: 11, sha: T })]);
    for (const sha of [S, T]) github.scope.get(GET.compare(sha)).reply(200, restComparison(sha, "diverged", { ahead: 1, behind: 1 }));
    github.scope.get(GET.pulls(UNRELATED)).reply(200, []);
    github.scope.get(GET.diff(S)).matchHeader("accept", DIFF).reply(200, diffOf("pay.js", "charge()", "charge({ retry: true })"), DIFF_HEADERS);
    github.scope.get(GET.diff(T)).matchHeader("accept", DIFF).reply(200, diffOf("pay.js", "timeout(1)", "timeout(5)"), DIFF_HEADERS);
    github.scope.get(GET.diff(UNRELATED)).matchHeader("accept", DIFF).reply(200, diffOf("README.md", "Helo", "Hello"), DIFF_HEADERS);
    github.scope.get(GET.closedSincePush).reply(200, []);

    await deliver(UNRELATED_TO_MAIN);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.openMergeBacks}`,
      // #9: is S on main? Then what the push brought: the pushed commit's pull requests (none),
      // and whether it has S's patch.
      `GET ${GET.compare(S)}`,
      `GET ${GET.pulls(UNRELATED)}`,
      `GET ${GET.diff(S)}`,
      `GET ${GET.diff(UNRELATED)}`,
      // #12: only what is T's own; what the push brought is known already.
      `GET ${GET.compare(T)}`,
      `GET ${GET.diff(T)}`,
      `GET ${GET.closedSincePush}`,
    ]);
    github.done();
  });

  test("a squash-merged pull request closes every item whose commit it held; the push's pull request and its commits are read once for all of them", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.openMergeBacks).reply(200, [mergeBackIssue({ number: 9, incident: 7, sha: S }), mergeBackIssue({ number: 10, incident: 7, sha: T })]);
    for (const sha of [S, T]) github.scope.get(GET.compare(sha)).reply(200, restComparison(sha, "diverged", { ahead: 1, behind: 1 }));
    github.scope.get(GET.pulls(SQUASH)).reply(200, [PULL_20]);
    github.scope.get(GET.pullCommits(20)).reply(200, [restCommit(S, "Retry charges"), restCommit(T, "Longer timeout"), restCommit(U, "Test the retry")]);
    for (const n of [9, 10]) {
      github.scope.post(`${REPO_PATH}/issues/${n}/comments`).reply(201, restComment({ id: n * 10, issue: n, body: "done" }));
      github.scope.patch(`${REPO_PATH}/issues/${n}`).reply(200, mergeBackIssue({ number: n, incident: 7, sha: n === 9 ? S : T, state: "closed" }));
    }
    incident7LedgerRewritten(github, [mergeBackIssue({ number: 9, incident: 7, sha: S, state: "closed" }), mergeBackIssue({ number: 10, incident: 7, sha: T, state: "closed" })]);

    await deliver(SQUASHED_TO_MAIN);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.openMergeBacks}`,
      // #9: S is not on main; the pushed commit came from pull request #20, whose commits hold S.
      `GET ${GET.compare(S)}`,
      `GET ${GET.pulls(SQUASH)}`,
      `GET ${GET.pullCommits(20)}`,
      `POST ${REPO_PATH}/issues/9/comments`,
      `PATCH ${REPO_PATH}/issues/9`,
      // #10: one read of its own; #20's commits are known already.
      `GET ${GET.compare(T)}`,
      `POST ${REPO_PATH}/issues/10/comments`,
      `PATCH ${REPO_PATH}/issues/10`,
      `GET ${GET.closedSincePush}`,
      `GET ${REPO_PATH}/issues/7`,
      `GET ${GET.comments(7)}`,
      `GET ${GET.allMergeBacks}`,
      `GET ${GET.rcas}`,
      `GET ${REPO_PATH}/deployments?per_page=30`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
    ]);
    expect(github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).map((r) => r.body)).toEqual(
      [S, T].map((sha) => ({
        body:
          `✅ Done: ${sha.slice(0, 7)} reached master through pull request #20, merged as eeeeeee.\n\n` +
          `<!-- mainline:merge-back-done sha=${sha} commit=${SQUASH} way=squash-or-rebase -->`,
      })),
    );
    github.done();
  });

  test("a pull request whose head is the item's commit needs no list of its commits", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.openMergeBacks).reply(200, [mergeBackIssue({ number: 9, incident: 7, sha: U })]);
    github.scope.get(GET.compare(U)).reply(200, restComparison(U, "diverged", { ahead: 1, behind: 1 }));
    github.scope.get(GET.pulls(SQUASH)).reply(200, [PULL_20]);
    github.scope.post(`${REPO_PATH}/issues/9/comments`).reply(201, restComment({ id: 90, issue: 9, body: "done" }));
    github.scope.patch(`${REPO_PATH}/issues/9`).reply(200, mergeBackIssue({ number: 9, incident: 7, sha: U, state: "closed" }));
    incident7LedgerRewritten(github, [mergeBackIssue({ number: 9, incident: 7, sha: U, state: "closed" })]);

    await deliver(SQUASHED_TO_MAIN);

    expect(github.calls().slice(CONFIG_READS.length, CONFIG_READS.length + 5)).toEqual([
      `GET ${GET.openMergeBacks}`,
      `GET ${GET.compare(U)}`,
      `GET ${GET.pulls(SQUASH)}`,
      `POST ${REPO_PATH}/issues/9/comments`,
      `PATCH ${REPO_PATH}/issues/9`,
    ]);
    github.done();
  });
});
