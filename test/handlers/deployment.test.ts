import nock from "nock";
import { deploymentCreated, SHA } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { testApp } from "../helpers/test-app.js";

const STATUSES = "/repos/Codertocat/Hello-World/deployments/145988746/statuses";
const compare = (sha: string) => `/repos/Codertocat/Hello-World/compare/heads%2Fmaster...${sha}?per_page=1`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

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
    github.incidents();
    github.scope.get(`${STATUSES}?per_page=100`).reply(200, []);
    github.scope.post(STATUSES).reply(201, {});

    await deliver(SHA.offMain);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${compare(SHA.offMain)}`,
      "GET /repos/Codertocat/Hello-World/issues?labels=incident&state=open&per_page=100",
      `GET ${STATUSES}?per_page=100`,
      `POST ${STATUSES}`,
    ]);
    expect(github.requests.at(-1)!.body).toEqual({
      state: "failure",
      description: "Refused: 2222222 is not on master (head 3333333; 2222222 is 1 commit ahead of it and 2 behind).",
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

    await deliver(SHA.onMain);

    expect(github.requests.filter((r) => r.method !== "GET" && !r.path.includes("access_tokens"))).toEqual([]);
    github.done();
  });

  test("an environment that is not gated costs nothing beyond reading config", async () => {
    const github = mockGitHub();
    github.token();
    github.config();

    await deliver(SHA.offMain, "staging");

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
    ]);
    github.done();
  });

  test("a redelivered deployment does not stack a second failure status", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.offMain)).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, base_commit: { sha: SHA.mainHead } });
    github.incidents();
    github.scope
      .get(`${STATUSES}?per_page=100`)
      .reply(200, [{ id: 1, state: "failure", description: "Refused: 2222222 is not on master (head 3333333; 2222222 is 1 commit ahead of it and 0 behind)." }]);

    await deliver(SHA.offMain);

    expect(github.calls().filter((c) => c.startsWith("POST") && c.includes("statuses"))).toEqual([]);
    github.done();
  });

  test("when GitHub cannot be asked, the failure status says it could not verify", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(compare(SHA.onMain)).reply(503, { message: "Service Unavailable" });
    github.incidents();
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
    github.incidents();

    await deliver(SHA.offMain);

    expect(github.calls().filter((c) => c.includes("statuses"))).toEqual([]);
    github.done();
  });
});
