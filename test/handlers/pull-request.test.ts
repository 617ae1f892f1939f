import nock from "nock";
import type { Probot } from "probot";
import { pino } from "pino";
import { marker } from "../../src/markers.js";
import { readRecord } from "../../src/records.js";
import { exceptionRunState } from "../helpers/exception-fixtures.js";
import { OWNER, pullRequestEvent, REPO, REPO_ID, SHA, type PullAction, type PullShape } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import {
  restCheckRun,
  restCheckRuns,
  restComparePage,
  restComparison,
  restIssue,
  restPullFiles,
  restPullOfCommit,
  type RestCommitInList,
  type RestPullOfCommitShape,
} from "../helpers/rest-objects.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";
import { loadTestApp, NOW, TEST_RECORD_KEY, testApp, testProbot } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const BASE = "b".repeat(40);
const HEAD = "a".repeat(40);
/** Commits by a number: 40 hex characters, `0001…` for 1. */
const commitSha = (n: number) => n.toString(16).padStart(4, "0").repeat(10);
const ON_MAIN = { sha: commitSha(1), message: "Round totals to the cent" };
const ALSO_ON_MAIN = { sha: commitSha(2), message: "Retry the card network once" };
const OFF_MAIN = { sha: "2222222222222222222222222222222222222222", message: "Hot patch: skip the fraud check\n\nOnly until the vendor is back." };
/** A commit on main that a release-branch commit was cherry-picked from. */
const PICKED = "7777777777777777777777777777777777777777";
const CHERRY_PICK = { sha: commitSha(3), message: `Round totals to the cent\n\n(cherry picked from commit ${PICKED})` };
/** Diffs as GitHub's diff media type gives them: the rounding fix, and a README change. */
const ROUNDING_DIFF = "diff --git a/cart.js b/cart.js\nindex 1111111..2222222 100644\n--- a/cart.js\n+++ b/cart.js\n@@ -3 +3 @@\n-  return total;\n+  return Math.round(total * 100) / 100;\n";
const README_DIFF = "diff --git a/README.md b/README.md\nindex 3333333..4444444 100644\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-# Shop\n+# The shop\n";

const GET = {
  /** The pull request's commits: base...head, 100 a page. */
  prCommits: (page = 1) => `${REPO_PATH}/compare/${BASE}...${HEAD}?per_page=100&page=${page}`,
  /** Which of them main lacks: main is the branch, `heads/master`, whatever tag bears its name. */
  notOnMain: (page = 1) => `${REPO_PATH}/compare/heads%2Fmaster...${HEAD}?per_page=100&page=${page}`,
  ancestry: (sha: string) => `${REPO_PATH}/compare/heads%2Fmaster...${sha}?per_page=1`,
  /** A commit's diff (the diff media type). */
  diff: (sha: string) => `${REPO_PATH}/commits/${sha}`,
  /** This app's `mainline/exception` runs on a commit: where an exception's state is read. */
  exceptionRuns: (sha: string) => `${REPO_PATH}/commits/${sha}/check-runs?check_name=mainline%2Fexception&app_id=123&filter=all&per_page=100`,
  issue: (n: number) => `${REPO_PATH}/issues/${n}`,
  /** The pull requests that contain the head commit: a check run belongs to the commit, so each of them counts. */
  headPulls: `${REPO_PATH}/commits/${HEAD}/pulls?per_page=100`,
  checkRuns: (name = "mainline/merge-first") => `${REPO_PATH}/commits/${HEAD}/check-runs?check_name=${encodeURIComponent(name)}&filter=latest&per_page=100`,
  files: `${REPO_PATH}/pulls/2/files?per_page=100`,
};
/**
 * What one evaluation of a pull request into a release branch reads when no commit needs a closer
 * look: its commits (1 a page of 100), which of them main lacks (1), the head's pull requests (1),
 * the head's check run, to update it in place (1), and its files, for `mainline/config` (1).
 */
const EVALUATION = 5;
/** What one of a pull request not into a release branch reads: no commit; the head's pull requests, its check run, its files. */
const NOT_INTO_RELEASE = 3;

const FIX_BLOCK =
  "**To fix:** bring each change to `master` first, then cherry-pick it here with `-x`, which records the commit it came from:\n\n" +
  "```sh\n" +
  "# 1. merge the change into master first (a pull request into master), then\n" +
  "# 2. on a branch from release/1.2, cherry-pick the commit that landed on master:\n" +
  "git cherry-pick -x <sha on master>\n" +
  "```";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof pullRequestEvent>) {
  const { probot } = await testApp();
  await probot.receive({ id: "pr-1", name: "pull_request", payload: payload as never });
}

const opened = (shape: PullShape = {}) => pullRequestEvent("opened", shape);

/** The pull request's commits (`commits`, every page) and the part of them main lacks (`notOnMain`). */
function pullCommits(github: ReturnType<typeof mockGitHub>, commits: RestCommitInList[], notOnMain: RestCommitInList[]) {
  for (let page = 1; page === 1 || (page - 1) * 100 < commits.length; page++) {
    github.scope.get(GET.prCommits(page)).reply(200, restComparePage({ base: BASE, head: HEAD, commits: commits.slice((page - 1) * 100, page * 100), total: commits.length }));
  }
  for (let page = 1; page === 1 || (page - 1) * 100 < notOnMain.length; page++) {
    github.scope.get(GET.notOnMain(page)).reply(200, restComparePage({ base: "master", head: HEAD, commits: notOnMain.slice((page - 1) * 100, page * 100), status: notOnMain.length === 0 ? "behind" : "diverged" }));
  }
}

/** No exception for `sha`: this app has no `mainline/exception` run on it. */
function noException(github: ReturnType<typeof mockGitHub>, sha: string) {
  github.scope.get(GET.exceptionRuns(sha)).reply(200, restCheckRuns([]));
}

/**
 * `sha`'s exception runs as GitHub lists them: one, holding the exception alice granted in
 * `incident` an hour ago, active for three more hours.
 */
function grantedRuns(id: number, sha: string, incident: number) {
  const run = restCheckRun({ id, name: "mainline/exception", headSha: sha, conclusion: "neutral" });
  const state = exceptionRunState({ incident, sha, at: "2026-11-20T11:00:00.000Z", expires: "2026-11-20T15:00:00.000Z", source: `${9000 + id}:1` });
  return { total_count: 1, check_runs: [{ ...run, output: { ...run.output, text: marker("exception-run", state) } }] };
}

/** A commit's diff, as the diff media type answers. */
function diffOf(github: ReturnType<typeof mockGitHub>, sha: string, diff: string) {
  github.scope.get(GET.diff(sha)).reply(200, diff, { "content-type": "text/plain; charset=utf-8" });
}

/** The open pull requests whose head is HEAD: this one (of `shape`) and `others`. */
function headPulls(github: ReturnType<typeof mockGitHub>, shape: RestPullOfCommitShape = {}, others: RestPullOfCommitShape[] = []) {
  github.scope.get(GET.headPulls).reply(200, [restPullOfCommit(shape), ...others.map(restPullOfCommit)]);
}

/** No `mainline/merge-first` run yet for the head: one is created. */
function newCheck(github: ReturnType<typeof mockGitHub>) {
  github.scope.get(GET.checkRuns()).reply(200, restCheckRuns([]));
  github.scope.post(`${REPO_PATH}/check-runs`).reply(201, restCheckRun({ id: 31, name: "mainline/merge-first", headSha: HEAD }));
}

/** The pull request does not touch `.github/mainline.yml`. */
function noConfigChange(github: ReturnType<typeof mockGitHub>) {
  github.scope.get(GET.files).reply(200, restPullFiles([{ filename: "src/checkout.ts" }]));
}

type CheckBody = { name: string; head_sha: string; status: string; conclusion: string; completed_at: string; output: { title: string; summary: string } };
function checkWritten(github: ReturnType<typeof mockGitHub>): CheckBody {
  const writes = github.requests.filter((r) => r.path.startsWith(`${REPO_PATH}/check-runs`) && r.method !== "GET");
  expect(writes).toHaveLength(1);
  return writes[0]!.body as CheckBody;
}

/**
 * What the delivery read beyond its start (the token, `.github/mainline.yml`): what the budgets
 * count. Each mock answers once, so `github.done()` proves each of these was read once and no other.
 */
function reads(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => c.startsWith("GET ") && !CONFIG_READS.includes(c));
}

/** What the delivery wrote (the token exchange aside): what a user would see. */
function writes(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => !c.startsWith("GET ") && !c.endsWith("/access_tokens"));
}

function expectCheck(github: ReturnType<typeof mockGitHub>, conclusion: string, title: string, summary: string) {
  expect(checkWritten(github)).toEqual({
    name: "mainline/merge-first",
    head_sha: HEAD,
    status: "completed",
    conclusion,
    completed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    output: { title, summary },
  });
}

const ALL_ON_MAIN = "Every commit in this pull request into `release/1.2` is on `master` or a `git cherry-pick -x` of a commit on `master`.";

describe("pull_request into a release branch: mainline/merge-first", () => {
  test("commits already on main pass, after one read of the commits, one of what main lacks and one of the head's pull requests", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [ON_MAIN, ALSO_ON_MAIN], []);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION);
    expectCheck(github, "success", "All 2 commits come from master", ALL_ON_MAIN);
    github.done();
  });

  test("a commit not on main fails the check, naming the commit and the fix", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [ON_MAIN, OFF_MAIN], [OFF_MAIN]);
    noException(github, OFF_MAIN.sha);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // The offending commit's exception runs (1): is an exception in force for it?
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 1);
    expectCheck(
      github,
      "failure",
      "1 of 2 commits is not on master",
      "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n- `2222222` Hot patch: skip the fraud check: not on master\n\n" + FIX_BLOCK,
    );
    github.done();
  });

  test("a `git cherry-pick -x` of a commit on main passes: its source is asked about once, the two changes are compared, and no exception is looked for", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [CHERRY_PICK], [CHERRY_PICK]);
    github.scope.get(GET.ancestry(PICKED)).reply(200, restComparison(PICKED, "behind", { behind: 4 }));
    diffOf(github, CHERRY_PICK.sha, ROUNDING_DIFF);
    diffOf(github, PICKED, ROUNDING_DIFF);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // Whether the source is on main (1), and the two changes (2).
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 3);
    expect(reads(github).filter((c) => c.includes("check_name=mainline%2Fexception"))).toEqual([]);
    expectCheck(github, "success", "The commit comes from master", ALL_ON_MAIN);
    github.done();
  });

  test("a note of a commit on main whose change the commit does not contain fails: the note is a claim", async () => {
    // Sources of their own: a commit's diff is read once per process, and this test reads its own.
    const source = "6666666666666666666666666666666666666666";
    const lying = { sha: commitSha(4), message: `Round totals to the cent\n\n(cherry picked from commit ${source})` };
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [lying], [lying]);
    github.scope.get(GET.ancestry(source)).reply(200, restComparison(source, "behind", { behind: 4 }));
    diffOf(github, lying.sha, README_DIFF);
    diffOf(github, source, ROUNDING_DIFF);
    noException(github, lying.sha);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expectCheck(
      github,
      "failure",
      "1 of 1 commit is not on master",
      "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n" +
        "- `0004000` Round totals to the cent: its note names 6666666 but its change does not contain 6666666's\n\n" +
        FIX_BLOCK,
    );
    github.done();
  });

  test("a cherry-pick of a commit that is not on main fails, saying so", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [CHERRY_PICK], [CHERRY_PICK]);
    github.scope.get(GET.ancestry(PICKED)).reply(200, restComparison(PICKED, "diverged", { ahead: 1, behind: 2 }));
    noException(github, CHERRY_PICK.sha);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expectCheck(
      github,
      "failure",
      "1 of 1 commit is not on master",
      "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n" +
        "- `0003000` Round totals to the cent: cherry-pick of 7777777, which is not on master\n\n" +
        FIX_BLOCK,
    );
    github.done();
  });

  test("in shadow mode the failure is neutral and says it would fail", async () => {
    const github = mockGitHub();
    github.token();
    github.config("mode: shadow\n");
    pullCommits(github, [OFF_MAIN], [OFF_MAIN]);
    noException(github, OFF_MAIN.sha);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expectCheck(
      github,
      "neutral",
      "[shadow] would fail: 1 of 1 commit is not on master",
      "**Shadow mode:** enforce mode would fail this check; it blocks nothing.\n\n" +
        "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n" +
        "- `2222222` Hot patch: skip the fraud check: not on master\n\n" +
        FIX_BLOCK,
    );
    github.done();
  });

  test("an empty pull request passes without judging anything", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [], []);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expectCheck(github, "success", "No commits", "No commits: nothing to check.");
    github.done();
  });

  test("a merge commit is not judged (its parents are), and costs no call", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    const merge = { sha: commitSha(9), message: "Merge branch 'master' into fix/payments", parents: 2 };
    pullCommits(github, [ON_MAIN, merge], [merge]);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION);
    expectCheck(github, "success", "The commit comes from master", `${ALL_ON_MAIN}\n\nMerge commits are not judged; their parents are.`);
    github.done();
  });
});

describe("pull_request into a release branch: how many calls one evaluation costs", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ sha: commitSha(0x100 + i), message: `Change ${i + 1}` }));

  test.each([
    { commits: 1, pages: 1 },
    { commits: 50, pages: 1 },
    { commits: 100, pages: 1 },
    { commits: 250, pages: 3 },
  ])("a pull request of $commits commit(s) on main: $pages page(s) of its commits, one look at what main lacks, one at the head's pull requests, the check, the files", async ({ commits, pages }) => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, many(commits), []);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // Each page of commits beyond the first.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + pages - 1);
    expectCheck(github, "success", commits === 1 ? "The commit comes from master" : `All ${commits} commits come from master`, ALL_ON_MAIN);
    github.done();
  });

  test("a 250-commit pull request is read to its last page: an offender in commit 250 fails it", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    const last = { sha: OFF_MAIN.sha, message: "Change 250, straight to the release branch" };
    const commits = [...many(249), last];
    pullCommits(github, commits, [last]);
    noException(github, last.sha);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // Two more pages of commits, and the offender's exception runs.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 2 + 1);
    expectCheck(
      github,
      "failure",
      "1 of 250 commits is not on master",
      "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n- `2222222` Change 250, straight to the release branch: not on master\n\n" + FIX_BLOCK,
    );
    github.done();
  });

  const couldNotVerify = (what: string, fix: string) =>
    `mainline could not verify: ${what}. It reads no further, so that one pull request costs a bounded number of API calls, and what it has not read never passes. ${fix}`;

  test("a pull request of more than 250 commits: its first page counts them, nothing more is read, and the check fails, could not verify", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.prCommits(1)).reply(200, restComparePage({ base: BASE, head: HEAD, commits: many(100), total: 251 }));
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expect(reads(github).filter((c) => c.includes("/compare/"))).toEqual([`GET ${GET.prCommits(1)}`]);
    // No look at what main lacks: nothing is judged.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION - 1);
    expectCheck(
      github,
      "failure",
      "Could not verify: the pull request has more than 250 commits",
      couldNotVerify("the pull request has more than 250 commits", "Split it into smaller pull requests."),
    );
    github.done();
  });

  test("a release branch with more commits off main than are read: the pull request's commits on main are those main's merge base brings over the base", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.prCommits(1)).reply(200, restComparePage({ base: BASE, head: HEAD, commits: [ON_MAIN, OFF_MAIN] }));
    // The release branch's own 300 commits are off main; the compare's merge base is main's commit SHA.mainHead.
    github.scope.get(GET.notOnMain(1)).reply(200, restComparePage({ base: "heads/master", head: HEAD, commits: many(100), total: 302, status: "diverged" }));
    const brought = `${REPO_PATH}/compare/${BASE}...${SHA.mainHead}?per_page=100&page=1`;
    github.scope.get(brought).reply(200, restComparePage({ base: BASE, head: SHA.mainHead, commits: [ON_MAIN] }));
    noException(github, OFF_MAIN.sha);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // What main's merge base brings over the base (1), and the offender's exception runs (1).
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 2);
    expect(checkWritten(github)).toMatchObject({ conclusion: "failure", output: { title: "1 of 2 commits is not on master" } });
    github.done();
  });

  test("more than 20 cherry-pick notes to verify: none is looked up, and the check fails, could not verify", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    const picks = Array.from({ length: 21 }, (_, i) => ({ sha: commitSha(0x200 + i), message: `Backport ${i + 1}\n\n(cherry picked from commit ${commitSha(0x300 + i)})` }));
    pullCommits(github, picks, picks);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // No note's source, and no change, is read.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION);
    expectCheck(
      github,
      "failure",
      "Could not verify: its commits carry more than 20 cherry-pick notes to check",
      couldNotVerify("its commits carry more than 20 cherry-pick notes to check", "Split it into smaller pull requests."),
    );
    github.done();
  });

  test("a head in more than 5 other open pull requests into release branches: none of them is evaluated, and the check fails, could not verify", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [ON_MAIN], []);
    headPulls(github, {}, Array.from({ length: 6 }, (_, i) => ({ number: 3 + i, base: `release/1.${3 + i}` })));
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // None of the other six's commits is read.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION);
    expectCheck(
      github,
      "failure",
      "Could not verify: its head commit is also the head of more than 5 other open pull requests into release branches",
      couldNotVerify("its head commit is also the head of more than 5 other open pull requests into release branches", "Close the ones not needed, or give each its own head commit."),
    );
    github.done();
  });

  test("a full page of pull requests with the head commit may leave out the one that fails: the check fails, could not verify", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    headPulls(github, { base: "master", head: "feature/search" }, Array.from({ length: 99 }, (_, i) => ({ number: 3 + i, state: "closed" as const })));
    newCheck(github);
    noConfigChange(github);

    await deliver(opened({ base: "master", head: "feature/search" }));

    expect(reads(github).length).toBeLessThanOrEqual(NOT_INTO_RELEASE);
    expect(checkWritten(github)).toMatchObject({ conclusion: "failure", output: { title: "Could not verify: GitHub lists 100 or more pull requests with its head commit" } });
    github.done();
  });
});

describe("pull_request into a release branch under an exception: its state is this app's mainline/exception run on the commit", () => {
  const STOWAWAY = { sha: "5555555555555555555555555555555555555555", message: "Also bump the rate limit" };
  const incident = (number: number, state: "open" | "closed" = "open") => restIssue({ number, title: `Payments fail (${number})`, labels: ["incident"], state });

  test("an offending commit with an exception in force whose incident is open here is neutral, naming the incident", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [ON_MAIN, OFF_MAIN], [OFF_MAIN]);
    github.scope.get(GET.exceptionRuns(OFF_MAIN.sha)).reply(200, grantedRuns(71, OFF_MAIN.sha, 7));
    github.scope.get(GET.issue(7)).reply(200, incident(7));
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // The offender's exception runs (1), and the incident they name: is it open here? (1)
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 2);
    expectCheck(
      github,
      "neutral",
      "1 of 2 commits is not on master; allowed by the exception in incident #7",
      "These commits into `release/1.2` are not on `master`, but the exception **alice** granted in incident #7 covers this pull request. " +
        "When it merges, each gets a merge-back issue in incident #7:\n\n" +
        "- `2222222` Hot patch: skip the fraud check: not on master",
    );
    github.done();
  });

  test("an exception whose incident was closed covers nothing: the check fails", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [OFF_MAIN], [OFF_MAIN]);
    github.scope.get(GET.exceptionRuns(OFF_MAIN.sha)).reply(200, grantedRuns(71, OFF_MAIN.sha, 7));
    github.scope.get(GET.issue(7)).reply(200, incident(7, "closed"));
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    expect(checkWritten(github)).toMatchObject({ conclusion: "failure", output: { title: "1 of 1 commit is not on master" } });
    github.done();
  });

  test("a commit without an exception fails the check, although another commit of the pull request has one", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [OFF_MAIN, STOWAWAY], [OFF_MAIN, STOWAWAY]);
    github.scope.get(GET.exceptionRuns(OFF_MAIN.sha)).reply(200, grantedRuns(71, OFF_MAIN.sha, 7));
    noException(github, STOWAWAY.sha);
    github.scope.get(GET.issue(7)).reply(200, incident(7));
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // Each offender's exception runs (2), and the incident one of them names (1).
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 3);
    expectCheck(
      github,
      "failure",
      "2 of 2 commits are not on master",
      "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n" +
        "- `2222222` Hot patch: skip the fraud check: not on master\n" +
        "- `5555555` Also bump the rate limit: not on master\n\n" +
        FIX_BLOCK,
    );
    github.done();
  });

  test("with an exception for each offending commit the check is neutral, naming the incident", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [OFF_MAIN, STOWAWAY], [OFF_MAIN, STOWAWAY]);
    github.scope.get(GET.exceptionRuns(OFF_MAIN.sha)).reply(200, grantedRuns(71, OFF_MAIN.sha, 7));
    github.scope.get(GET.exceptionRuns(STOWAWAY.sha)).reply(200, grantedRuns(72, STOWAWAY.sha, 7));
    // The incident both exceptions name is read once (the delivery's view).
    github.scope.get(GET.issue(7)).reply(200, incident(7));
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened());

    // Each offender's exception runs (2), and the incident both name, once (1).
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 3);
    expect(reads(github).filter((c) => c === `GET ${GET.issue(7)}`)).toHaveLength(1);
    expectCheck(
      github,
      "neutral",
      "2 of 2 commits are not on master; allowed by the exception in incident #7",
      "These commits into `release/1.2` are not on `master`, but the exception **alice** granted in incident #7 covers this pull request. " +
        "When it merges, each gets a merge-back issue in incident #7:\n\n" +
        "- `2222222` Hot patch: skip the fraud check: not on master\n" +
        "- `5555555` Also bump the rate limit: not on master",
    );
    github.done();
  });
});

describe("pull_request into a release branch, on the loopback GitHub", () => {
  // Refs resolve there as git's do, and what a merge does is the incident's business (records,
  // issues found or opened): told by the commands people type, not scripted call by call.
  const ROOT = "0".repeat(39) + "1";
  const STOWAWAY = { sha: "5555555555555555555555555555555555555555", message: "Also bump the rate limit" };
  let server: GitHubTestServer;
  let repo: Repository;
  let hooks: ReturnType<typeof storyWebhooks>;
  let probot: Probot;
  let deliveries = 0;

  beforeAll(() => nock.enableNetConnect("127.0.0.1"));
  afterAll(() => nock.disableNetConnect());

  beforeEach(async () => {
    server = new GitHubTestServer(PUBLIC_KEY);
    await server.start();
    server.clock = { now: () => NOW };
    repo = server.addRepo(OWNER, REPO, "master");
    // The pull_request fixture names the repository by its id, as records do.
    repo.id = REPO_ID;
    server.commit(repo, ROOT, null, "master");
    server.commit(repo, ON_MAIN.sha, ROOT, "master", ON_MAIN.message);
    server.commit(repo, BASE, ROOT, "release/1.2");
    server.commit(repo, OFF_MAIN.sha, BASE, undefined, OFF_MAIN.message);
    server.commit(repo, STOWAWAY.sha, OFF_MAIN.sha, "fix/payments", STOWAWAY.message);
    server.route("GET", "/repos/:owner/:repo/pulls/:number/files", () => ({ status: 200, body: [] }));
    server.setRole(repo, "alice", "maintain");
    server.setRole(repo, "bob", "write");
    hooks = storyWebhooks(server, repo);
    probot = testProbot(pino({ level: "silent" }), server.apiBase);
    await loadTestApp(probot);
  });

  afterEach(async () => {
    await server.stop();
    expect(server.problems).toEqual([]);
  });

  const send = ([name, payload]: readonly [string, unknown]) => probot.receive({ id: `delivery-${++deliveries}`, name, payload } as Parameters<Probot["receive"]>[0]);

  /** bob opens an incident; alice grants an exception for each of `shas` in it. */
  async function incidentAllowing(...shas: string[]): Promise<number> {
    const number = server.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
    await send(hooks.comment(number, "bob", "/incident"));
    for (const sha of shas) await send(hooks.comment(number, "alice", `/hotfix allow ${sha} production -- payments down`));
    return number;
  }

  /** The pull request of OFF_MAIN and STOWAWAY into release/1.2, merged a minute ago. */
  const mergedPull = () =>
    server.addPull(repo, { head: "fix/payments", base: "release/1.2", commits: [OFF_MAIN.sha, STOWAWAY.sha], merged_at: "2026-11-20T11:59:00Z", merge_commit_sha: "f".repeat(40) }).number;
  const pullEvent = (action: "opened" | "closed", number: number) => ["pull_request", pullRequestEvent(action, { number, baseSha: BASE, headSha: STOWAWAY.sha })] as const;

  const issues = (label: string) => [...repo.issues.values()].filter((issue) => issue.labels.includes(label));
  /** The merge-back records in the incident: which commit, tracked by which issue. */
  const mergeBackRecords = (incident: number) =>
    [...repo.comments.values()]
      .filter((c) => c.issue_number === incident)
      .map((c) => readRecord(TEST_RECORD_KEY, c.body))
      .filter((r) => r?.kind === "merge-back")
      .map((r) => ({ sha: (r!.fields as { sha: string }).sha, issue: (r!.fields as { issue: number }).issue }));

  test("a tag named like main changes nothing: commits only the tag reaches are not on main", async () => {
    repo.tags.set("master", STOWAWAY.sha);
    await send(pullEvent("opened", server.addPull(repo, { head: "fix/payments", base: "release/1.2", commits: [OFF_MAIN.sha, STOWAWAY.sha] }).number));

    const runs = [...(repo.checkRuns?.values() ?? [])].filter((r) => r.name === "mainline/merge-first");
    expect(runs).toMatchObject([{ head_sha: STOWAWAY.sha, conclusion: "failure", output: { title: "2 of 2 commits are not on master" } }]);
  });

  test("merged: each offending commit gets a merge-back issue and a record in the incident, and the check is updated in place", async () => {
    const incident = await incidentAllowing(OFF_MAIN.sha, STOWAWAY.sha);
    const pull = mergedPull();
    await send(pullEvent("opened", pull));
    await send(pullEvent("closed", pull));

    const [run, ...more] = [...(repo.checkRuns?.values() ?? [])].filter((r) => r.name === "mainline/merge-first");
    expect(more).toEqual([]);
    expect(run).toMatchObject({ head_sha: STOWAWAY.sha, conclusion: "neutral", output: { title: `2 of 2 commits are not on master; allowed by the exception in incident #${incident}` } });
    const items = issues("merge-back");
    expect(items.map((i) => i.title)).toEqual([`Merge back 2222222 to master (incident #${incident})`, `Merge back 5555555 to master (incident #${incident})`]);
    expect(items[0]!.body).toContain(`Commit \`${OFF_MAIN.sha}\` was merged into \`release/1.2\` by pull request #${pull} under an exception in incident #${incident}`);
    expect(mergeBackRecords(incident)).toEqual([
      { sha: OFF_MAIN.sha, issue: items[0]!.number },
      { sha: STOWAWAY.sha, issue: items[1]!.number },
    ]);
  });

  test("merged under exceptions granted in two incidents: each commit gets its merge-back issue and record in the incident that granted it", async () => {
    const first = await incidentAllowing(OFF_MAIN.sha);
    const second = await incidentAllowing(STOWAWAY.sha);
    await send(pullEvent("closed", mergedPull()));

    const titles = issues("merge-back").map((i) => i.title);
    expect(titles).toEqual([`Merge back 2222222 to master (incident #${first})`, `Merge back 5555555 to master (incident #${second})`]);
    expect(mergeBackRecords(first).map((r) => r.sha)).toEqual([OFF_MAIN.sha]);
    expect(mergeBackRecords(second).map((r) => r.sha)).toEqual([STOWAWAY.sha]);
  });
});

describe("pull_request not into a release branch", () => {
  test.each([
    { what: "into main from hotfix/payments", base: "master", head: "hotfix/payments", title: "Hotfix into main", summary: "Hotfix into `master` from `hotfix/payments`: merging it resolves its merge-back items." },
    { what: "into main from a feature branch", base: "master", head: "feature/search", title: "Into main: nothing to check", summary: "A pull request into `master` is how a change reaches `master`: nothing to check." },
    {
      what: "into another branch",
      base: "develop",
      head: "feature/search",
      title: "Not a release branch: nothing to check",
      summary: "`develop` is not a release branch (`release/*`): only pull requests into release branches must carry commits already on `master`.",
    },
  ])("$what: a one-line success, without reading a commit", async ({ base, head, title, summary }) => {
    const github = mockGitHub();
    github.token();
    github.config();
    headPulls(github, { base, head });
    newCheck(github);
    noConfigChange(github);

    await deliver(opened({ base, head }));

    expect(reads(github).filter((c) => c.includes("/compare/"))).toEqual([]);
    expect(reads(github).length).toBeLessThanOrEqual(NOT_INTO_RELEASE);
    expectCheck(github, "success", title, summary);
    github.done();
  });

  test("with `checks: { otherPullRequests: none }` another pull request gets no check run at all", async () => {
    const github = mockGitHub();
    github.token();
    github.config("checks:\n  otherPullRequests: none\n");
    headPulls(github, { base: "develop", head: "feature/search" });
    noConfigChange(github);

    await deliver(opened({ base: "develop", head: "feature/search" }));

    expect(writes(github)).toEqual([]);
    // Its check run is not even looked up.
    expect(reads(github).length).toBeLessThanOrEqual(NOT_INTO_RELEASE - 1);
    github.done();
  });
});

describe("pull_request whose head is also the head of other open pull requests: the check run shows the strictest", () => {
  const HOTFIX = { base: "master", head: "hotfix/payments" };
  /** The same head into the release branch: it carries a commit that is not on main. */
  const INTO_RELEASE = { number: 3, head: "hotfix/payments" };
  const RELEASE_FAILS =
    "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n- `2222222` Hot patch: skip the fraud check: not on master\n\n" + FIX_BLOCK;

  test("a hotfix into main whose head also goes into a release branch shows that pull request's failure, naming it", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    headPulls(github, HOTFIX, [INTO_RELEASE]);
    pullCommits(github, [ON_MAIN, OFF_MAIN], [OFF_MAIN]);
    noException(github, OFF_MAIN.sha);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened(HOTFIX));

    // One evaluation's reads (#3's commits), and the offender's exception runs.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 1);
    expectCheck(
      github,
      "failure",
      "1 of 2 commits is not on master",
      "This commit is also the head of pull request #3 into `release/1.2`; its result is the strictest, so it is shown.\n\n" + RELEASE_FAILS,
    );
    github.done();
  });

  test("the pull request into the release branch keeps its failure when the same head's pull request into main passes", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [ON_MAIN, OFF_MAIN], [OFF_MAIN]);
    noException(github, OFF_MAIN.sha);
    headPulls(github, { head: "hotfix/payments" }, [{ number: 3, ...HOTFIX }]);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened({ head: "hotfix/payments" }));

    // The offender's exception runs; #3, into main, costs no read of its own.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 1);
    expectCheck(github, "failure", "1 of 2 commits is not on master", RELEASE_FAILS);
    github.done();
  });

  test("with `checks: { otherPullRequests: none }` a pull request into main still shows the failure of its head's release pull request", async () => {
    const github = mockGitHub();
    github.token();
    github.config("checks:\n  otherPullRequests: none\n");
    headPulls(github, { base: "master", head: "hotfix/payments" }, [INTO_RELEASE]);
    pullCommits(github, [ON_MAIN, OFF_MAIN], [OFF_MAIN]);
    noException(github, OFF_MAIN.sha);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened({ base: "develop", head: "hotfix/payments" }));

    // One evaluation's reads (#3's commits), and the offender's exception runs.
    expect(reads(github).length).toBeLessThanOrEqual(EVALUATION + 1);
    expectCheck(
      github,
      "failure",
      "1 of 2 commits is not on master",
      "This commit is also the head of pull request #3 into `release/1.2`; its result is the strictest, so it is shown.\n\n" + RELEASE_FAILS,
    );
    github.done();
  });

  // Bug: evaluate-pr.ts strictestForHead wraps the other pull request's base in bare backticks, unlike every other
  // branch name in the summary (codeSpan): a branch name holding a backtick (git allows it) breaks the code span
  // and the rest of the line renders as markdown.
  test("the other pull request's base is named as the rest of the summary names it, even with a backtick in it", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    headPulls(github, HOTFIX, [{ ...INTO_RELEASE, base: "release/`1.2`" }]);
    pullCommits(github, [OFF_MAIN], [OFF_MAIN]);
    noException(github, OFF_MAIN.sha);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened(HOTFIX));

    const [named, rule] = checkWritten(github).output.summary.split("\n\n");
    expect(rule).toBe("Release branches take only commits already on `master`. In this pull request into `release/'1.2'`:");
    expect(named).toBe("This commit is also the head of pull request #3 into `release/'1.2'`; its result is the strictest, so it is shown.");
    github.done();
  });

  test("a closed pull request of the head, and an open one whose head has moved on, are not evaluated", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    headPulls(github, { base: "master", head: "feature/search" }, [
      { number: 3, state: "closed" },
      { number: 4, head: "feature/search-2", headSha: "c".repeat(40) },
    ]);
    newCheck(github);
    noConfigChange(github);

    await deliver(opened({ base: "master", head: "feature/search" }));

    expect(reads(github).length).toBeLessThanOrEqual(NOT_INTO_RELEASE);
    expectCheck(github, "success", "Into main: nothing to check", "A pull request into `master` is how a change reaches `master`: nothing to check.");
    github.done();
  });
});

describe("pull_request actions", () => {
  test.each<{ what: string; action: PullAction; merged?: boolean }>([
    { what: "an edit of the title or body", action: "edited" },
    { what: "a close without merging", action: "closed", merged: false },
  ])("$what does nothing, not even a call", async ({ action, merged }) => {
    const github = mockGitHub();
    await deliver(pullRequestEvent(action, { merged }));
    expect(github.calls()).toEqual([]);
    github.done();
  });

  test.each<PullAction>(["reopened", "synchronize"])("%s evaluates the pull request", async (action) => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [ON_MAIN], []);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(pullRequestEvent(action));

    expectCheck(github, "success", "The commit comes from master", ALL_ON_MAIN);
    github.done();
  });

  test("an edit that moves the base from main to a release branch evaluates it against the new base", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    pullCommits(github, [OFF_MAIN], [OFF_MAIN]);
    noException(github, OFF_MAIN.sha);
    headPulls(github);
    newCheck(github);
    noConfigChange(github);

    await deliver(pullRequestEvent("edited", {}, { baseFrom: { ref: "master", sha: "c".repeat(40) } }));

    expect(checkWritten(github)).toMatchObject({ conclusion: "failure", output: { title: "1 of 1 commit is not on master" } });
    github.done();
  });
});
