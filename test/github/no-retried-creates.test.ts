import nock from "nock";
import { ProbotOctokit } from "probot";
import { sendCreatesOnce } from "../../src/github/no-retried-creates.js";
import { mockGitHub } from "../helpers/github-mock.js";

// Probot's client retries failed requests; a POST whose answer was lost may have been carried
// out, so mainline's clients send it once and leave the rest to a redelivery.
const REPO = "/repos/Codertocat/Hello-World";
const params = { owner: "Codertocat", repo: "Hello-World", issue_number: 7 };
const SERVER_ERROR = { message: "Server Error" };

/** Probot's Octokit as users get it, retry plugin on (its waits shortened), throttling off. */
const client = () => sendCreatesOnce(new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { retryAfterBaseValue: 1 } }));

let github: ReturnType<typeof mockGitHub>;
beforeAll(() => nock.disableNetConnect());
beforeEach(() => (github = mockGitHub()));
afterEach(() => {
  github.done();
  nock.cleanAll();
});

test("a comment whose request failed is not sent again: the delivery fails instead", async () => {
  github.scope.post(`${REPO}/issues/7/comments`).reply(502, SERVER_ERROR);

  await expect(client().request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, body: "✅ Done" })).rejects.toMatchObject({ status: 502 });

  expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${REPO}/issues/7/comments`]);
});

test.each([
  ["a read", "GET", `${REPO}/issues/7`, () => client().request("GET /repos/{owner}/{repo}/issues/{issue_number}", params)],
  ["an edit", "PATCH", `${REPO}/issues/7`, () => client().request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, state: "closed" })],
] as const)("%s is still retried after a server error", async (_what, method, path, send) => {
  const intercept = method === "GET" ? github.scope.get(path) : github.scope.patch(path);
  intercept.reply(502, SERVER_ERROR);
  (method === "GET" ? github.scope.get(path) : github.scope.patch(path)).reply(200, { number: 7 });

  await expect(send()).resolves.toMatchObject({ status: 200 });

  expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`${method} ${path}`, `${method} ${path}`]);
});
