import nock from "nock";
import { pushEvent, SHA } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { ledgerText, mergeBackIssue, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaIssue } from "../helpers/incident-texts.js";
import { restComment, restComparison, restIssue } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
/** A second open item's commit, of incident #11. */
const T = "5555555555555555555555555555555555555555";
const CHERRY_PICK = "cccccccccccccccccccccccccccccccccccccccc";
const UNRELATED = "dddddddddddddddddddddddddddddddddddddddd";

/** Incident #7's ledger, before and after its merge-back issue #9 is done; its RCA issue #8 is unwritten. */
const ledger = (status: string, mergeBackState: string) =>
  ledgerText({ incident: 7, status, mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: mergeBackState }), rca: RCA_ROW_UNWRITTEN(8) });
const LEDGER_BEFORE = ledger(`**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`, "open, due 2026-11-21T09:00:00.000Z");
const LEDGER_AFTER = ledger(`**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`, "done (on master)");

const GET = {
  openMergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=open&per_page=100`,
  allMergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  rcas: `${REPO_PATH}/issues?labels=rca&state=all&per_page=100`,
  comments: (n: number) => `${REPO_PATH}/issues/${n}/comments?per_page=100`,
  compare: (sha: string) => `${REPO_PATH}/compare/master...${sha}?per_page=1`,
  pulls: (sha: string) => `${REPO_PATH}/commits/${sha}/pulls?per_page=100`,
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

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

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
    github.scope.get(`${REPO_PATH}/issues/7`).reply(200, restIssue({ number: 7, title: "Payments fail", labels: ["incident"] }));
    github.scope.get(GET.comments(7)).reply(200, [restComment({ id: 70, issue: 7, body: LEDGER_BEFORE })]);
    github.scope.get(GET.allMergeBacks).reply(200, [mergeBackIssue({ number: 9, incident: 7, sha: S, state: "closed" })]);
    github.scope.get(GET.rcas).reply(200, [rcaIssue({ number: 8, incident: 7, title: "Payments fail" })]);
    github.scope.get(`${REPO_PATH}/deployments?per_page=30`).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, restComment({ id: 70, issue: 7, body: LEDGER_AFTER, updatedAt: "2026-11-20T12:00:00Z" }));

    await deliver(CHERRY_PICKED_TO_MAIN);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.openMergeBacks}`,
      // The pushed commit's trailer is evidence enough: GitHub is not asked about S.
      `POST ${REPO_PATH}/issues/9/comments`,
      `PATCH ${REPO_PATH}/issues/9`,
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
    for (const sha of [S, T]) {
      github.scope.get(GET.compare(sha)).reply(200, restComparison(sha, "diverged", { ahead: 1, behind: 1 }));
      github.scope.get(GET.pulls(sha)).reply(200, []);
    }
    github.scope.get(GET.diff(S)).matchHeader("accept", DIFF).reply(200, diffOf("pay.js", "charge()", "charge({ retry: true })"), DIFF_HEADERS);
    github.scope.get(GET.diff(T)).matchHeader("accept", DIFF).reply(200, diffOf("pay.js", "timeout(1)", "timeout(5)"), DIFF_HEADERS);
    github.scope.get(GET.diff(UNRELATED)).matchHeader("accept", DIFF).reply(200, diffOf("README.md", "Helo", "Hello"), DIFF_HEADERS);

    await deliver(UNRELATED_TO_MAIN);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.openMergeBacks}`,
      // #9: is S on main, in a merged pull request, or the same patch as the pushed commit?
      `GET ${GET.compare(S)}`,
      `GET ${GET.pulls(S)}`,
      `GET ${GET.diff(S)}`,
      `GET ${GET.diff(UNRELATED)}`,
      // #12: the same questions for T; the pushed commit's diff is already known.
      `GET ${GET.compare(T)}`,
      `GET ${GET.pulls(T)}`,
      `GET ${GET.diff(T)}`,
    ]);
    github.done();
  });
});
