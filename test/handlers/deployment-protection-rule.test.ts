import nock from "nock";
import { protectionRuleRequested, SHA } from "../helpers/fixtures.js";
import { exceptionRunsPath, exceptionRunsReply } from "../helpers/exception-run-mocks.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { testApp } from "../helpers/test-app.js";

const CALLBACK = "/repos/Codertocat/Hello-World/actions/runs/4242/deployment_protection_rule";
const compare = (sha: string) => `/repos/Codertocat/Hello-World/compare/heads%2Fmaster...${sha}?per_page=1`;
const compareBody = (status: string, ahead = 0, behind = 0) => ({ status, ahead_by: ahead, behind_by: behind, base_commit: { sha: SHA.mainHead } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(probot: Awaited<ReturnType<typeof testApp>>["probot"], sha: string, environment = "production", id = "d-1") {
  await probot.receive({ id, name: "deployment_protection_rule", payload: protectionRuleRequested({ sha, environment }) as never });
}

/** The gate's look for exceptions: this app's exception check runs on `sha` (none). */
function noExceptionRuns(github: ReturnType<typeof mockGitHub>, sha: string) {
  return github.scope.get(exceptionRunsPath(sha)).reply(200, exceptionRunsReply());
}

function answerOf(github: ReturnType<typeof mockGitHub>) {
  const answer = github.requests.find((r) => r.path === CALLBACK);
  return answer?.body as { environment_name: string; state: string; comment: string };
}

describe("deployment_protection_rule.requested", () => {
  test("a commit on main is approved after one config read, one compare and one read of its exception runs, asked together", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.onMain)).reply(200, compareBody("behind", 0, 4));
    noExceptionRuns(github, SHA.onMain);
    github.scope.post(CALLBACK).reply(204);

    await deliver(probot, SHA.onMain);

    // Where the commit stands (1) and its exception runs (1); the one write is the answer.
    expect(github.calls().filter((c) => c.startsWith("GET ") && !CONFIG_READS.includes(c)).length).toBeLessThanOrEqual(2);
    expect(github.calls().filter((c) => !c.startsWith("GET ") && !c.endsWith("/access_tokens"))).toEqual([`POST ${CALLBACK}`]);
    expect(answerOf(github)).toEqual({
      environment_name: "production",
      state: "approved",
      comment: "1111111 is on master (head 3333333): approved for production.",
    });
    github.done();
  });

  test("a commit off main is rejected with the commit, main's head, and both ways forward", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.offMain)).reply(200, compareBody("diverged", 2, 3));
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);

    await deliver(probot, SHA.offMain);

    expect(answerOf(github)).toEqual({
      environment_name: "production",
      state: "rejected",
      comment:
        "Refused: 2222222 is not on master (head 3333333; 2222222 is 2 commits ahead of it and 3 behind). " +
        "production runs only commits already on master. Two ways forward: (1) merge a pull request with this change " +
        "into master and deploy that commit; or (2) in an emergency, open an incident (comment `/incident` on an issue " +
        "that describes it, or use the incident already open) and have someone with the maintain role or higher comment " +
        "`/hotfix allow 2222222 production -- <reason>` there; then deploy again.",
    });
    github.done();
  });

  test("a commit ahead of main (a side branch) is rejected too", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.offMain)).reply(200, compareBody("ahead", 1, 0));
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);
    await deliver(probot, SHA.offMain);
    expect(answerOf(github).state).toBe("rejected");
    github.done();
  });

  test("a commit GitHub does not know is rejected, quoting GitHub", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.offMain)).reply(404, { message: "No commit found for SHA: 2222222" });
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);
    await deliver(probot, SHA.offMain);
    expect(answerOf(github).state).toBe("rejected");
    expect(answerOf(github).comment).toContain("cannot be compared with master (HTTP 404: No commit found for SHA: 2222222)");
    github.done();
  });

  test("an environment that is not gated is approved without asking where the commit is", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.post(CALLBACK).reply(204);

    await deliver(probot, SHA.offMain, "staging");

    expect(github.calls()).not.toContainEqual(expect.stringContaining("/compare/"));
    expect(answerOf(github)).toMatchObject({ environment_name: "staging", state: "approved" });
    expect(answerOf(github).comment).toContain("staging is not one of mainline's gated environments");
    github.done();
  });

  test("glob patterns gate matching environments, case-insensitively", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config('environments: ["prod-*"]\nmainBranch: trunk\n');
    github.scope.get(`/repos/Codertocat/Hello-World/compare/heads%2Ftrunk...${SHA.offMain}?per_page=1`).reply(200, compareBody("diverged", 1, 1));
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);
    await deliver(probot, SHA.offMain, "Prod-EU");
    expect(answerOf(github).state).toBe("rejected");
    expect(answerOf(github).comment).toContain("is not on trunk");
    github.done();
  });

  test("the owner's .github repository supplies defaults when the repository has no config", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.scope.get("/repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml").reply(404);
    github.scope
      .get("/repos/Codertocat/.github/contents/.github%2Fmainline.yml")
      .reply(200, "environments: [staging]\n", { "content-type": "text/plain; charset=utf-8" });
    github.scope.get(compare(SHA.offMain)).reply(200, compareBody("ahead", 1, 0));
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);
    await deliver(probot, SHA.offMain, "staging");
    expect(answerOf(github)).toMatchObject({ environment_name: "staging", state: "rejected" });
    github.done();
  });

  test("when GitHub cannot be asked, the default refuses and says it could not verify", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.onMain)).reply(502, { message: "Server Error" });
    noExceptionRuns(github, SHA.onMain);
    github.scope.post(CALLBACK).reply(204);

    await deliver(probot, SHA.onMain);

    expect(answerOf(github).state).toBe("rejected");
    expect(answerOf(github).comment).toMatch(/^mainline could not verify that 1111111 is on master: GitHub did not answer \(HTTP 502/);
    expect(answerOf(github).comment).toContain("this says nothing about whether 1111111 is on master");
    github.done();
  });

  test("onApiError: approve lets the deploy through when GitHub cannot be asked, and says so", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config("onApiError: approve\n");
    github.scope.get(compare(SHA.offMain)).reply(500, { message: "Server Error" });
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);
    await deliver(probot, SHA.offMain);
    expect(answerOf(github).state).toBe("approved");
    expect(answerOf(github).comment).toContain('Approved because onApiError is "approve"');
    github.done();
  });

  test("an unreadable config refuses without guessing, even for an environment the defaults do not gate", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.scope.get("/repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml").reply(500, { message: "boom" });
    github.scope.post(CALLBACK).reply(204);
    await deliver(probot, SHA.onMain, "prod-eu");
    expect(answerOf(github).state).toBe("rejected");
    expect(answerOf(github).comment).toContain("could not read .github/mainline.yml");
    github.done();
  });

  test("shadow mode approves an off-main commit and says enforce mode would refuse", async () => {
    const { probot, logs } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config("mode: shadow\n");
    github.scope.get(compare(SHA.offMain)).reply(200, compareBody("diverged", 1, 1));
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);

    await deliver(probot, SHA.offMain);

    expect(answerOf(github).state).toBe("approved");
    expect(answerOf(github).comment).toMatch(/^\[shadow mode: approved; enforce mode would refuse\] Refused: 2222222 is not on master/);
    expect(logs).toContainEqual(expect.objectContaining({ verdict: "approve", enforcedVerdict: "refuse", mode: "shadow" }));
    github.done();
  });

  test("an invalid config still refuses an off-main deploy, and the answer names the bad key", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config("mode: enforced\nonApiError: approve\n");
    github.scope.get(compare(SHA.offMain)).reply(200, compareBody("diverged", 1, 1));
    noExceptionRuns(github, SHA.offMain);
    github.scope.post(CALLBACK).reply(204);

    await deliver(probot, SHA.offMain);

    expect(answerOf(github).state).toBe("rejected");
    expect(answerOf(github).comment).toContain(
      'mainline\'s config is invalid, so defaults were used for: .github/mainline.yml: `mode`: expected one of "enforce", "shadow", got string "enforced"',
    );
    github.done();
  });

  test("a repeated decision for a commit already found on main skips the compare and its exception runs (on main, they cannot change the answer)", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.onMain)).once().reply(200, compareBody("identical"));
    github.scope.get(exceptionRunsPath(SHA.onMain)).once().reply(200, exceptionRunsReply());
    github.scope.post(CALLBACK).twice().reply(204);
    github.config();

    await deliver(probot, SHA.onMain, "production", "d-1");
    const first = github.calls().length;
    await deliver(probot, SHA.onMain, "production", "d-2");

    expect(github.calls().filter((c) => c.includes("/compare/"))).toHaveLength(1);
    expect(github.calls().slice(first).filter((c) => !c.includes("/contents/"))).toEqual([`POST ${CALLBACK}`]);
    expect(github.requests.filter((r) => r.path === CALLBACK).map((r) => (r.body as { state: string }).state)).toEqual(["approved", "approved"]);
    github.done();
  });

  test("a commit found off main is asked about again next time (it may have been merged since)", async () => {
    const { probot } = await testApp();
    const github = mockGitHub();
    github.token();
    github.config();
    github.config();
    github.scope.get(compare(SHA.offMain)).reply(200, compareBody("ahead", 1, 0));
    github.scope.get(exceptionRunsPath(SHA.offMain)).twice().reply(200, exceptionRunsReply());
    github.scope.get(compare(SHA.offMain)).reply(200, compareBody("behind", 0, 1));
    github.scope.post(CALLBACK).twice().reply(204);

    await deliver(probot, SHA.offMain, "production", "d-1");
    await deliver(probot, SHA.offMain, "production", "d-2");

    expect(github.requests.filter((r) => r.path === CALLBACK).map((r) => (r.body as { state: string }).state)).toEqual(["rejected", "approved"]);
    github.done();
  });
});
