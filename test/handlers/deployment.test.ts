import nock from "nock";
import { deploymentCreated, SHA } from "../helpers/fixtures.js";
import { exceptionRunsPath, exceptionRunsReply } from "../helpers/exception-run-mocks.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { testApp } from "../helpers/test-app.js";

const STATUSES = "/repos/Codertocat/Hello-World/deployments/145988746/statuses";
const compare = (sha: string) => `/repos/Codertocat/Hello-World/compare/heads%2Fmaster...${sha}?per_page=1`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** The gate's look for exceptions: this app's exception check runs on `sha` (none). */
function noExceptionRuns(github: ReturnType<typeof mockGitHub>, sha: string) {
  return github.scope.get(exceptionRunsPath(sha)).reply(200, exceptionRunsReply());
}

async function deliver(sha: string, environment = "production") {
  const { probot } = await testApp();
  await probot.receive({ id: "d-1", name: "deployment", payload: deploymentCreated({ sha, environment }) as never });
}

describe("deployment.created (a deploy tool using the REST API)", () => {
  test("an off-main commit gets a failure status whose description and link explain the refusal", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.offMain)).reply(200, { status: "diverged", ahead_by: 1, behind_by: 2, base_commit: { sha: SHA.mainHead } });
    noExceptionRuns(github, SHA.offMain);
    github.scope.get(`${STATUSES}?per_page=100`).reply(200, []);
    github.scope.post(STATUSES).reply(201, {});

    await deliver(SHA.offMain);

    // Where S stands (1), which exceptions its check runs hold (1), the deployment's statuses, to add no second failure (1).
    expect(github.calls().filter((c) => c.startsWith("GET ") && !CONFIG_READS.includes(c)).length).toBeLessThanOrEqual(3);
    expect(github.calls().filter((c) => !c.startsWith("GET ") && !c.endsWith("/access_tokens"))).toEqual([`POST ${STATUSES}`]);
    expect(github.requests.find((r) => r.method === "POST" && r.path === STATUSES)!.body).toEqual({
      state: "failure",
      description: "Refused: 2222222 is not on master. Merge a PR to master, or /incident, then a maintainer runs /hotfix allow 2222222 production -- <reason>",
      log_url: `https://github.com/Codertocat/Hello-World/compare/master...${SHA.offMain}`,
      environment: "production",
      auto_inactive: false,
    });
    github.done();
  });

  test("an on-main commit gets nothing written", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.onMain)).reply(200, { status: "behind", ahead_by: 0, behind_by: 3, base_commit: { sha: SHA.mainHead } });
    noExceptionRuns(github, SHA.onMain);

    await deliver(SHA.onMain);

    expect(github.requests.filter((r) => r.method !== "GET" && !r.path.includes("access_tokens"))).toEqual([]);
    github.done();
  });

  test("an environment that is not gated costs nothing beyond reading config", async () => {
    const github = mockGitHub();
    github.token();
    github.config();

    await deliver(SHA.offMain, "staging");

    // The point: nothing but the config is asked.
    expect(github.calls()).toEqual(CONFIG_READS);
    github.done();
  });

  test("a redelivered deployment does not stack a second failure status", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.offMain)).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, base_commit: { sha: SHA.mainHead } });
    noExceptionRuns(github, SHA.offMain);
    github.scope
      .get(`${STATUSES}?per_page=100`)
      .reply(200, [{ id: 1, state: "failure", description: "Refused: 2222222 is not on master. Merge a PR to master, or /incident, then a maintainer runs /hotfix allow 2222222 production -- <reason>" }]);

    await deliver(SHA.offMain);

    expect(github.calls().filter((c) => c.startsWith("POST") && c.includes("statuses"))).toEqual([]);
    github.done();
  });

  test("when GitHub cannot be asked, the failure status says it could not verify", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.onMain)).reply(503, { message: "Service Unavailable" });
    noExceptionRuns(github, SHA.onMain);
    github.scope.get(`${STATUSES}?per_page=100`).reply(200, []);
    github.scope.post(STATUSES).reply(201, {});

    await deliver(SHA.onMain);

    expect((github.requests.at(-1)!.body as { description: string }).description).toBe(
      "Refused: could not verify 1111111 is on master; re-run the deployment.",
    );
    github.done();
  });

  test("shadow mode writes no failure status for an off-main commit", async () => {
    const github = mockGitHub();
    github.token();
    github.config("mode: shadow\n");
    github.scope.get(compare(SHA.offMain)).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, base_commit: { sha: SHA.mainHead } });
    noExceptionRuns(github, SHA.offMain);

    await deliver(SHA.offMain);

    expect(github.calls().filter((c) => c.includes("statuses"))).toEqual([]);
    github.done();
  });
});
