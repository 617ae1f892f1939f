import nock from "nock";
import { pushEvent, SHA } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { ledgerText, mergeBackIssue, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaTemplateBody } from "../helpers/incident-texts.js";
import { isReadRequest } from "../helpers/github-server.js";
import { loopbackWorld, type LoopbackWorld } from "../helpers/loopback-world.js";
import { restComparison, restIssue } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";
import { incidentRecordText, mergeBackIssueBody, mergeBackRecordText } from "../helpers/trust-texts.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
/** A second open item's commit, of incident #11. */
const T = "5555555555555555555555555555555555555555";
const CHERRY_PICK = "cccccccccccccccccccccccccccccccccccccccc";
const UNRELATED = "dddddddddddddddddddddddddddddddddddddddd";
/** A squash-merge on main of pull request #20, whose own commits are S, T and its head U. */
const SQUASH = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
/** A merge commit of pull request #20 (hotfix/payments into master). */
const MERGE = "7777777777777777777777777777777777777777";
const U = "6666666666666666666666666666666666666666";
const ROOT = "a".repeat(40);

/** Incident #7's ledger, before and after its merge-back issue #9 is done; its RCA issue #8 is unwritten. */
const ledger = (status: string, mergeBackState: string) =>
  ledgerText({ incident: 7, status, mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: mergeBackState }), rca: RCA_ROW_UNWRITTEN(8) });
const LEDGER_BEFORE = ledger(`**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`, "open, due 2026-11-21T09:00:00.000Z");
const LEDGER_AFTER = ledger(`**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`, "done (on master)");

const GET = {
  openMergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=open&per_page=100`,
  /** The app's own issues touched since the push: how a push finds the review it opened already (never by label, which a triager can take off). */
  reviewsSincePush: `${REPO_PATH}/issues?creator=mainline%5Bbot%5D&state=all&since=2019-05-15T15%3A20%3A57.000Z&per_page=100`,
  compare: (sha: string) => `${REPO_PATH}/compare/heads%2Fmaster...${sha}?per_page=1`,
  diff: (sha: string) => `${REPO_PATH}/commits/${sha}`,
};
const DIFF = "application/vnd.github.v3.diff";
const DIFF_HEADERS = { "content-type": "application/vnd.github.diff; charset=utf-8" };
const diffOf = (file: string, from: string, to: string) =>
  `diff --git a/${file} b/${file}\nindex 1111111..2222222 100644\n--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-${from}\n+${to}\n`;

/** The deliveries, built once: each is checked against GitHub's webhook schema. */
const PUSHED_TO_RELEASE = pushEvent({
  branch: "release/2026.11",
  before: SHA.mainHead,
  after: CHERRY_PICK,
  commits: [{ id: CHERRY_PICK, message: `Retry charges\n\n(cherry picked from commit ${S})` }],
});
const UNRELATED_TO_MAIN = pushEvent({ before: SHA.mainHead, after: UNRELATED, commits: [{ id: UNRELATED, message: "Fix a typo in the README" }] });

beforeAll(() => {
  nock.disableNetConnect();
  // Only the loopback GitHub of the tests that run against it: nothing else leaves the process.
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1:"));
});
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof pushEvent>) {
  const { probot } = await testApp();
  await probot.receive({ id: "p-1", name: "push", payload: payload as never });
}

describe("push", () => {
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
    // Asked once, in one GraphQL query: the merge-back re-check and the post-merge review (no pull request merged it: a
    // review opens, #13) share the answer.
    github.scope.post("/graphql", (body: { variables?: Record<string, string> }) => body.variables?.c0 === UNRELATED).reply(200, { data: { repository: { c0: { associatedPullRequests: { nodes: [] } } } } });
    github.scope.get(GET.reviewsSincePush).times(2).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, restIssue({ number: 13, title: "Post-merge review: ddddddd…", labels: ["post-merge-review"] }));
    github.scope.patch(`${REPO_PATH}/issues/13`).reply(200, restIssue({ number: 13, title: "Post-merge review: ddddddd…", labels: ["post-merge-review"] }));
    github.scope.get(GET.diff(S)).matchHeader("accept", DIFF).reply(200, diffOf("pay.js", "charge()", "charge({ retry: true })"), DIFF_HEADERS);
    github.scope.get(GET.diff(T)).matchHeader("accept", DIFF).reply(200, diffOf("pay.js", "timeout(1)", "timeout(5)"), DIFF_HEADERS);
    github.scope.get(GET.diff(UNRELATED)).matchHeader("accept", DIFF).reply(200, diffOf("README.md", "Helo", "Hello"), DIFF_HEADERS);

    await deliver(UNRELATED_TO_MAIN);

    // Nothing closed, said or rewritten about the items: the only writes open the post-merge review.
    const isRead = (c: string) => isReadRequest({ method: c.split(" ")[0]!, path: c.split(" ")[1]! });
    expect(github.calls().filter((c) => !isRead(c) && !CONFIG_READS.includes(c))).toEqual([`POST ${REPO_PATH}/issues`, `PATCH ${REPO_PATH}/issues/13`]);
    // Per item, one compare and its own diff; for the push, its pull requests and diff once; the review's find and look again.
    const reads = github.calls().filter((c) => isRead(c) && !CONFIG_READS.includes(c));
    expect(reads.filter((c) => c === "POST /graphql")).toHaveLength(1);
    expect(reads.length).toBeLessThanOrEqual(1 + 2 * 2 + 2 + 2);
    github.done();
  });

  test("an item whose diff GitHub refuses to serve does not spare a direct push its post-merge review (the delivery still fails, to be tried again)", async () => {
    const github = mockGitHubWithConfig();
    // A writer's item naming a commit whose diff is too large to generate: every push would fail here.
    const huge = "8".repeat(40);
    github.scope.get(GET.openMergeBacks).reply(200, [mergeBackIssue({ number: 9, incident: 7, sha: huge })]);
    github.scope.get(GET.compare(huge)).reply(200, restComparison(huge, "diverged", { ahead: 1, behind: 1 }));
    github.scope.post("/graphql").reply(200, { data: { repository: { c0: { associatedPullRequests: { nodes: [] } } } } });
    github.scope.get(GET.diff(huge)).matchHeader("accept", DIFF).reply(406, { message: "Sorry, this diff is taking too long to generate." });
    github.scope.get(GET.reviewsSincePush).times(2).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, restIssue({ number: 13, title: "Post-merge review: ddddddd…", labels: ["post-merge-review"] }));
    github.scope.patch(`${REPO_PATH}/issues/13`).reply(200, restIssue({ number: 13, title: "Post-merge review: ddddddd…", labels: ["post-merge-review"] }));

    await expect(deliver(UNRELATED_TO_MAIN)).rejects.toThrow();

    expect(github.calls()).toContain(`POST ${REPO_PATH}/issues`);
    github.done();
  });
});

/*
 * The pushes that close items run against the loopback GitHub: the commits carry real diffs (a
 * cherry-pick note or a squash merge counts only when its change contains S's), and incident #7's
 * items are signed records of the app.
 */

/** S's change, as `git show` prints it: the charge is retried. */
const S_DIFF =
  "diff --git a/pay.js b/pay.js\nindex 3b18e51..a9c2f0d 100644\n--- a/pay.js\n+++ b/pay.js\n" +
  "@@ -1,4 +1,4 @@\n function charge(order) {\n   const total = order.total;\n-  return gateway.charge(total);\n+  return gateway.charge(total, { retry: true });\n }\n";
/** The same change cherry-picked onto a main that moved on: other line numbers, other context, other blobs. */
const CHERRY_PICK_DIFF =
  "diff --git a/pay.js b/pay.js\nindex 5d0c1e2..7e8f9a0 100644\n--- a/pay.js\n+++ b/pay.js\n" +
  "@@ -11,4 +11,4 @@\n function charge(order) {\n   const total = order.amount;\n-  return gateway.charge(total);\n+  return gateway.charge(total, { retry: true });\n }\n";
/** A commit whose message claims the cherry-pick but whose change is something else. */
const LYING_DIFF = "diff --git a/README.md b/README.md\nindex 1111111..2222222 100644\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-# Pay\n+# Payments\n";
/** T's change: a longer timeout. */
const T_DIFF = "diff --git a/http.js b/http.js\nindex 0a1b2c3..4d5e6f7 100644\n--- a/http.js\n+++ b/http.js\n@@ -1 +1 @@\n-const TIMEOUT = 1000;\n+const TIMEOUT = 5000;\n";
/** U's change: a test of the retry. */
const U_DIFF =
  "diff --git a/pay.test.js b/pay.test.js\nindex 8a9b0c1..2d3e4f5 100644\n--- a/pay.test.js\n+++ b/pay.test.js\n" +
  "@@ -1,2 +1,3 @@\n const { charge } = require(\"./pay\");\n+test(\"retries\", () => expect(charge).toBeDefined());\n test(\"charges\", () => {});\n";
/** Pull request #20 squashed onto main: S's, T's and U's changes in one commit. */
const SQUASH_DIFF = [S_DIFF, T_DIFF, U_DIFF].sort((a, b) => a.localeCompare(b)).join("");

let w: LoopbackWorld;

/** master: ROOT → 3333333; incident #7 (RCA #8 unwritten) with the items `items`, each its merge-back issue recorded at 09:00; its ledger. */
async function incidentWithItems(items: Array<{ issue: number; sha: string }>) {
  w = await loopbackWorld();
  w.github.commit(w.repo, ROOT, null, "master");
  w.github.commit(w.repo, SHA.mainHead, ROOT, "master");
  w.github.commit(w.repo, S, ROOT, "hotfix/payments", "Retry charges", S_DIFF);
  w.github.commit(w.repo, T, S, "hotfix/payments", "Longer timeout", T_DIFF);
  w.github.commit(w.repo, U, T, "hotfix/payments", "Test the retry", U_DIFF);
  w.at("2026-11-20T09:00:00.000Z");
  w.personIssue(7, { title: "Payments fail", labels: ["incident"] });
  w.appIssue(8, { title: "RCA: Payments fail", body: rcaTemplateBody({ incident: 7, title: "Payments fail" }), labels: ["rca"] });
  w.record(7, "incident", { by: "alice", via: "command", at: "2026-11-20T09:00:00.000Z", rca: 8 }, incidentRecordText(8));
  for (const { issue, sha } of items) {
    w.appIssue(issue, { title: `Merge back ${sha.slice(0, 7)} to master (incident #7)`, body: mergeBackIssueBody({ incident: 7, sha }), labels: ["merge-back"] });
    w.record(7, "merge-back", { sha, issue, at: "2026-11-20T09:00:00.000Z" }, mergeBackRecordText({ sha, issue }));
  }
  const ledgerComment = w.appComment(7, items.length === 1 && items[0]!.sha === S ? LEDGER_BEFORE : "<!-- mainline:ledger incident=7 -->\n\nas it was");
  w.at("2026-11-20T12:00:00.000Z");
  return ledgerComment;
}

/** Pull request #20 from hotfix/payments (S, T, U) into master, squash-merged as SQUASH. */
function squashMergedPull() {
  w.github.addPull(w.repo, { number: 20, title: "Payments: retry and longer timeout", head: "hotfix/payments", base: "master", commits: [S, T, U], merged_at: "2026-11-20T11:59:00Z", merge_commit_sha: SQUASH });
}

const pushToMain = (commits: Array<{ sha: string; message: string; diff: string }>) => w.hooks.push("master", "alice", commits);
/** What a push that no pull request merged writes first: its post-merge review, issue `number`, and the review's record. */
const reviewWrites = (number: number, after: string) => [
  { method: "POST", path: `${w.api}/issues`, body: expect.objectContaining({ title: `Post-merge review: ${after.slice(0, 7)}…`, labels: ["post-merge-review"] }) },
  { method: "PATCH", path: `${w.api}/issues/${number}`, body: { body: expect.stringMatching(/^<!-- mainline:record kind=post-merge-review /) } },
];
const doneComment = (sha: string, explanation: string, commit: string, way: string) => `✅ Done: ${explanation}\n\n<!-- mainline:merge-back-done sha=${sha} commit=${commit} way=${way} -->`;
const diffReads = (from: number) => w.github.log.slice(from).filter((r) => r.method === "GET" && /\/commits\/[0-9a-f]{40}$/.test(r.path)).map((r) => r.path.split("/").at(-1));

describe("push to main with the changes of merge-back items", () => {
  afterEach(async () => {
    await w.stop();
    expect(w.github.problems).toEqual([]);
  });

  test("a cherry-pick whose change contains S's closes its merge-back issue, naming the commit and the way, and rewrites the incident's ledger", async () => {
    const ledgerComment = await incidentWithItems([{ issue: 9, sha: S }]);
    const from = w.mark();

    await w.deliver(pushToMain([{ sha: CHERRY_PICK, message: `Retry charges\n\n(cherry picked from commit ${S})`, diff: CHERRY_PICK_DIFF }]));

    // The ledger says it first (a delivery failing before the close leaves the item open, found again on redelivery);
    // alice pushed the cherry-pick herself: it is on main unreviewed, so its post-merge review (#10) opens, last.
    expect(w.writes(from)).toEqual([
      { method: "PATCH", path: `${w.api}/issues/comments/${ledgerComment.id}`, body: { body: LEDGER_AFTER } },
      {
        method: "POST",
        path: `${w.api}/issues/9/comments`,
        body: { body: doneComment(S, "2222222 reached master as a cherry-pick: ccccccc notes that it was cherry-picked from 2222222, and its change contains 2222222's.", CHERRY_PICK, "cherry-pick") },
      },
      { method: "PATCH", path: `${w.api}/issues/9`, body: { state: "closed", state_reason: "completed" } },
      ...reviewWrites(10, CHERRY_PICK),
    ]);
    expect(w.issue(9)).toMatchObject({ state: "closed", state_reason: "completed" });
    // The note is a claim until the diffs prove it: S's and the noting commit's, each read once.
    expect(diffReads(from).sort()).toEqual([S, CHERRY_PICK].sort());
    // 16 for the item, and 5 for the post-merge review: the commit's pull requests (one query), find, open, look again, its record.
    expect(w.calls(from).length).toBeLessThanOrEqual(21);
  });

  test("a cherry-pick note whose change does not contain S's is a claim: the item stays open, and its issue is neither closed nor said done", async () => {
    await incidentWithItems([{ issue: 9, sha: S }]);
    const from = w.mark();

    await w.deliver(pushToMain([{ sha: CHERRY_PICK, message: `Retry charges\n\n(cherry picked from commit ${S})`, diff: LYING_DIFF }]));

    expect(w.writes(from).filter((r) => r.path.startsWith(`${w.api}/issues/9`))).toEqual([]);
    expect(w.issue(9).state).toBe("open");
    expect(w.comments(9)).toEqual([]);
  });

  test("a squash-merged pull request closes every item whose commit it held; the pull request's commits and the push's diff are read once for all of them", async () => {
    const ledgerComment = await incidentWithItems([
      { issue: 9, sha: S },
      { issue: 10, sha: T },
    ]);
    squashMergedPull();
    const from = w.mark();

    await w.deliver(pushToMain([{ sha: SQUASH, message: "Payments: retry and longer timeout (#20)", diff: SQUASH_DIFF }]));

    const done = (sha: string) =>
      doneComment(sha, `${sha.slice(0, 7)} reached master through pull request #20, merged as eeeeeee, whose change contains ${sha.slice(0, 7)}'s.`, SQUASH, "squash-or-rebase");
    expect(w.writes(from)).toEqual([
      {
        method: "PATCH",
        path: `${w.api}/issues/comments/${ledgerComment.id}`,
        body: {
          body: ledgerText({
            incident: 7,
            status: `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
            mergeBack: "| issue | commit | state |\n| --- | --- | --- |\n| #9 | `2222222` | done (on master) |\n| #10 | `5555555` | done (on master) |",
            rca: RCA_ROW_UNWRITTEN(8),
          }),
        },
      },
      { method: "POST", path: `${w.api}/issues/9/comments`, body: { body: done(S) } },
      { method: "PATCH", path: `${w.api}/issues/9`, body: { state: "closed", state_reason: "completed" } },
      { method: "POST", path: `${w.api}/issues/10/comments`, body: { body: done(T) } },
      { method: "PATCH", path: `${w.api}/issues/10`, body: { state: "closed", state_reason: "completed" } },
    ]);
    const calls = w.calls(from);
    // Asked once, in one GraphQL query: for the items, and whether GitHub merged a pull request as this push (no
    // post-merge review) reads the same answer; never through REST.
    expect(calls.filter((c) => c.endsWith("/graphql") || c.includes("/pulls?"))).toEqual(["POST /api/graphql"]);
    expect(calls.filter((c) => c === `GET ${w.api}/pulls/20/commits?per_page=100`)).toHaveLength(1);
    expect(diffReads(from).sort()).toEqual([S, T, SQUASH].sort());
    expect(calls.length).toBeLessThanOrEqual(23);
  });

  test("a pull request whose head is the item's commit needs no list of its commits", async () => {
    await incidentWithItems([{ issue: 9, sha: U }]);
    squashMergedPull();
    const from = w.mark();

    await w.deliver(pushToMain([{ sha: SQUASH, message: "Payments: retry and longer timeout (#20)", diff: SQUASH_DIFF }]));

    expect(w.writes(from).filter((r) => r.path.startsWith(`${w.api}/issues/9`))).toEqual([
      {
        method: "POST",
        path: `${w.api}/issues/9/comments`,
        body: { body: doneComment(U, "6666666 reached master through pull request #20, merged as eeeeeee, whose change contains 6666666's.", SQUASH, "squash-or-rebase") },
      },
      { method: "PATCH", path: `${w.api}/issues/9`, body: { state: "closed", state_reason: "completed" } },
    ]);
    expect(w.calls(from).filter((c) => c.includes("/pulls/20/commits"))).toEqual([]);
  });
});

describe("what a push that lands items costs (issue 15's budget: at most one read per open item, and 6 more)", () => {
  afterEach(async () => {
    await w.stop();
    expect(w.github.problems).toEqual([]);
  });

  test.each([1, 3])("a pull request merged with %i items' commits: every item done, read per item once", async (n) => {
    const items = [S, T, U].slice(0, n).map((sha, i) => ({ issue: 9 + i, sha }));
    await incidentWithItems(items);
    const head = items.at(-1)!.sha;
    w.github.addPull(w.repo, { number: 20, title: "Payments: retry and longer timeout", head: "hotfix/payments", base: "master", commits: [S, T, U].slice(0, n), merged_at: "2026-11-20T11:59:00Z", merge_commit_sha: MERGE });
    // Earlier that morning the RCA was edited (its ledger rewritten): what the ledger reads and nobody changed since is a 304 now.
    await w.deliver(w.hooks.issueEdited(8, "alice", w.issue(8).body!));
    const from = w.mark();

    await w.deliver(w.hooks.push("master", "alice", [{ sha: MERGE, message: "Merge pull request #20 from acme/hotfix/payments", parents: [SHA.mainHead, head] }]));

    for (const { issue } of items) expect(w.issue(issue).state).toBe("closed");
    // n+5, one under the budget: the open items (1, also the items' issues its ledger shows), each one's compare (n),
    // the pushed commit's pull requests (1 GraphQL query: merged, so no post-merge review), the incident's issue and
    // thread for its ledger (2); 304s (its RCA, the deployments, the config) are not counted.
    const reads = w.github.log.slice(from).filter((r) => isReadRequest(r) && r.status !== 304).map((r) => `${r.method} ${r.path}`);
    expect({ n, reads }).toEqual({ n, reads: reads.slice(0, n + 5) });
  });
});
