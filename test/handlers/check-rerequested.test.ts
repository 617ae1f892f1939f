import nock from "nock";
import { checkRunRerequested, checkSuiteRerequested } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { restCheckRun, restCheckRuns, restComparePage, restPull, restPullFiles, restPullOfCommit, type RestPullOfCommitShape } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const BASE = "b".repeat(40);
const HEAD = "a".repeat(40);
const ON_MAIN = { sha: "0001".repeat(10), message: "Round totals to the cent" };
const OFF_MAIN = { sha: "2222222222222222222222222222222222222222", message: "Hot patch: skip the fraud check" };
const MERGE_FIRST = "mainline/merge-first";
const RUN_ID = 31;

const GET = {
  pull: (n: number) => `${REPO_PATH}/pulls/${n}`,
  prCommits: `${REPO_PATH}/compare/${BASE}...${HEAD}?per_page=100&page=1`,
  /** Which of them main lacks: main is the branch, `heads/master`. */
  notOnMain: `${REPO_PATH}/compare/heads%2Fmaster...${HEAD}?per_page=100&page=1`,
  /** The pull requests that contain the head commit: the check run is the commit's, so each of them counts. */
  headPulls: `${REPO_PATH}/commits/${HEAD}/pulls?per_page=100`,
  checkRuns: (name: string) => `${REPO_PATH}/commits/${HEAD}/check-runs?check_name=${encodeURIComponent(name)}&filter=latest&per_page=100`,
  files: (n: number) => `${REPO_PATH}/pulls/${n}/files?per_page=100`,
  contents: `${REPO_PATH}/contents/.github%2Fmainline.yml?ref=${HEAD}`,
  /** This app's `mainline/exception` runs on a commit: where an exception's state is read. */
  exceptionRuns: (sha: string) => `${REPO_PATH}/commits/${sha}/check-runs?check_name=mainline%2Fexception&app_id=123&filter=all&per_page=100`,
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(name: "check_run" | "check_suite", payload: object) {
  const { probot } = await testApp();
  await probot.receive({ id: "cr-1", name, payload: payload as never });
}

/** The pull request's commits, all on main unless `offMain` is given. */
function commits(github: ReturnType<typeof mockGitHub>, offMain: Array<typeof OFF_MAIN> = []) {
  github.scope.get(GET.prCommits).reply(200, restComparePage({ base: BASE, head: HEAD, commits: [ON_MAIN, ...offMain] }));
  github.scope.get(GET.notOnMain).reply(200, restComparePage({ base: "master", head: HEAD, commits: offMain, status: offMain.length ? "diverged" : "behind" }));
}

/** The open pull requests whose head is HEAD, as GitHub lists them for the commit. */
function headPulls(github: ReturnType<typeof mockGitHub>, pulls: RestPullOfCommitShape[]) {
  github.scope.get(GET.headPulls).reply(200, pulls.map(restPullOfCommit));
}

/** The app's existing run of `name` for the head, updated in place. */
function existingRun(github: ReturnType<typeof mockGitHub>, name: string, id: number) {
  // Another app's run of the same name is listed too: it is not the one to update.
  github.scope.get(GET.checkRuns(name)).reply(200, restCheckRuns([restCheckRun({ id: 900, name, headSha: HEAD, appId: 4242 }), restCheckRun({ id, name, headSha: HEAD })]));
  github.scope.patch(`${REPO_PATH}/check-runs/${id}`).reply(200, restCheckRun({ id, name, headSha: HEAD }));
}

/** What the delivery read beyond its start (the token, `.github/mainline.yml`); each mock answers once, so `github.done()` proves each was read once. */
function reads(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => c.startsWith("GET ") && !CONFIG_READS.includes(c));
}

function checkWrites(github: ReturnType<typeof mockGitHub>) {
  return github.requests.filter((r) => r.method !== "GET" && r.path.includes("/check-runs")).map((r) => ({ method: r.method, path: r.path, body: r.body as { conclusion: string; output: { title: string; summary: string } } }));
}

describe("check_run.rerequested", () => {
  test("Re-run on mainline/merge-first evaluates the pull request again and updates the same check run", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.pull(2)).reply(200, restPull());
    commits(github);
    headPulls(github, [{}]);
    existingRun(github, MERGE_FIRST, RUN_ID);
    github.scope.get(GET.files(2)).reply(200, restPullFiles([{ filename: "src/checkout.ts" }]));

    await deliver("check_run", checkRunRerequested({ id: RUN_ID, name: MERGE_FIRST }));

    // The pull request as it is now (1), then one evaluation: its commits and what main lacks of them (2), the
    // head's pull requests (1), the check run to update (1), the files (1).
    expect(reads(github).length).toBeLessThanOrEqual(6);
    expect(checkWrites(github)).toEqual([
      {
        method: "PATCH",
        path: `${REPO_PATH}/check-runs/${RUN_ID}`,
        body: {
          status: "completed",
          conclusion: "success",
          completed_at: expect.any(String),
          output: {
            title: "The commit comes from master",
            summary: "Every commit in this pull request into `release/1.2` is on `master` or a `git cherry-pick -x` of a commit on `master`.",
          },
        },
      },
    ]);
    github.done();
  });

  test("Re-run on mainline/config validates the file at the head again, in the same mainline/config run", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.pull(2)).reply(200, restPull({ base: "master" }));
    headPulls(github, [{ base: "master" }]);
    existingRun(github, MERGE_FIRST, RUN_ID);
    github.scope.get(GET.files(2)).reply(200, restPullFiles([{ filename: ".github/mainline.yml" }]));
    github.scope.get(GET.contents).reply(200, "mode: shadow\n", { "content-type": "text/plain; charset=utf-8" });
    existingRun(github, "mainline/config", 32);

    await deliver("check_run", checkRunRerequested({ id: 32, name: "mainline/config" }));

    // The pull request as it is now (1); into main, no commit is read: the head's pull requests (1), the
    // merge-first run (1), the files (1); then the file at the head (1) and the config run (1).
    expect(reads(github).length).toBeLessThanOrEqual(6);
    expect(reads(github)).toContain(`GET ${GET.contents}`);
    expect(checkWrites(github).map((w) => [w.path, w.body.conclusion, w.body.output.title])).toEqual([
      [`${REPO_PATH}/check-runs/${RUN_ID}`, "success", "Into main: nothing to check"],
      [`${REPO_PATH}/check-runs/32`, "success", ".github/mainline.yml is valid"],
    ]);
    github.done();
  });

  test.each([
    { what: "another app's check", name: "ci/build", appId: 4242, pulls: [{}] },
    { what: "a check of a head in no pull request of this repository", name: MERGE_FIRST, appId: 123, pulls: [] },
  ])("Re-run on $what does nothing, not even a call", async ({ name, appId, pulls }) => {
    const github = mockGitHub();
    await deliver("check_run", checkRunRerequested({ name, appId, pulls }));
    expect(github.calls()).toEqual([]);
    github.done();
  });
});

describe("check_suite.rerequested", () => {
  test("Re-run all evaluates each pull request of the suite, each with the other of its head, updating the check run, never adding one", async () => {
    // One head into two release branches: each evaluation reads the other pull request's commits too.
    const PULLS = [{ number: 2 }, { number: 3, base: "release/1.3" }];
    const github = mockGitHub();
    github.token();
    github.config();
    // The head's commits and its pull requests are the same facts for both: read once (the delivery's view).
    commits(github);
    headPulls(github, PULLS);
    for (const shape of PULLS) {
      github.scope.get(GET.pull(shape.number)).reply(200, restPull(shape));
      existingRun(github, MERGE_FIRST, RUN_ID);
      github.scope.get(GET.files(shape.number)).reply(200, restPullFiles([{ filename: "src/checkout.ts" }]));
    }

    await deliver("check_suite", checkSuiteRerequested({ pulls: PULLS }));

    // Each fact once, but the check run: it is read again after the first evaluation wrote it.
    const facts = reads(github).filter((c) => c !== `GET ${GET.checkRuns(MERGE_FIRST)}`);
    expect(facts).toEqual([...new Set(facts)]);
    expect(checkWrites(github).map((w) => [w.method, w.body.conclusion, w.body.output.title])).toEqual([
      ["PATCH", "success", "The commit comes from master"],
      ["PATCH", "success", "The commit comes from master"],
    ]);
    github.done();
  });

  test("a suite without pull requests does nothing", async () => {
    const github = mockGitHub();
    await deliver("check_suite", checkSuiteRerequested({ pulls: [] }));
    expect(github.calls()).toEqual([]);
    github.done();
  });

  test("a head in a pull request into a release branch and one into main: the check run stays failed, whichever is evaluated last", async () => {
    const INTO_RELEASE = { number: 2, head: "hotfix/payments" };
    const INTO_MAIN = { number: 3, base: "master", head: "hotfix/payments" };
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(GET.pull(2)).reply(200, restPull(INTO_RELEASE));
    commits(github, [OFF_MAIN]);
    github.scope.get(GET.exceptionRuns(OFF_MAIN.sha)).reply(200, restCheckRuns([]));
    headPulls(github, [INTO_RELEASE, INTO_MAIN]);
    existingRun(github, MERGE_FIRST, RUN_ID);
    github.scope.get(GET.files(2)).reply(200, restPullFiles([{ filename: "src/checkout.ts" }]));
    // The second evaluation reads the head's commits and pull requests from the first (the delivery's view); the
    // check runs it asks again, since the first evaluation wrote one.
    github.scope.get(GET.pull(3)).reply(200, restPull(INTO_MAIN));
    github.scope.get(GET.exceptionRuns(OFF_MAIN.sha)).reply(200, restCheckRuns([]));
    existingRun(github, MERGE_FIRST, RUN_ID);
    github.scope.get(GET.files(3)).reply(200, restPullFiles([{ filename: "src/checkout.ts" }]));

    await deliver("check_suite", checkSuiteRerequested({ pulls: [INTO_RELEASE, INTO_MAIN] }));

    // #2: itself (1), its commits and what main lacks (2), the offender's exception runs (1), the head's pull requests (1),
    // the check run (1), the files (1); #3: itself (1), the exception runs and the check run again, after the write (2), its files (1).
    expect(reads(github).length).toBeLessThanOrEqual(11);
    const failed = "Release branches take only commits already on `master`. In this pull request into `release/1.2`:\n\n- `2222222` Hot patch: skip the fraud check: not on master";
    // Up to the fix, which every failure ends with.
    const writes = checkWrites(github).map((w) => ({ conclusion: w.body.conclusion, title: w.body.output.title, summary: w.body.output.summary.split("\n\n**To fix:**")[0] }));
    expect(writes).toEqual([
      { conclusion: "failure", title: "1 of 2 commits is not on master", summary: failed },
      {
        conclusion: "failure",
        title: "1 of 2 commits is not on master",
        summary: `This commit is also the head of pull request #2 into \`release/1.2\`; its result is the strictest, so it is shown.\n\n${failed}`,
      },
    ]);
    github.done();
  });
});
