import nock from "nock";
import { ProbotOctokit } from "probot";
import { ConditionalReads } from "../../src/github/conditional-reads.js";
import { readSlots, readsDirectFirst } from "../../src/github/direct-reads.js";
import { mockGitHub } from "../helpers/github-mock.js";

// A read goes out without the client's queues; only an answer the plugins act on (no answer, a
// 5xx, a 429, a rate-limited 403) sends it through the whole client, whose plugins retry it.
const ISSUES = "/repos/Codertocat/Hello-World/issues";
const params = { owner: "Codertocat", repo: "Hello-World" };

let github: ReturnType<typeof mockGitHub>;
/** Requests that went through the client's plugins (the hooks inside the direct path). */
let throughPlugins: string[];
let secondaryLimits: number;

function client() {
  const octokit = new ProbotOctokit({
    auth: { token: "ghs_direct" },
    retry: { retryAfterBaseValue: 1 },
    throttle: {
      onRateLimit: () => false,
      onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) => (secondaryLimits++, retryCount === 0),
    },
  });
  octokit.hook.wrap("request", (request, options) => (throughPlugins.push(`${options.method} ${options.url}`), request(options)));
  return readsDirectFirst(octokit, readSlots());
}
const listIssues = (octokit = client()) => octokit.request("GET /repos/{owner}/{repo}/issues", params);

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  github = mockGitHub();
  throughPlugins = [];
  secondaryLimits = 0;
});
afterEach(() => {
  github.done();
  nock.cleanAll();
});

test("a read answered at once never waits in the client's queues; a write always goes through them", async () => {
  github.scope.get(ISSUES).reply(200, [{ number: 1 }]);
  github.scope.post(ISSUES).reply(201, { number: 2 });
  const octokit = client();

  const { data } = await listIssues(octokit);
  await octokit.request("POST /repos/{owner}/{repo}/issues", { ...params, title: "t" });

  expect(data).toEqual([{ number: 1 }]);
  expect(throughPlugins).toEqual(["POST /repos/{owner}/{repo}/issues"]);
});

test("a definite answer (404) is the answer: sent once, not retried", async () => {
  github.scope.get(ISSUES).reply(404, { message: "Not Found" });

  await expect(listIssues()).rejects.toMatchObject({ status: 404 });
  expect(throughPlugins).toEqual([]);
});

test("a 5xx goes to the client's retry plugin with one retry fewer: four attempts in all, as before", async () => {
  github.scope.get(ISSUES).times(4).reply(502, { message: "Bad Gateway" });

  await expect(listIssues()).rejects.toMatchObject({ status: 502 });
  expect(throughPlugins).toEqual(["GET /repos/{owner}/{repo}/issues"]);
});

test("a 5xx is retried by the client's retry plugin, and its answer is the read's", async () => {
  github.scope.get(ISSUES).reply(502, { message: "Bad Gateway" });
  github.scope.get(ISSUES).reply(503, { message: "Unavailable" });
  github.scope.get(ISSUES).reply(200, [{ number: 3 }]);

  const { data } = await listIssues();

  expect(data).toEqual([{ number: 3 }]);
  expect(throughPlugins).toEqual(["GET /repos/{owner}/{repo}/issues"]);
});

test("a connection cut before any answer goes to the whole client too", async () => {
  github.scope.get(ISSUES).replyWithError({ code: "ECONNRESET", message: "socket hang up" });
  github.scope.get(ISSUES).reply(200, []);

  await expect(listIssues()).resolves.toMatchObject({ status: 200 });
  expect(throughPlugins).toHaveLength(1);
});

test("a rate-limited answer (a secondary limit's 403, a 429) is final: sending it again at once would add to the limit", async () => {
  github.scope.get(ISSUES).reply(403, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "60" });
  github.scope.get(ISSUES).reply(429, { message: "Too many requests" });

  await expect(listIssues()).rejects.toMatchObject({ status: 403 });
  await expect(listIssues()).rejects.toMatchObject({ status: 429 });
  expect(throughPlugins).toEqual([]);
  expect(secondaryLimits).toBe(0);
});

test("a read its caller asked not to retry is sent once", async () => {
  github.scope.get(ISSUES).reply(502, { message: "Bad Gateway" });

  await expect(client().request("GET /repos/{owner}/{repo}/issues", { ...params, request: { retries: 0 } })).rejects.toMatchObject({ status: 502 });
  expect(throughPlugins).toEqual([]);
});

test("a plain 403 (no permission) is the answer", async () => {
  github.scope.get(ISSUES).reply(403, { message: "Resource not accessible by integration" });

  await expect(listIssues()).rejects.toMatchObject({ status: 403 });
  expect(throughPlugins).toEqual([]);
});

test("an unchanged resource is still read by conditional request (304) on the direct path", async () => {
  const reads = new ConditionalReads();
  const octokit = reads.apply(client(), 1);
  github.scope.get(ISSUES).reply(200, [{ number: 4 }], { etag: 'W/"v1"' });
  github.scope.get(ISSUES).matchHeader("if-none-match", 'W/"v1"').reply(304);

  await listIssues(octokit);
  const again = await listIssues(octokit);

  expect(again.data).toEqual([{ number: 4 }]);
  expect(throughPlugins).toEqual([]);
});

test("one installation has at most ten direct reads in flight; the others wait for a slot", async () => {
  const arrived: number[] = [];
  github.scope
    .get(ISSUES)
    .times(12)
    .delay(300)
    .reply(() => (arrived.push(Date.now()), [200, []]));
  const octokit = client();

  await Promise.all(Array.from({ length: 12 }, () => listIssues(octokit)));

  expect(arrived).toHaveLength(12);
  expect(arrived[9]! - arrived[0]!).toBeLessThan(250);
  expect(arrived[10]! - arrived[0]!).toBeGreaterThanOrEqual(280);
});
