import nock from "nock";
import { ProbotOctokit } from "probot";
import { ConditionalReads } from "../../src/github/conditional-reads.js";
import { mockGitHub } from "../helpers/github-mock.js";

// Every GET an installation's client repeats is sent with the ETag of its last answer; GitHub
// answers 304 when nothing changed, which it does not count against the rate limit.
const ISSUES = "/repos/Codertocat/Hello-World/issues";
const CONFIG = "/repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml";
const ORG_CONFIG = "/repos/Codertocat/.github/contents/.github%2Fmainline.yml";
const params = { owner: "Codertocat", repo: "Hello-World" };

let reads: ConditionalReads;
let github: ReturnType<typeof mockGitHub>;
/** The If-None-Match each request carried, in order ("" for none). */
let sent: string[];

const client = (installation = 2) => reads.apply(new ProbotOctokit({ auth: { token: `ghs_${installation}` }, throttle: { enabled: false }, retry: { enabled: false } }), installation);
const listIssues = (octokit = client()) => octokit.request("GET /repos/{owner}/{repo}/issues", params);

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  reads = new ConditionalReads();
  github = mockGitHub();
  sent = [];
  github.scope.on("request", (req: { headers: Record<string, string | undefined> }) => sent.push(req.headers["if-none-match"] ?? ""));
});
afterEach(() => {
  github.done();
  nock.cleanAll();
});

test("a GET read again sends the ETag it was answered with, and a 304 gives the caller the same data as a 200", async () => {
  github.scope.get(ISSUES).reply(200, [{ number: 1, title: "db down" }], { etag: 'W/"v1"' });
  github.scope.get(ISSUES).matchHeader("if-none-match", 'W/"v1"').reply(304);
  const octokit = client();

  const first = await listIssues(octokit);
  first.data[0]!.title = "changed by the caller";
  const second = await listIssues(octokit);

  expect(second).toMatchObject({ status: 200, data: [{ number: 1, title: "db down" }], headers: { etag: 'W/"v1"' } });
  expect(sent).toEqual(["", 'W/"v1"']);
});

test("Probot's config.get reads an unchanged .github/mainline.yml by conditional request", async () => {
  const raw = { "content-type": "text/plain; charset=utf-8" };
  github.scope.get(CONFIG).reply(200, "mode: shadow\n", { ...raw, etag: 'W/"c1"' });
  github.scope.get(CONFIG).matchHeader("if-none-match", 'W/"c1"').reply(304);
  const octokit = client();
  const read = () => octokit.config.get({ ...params, path: ".github/mainline.yml" });

  await read();
  const { config } = await read();

  expect(config).toEqual({ mode: "shadow" });
  expect(sent).toEqual(["", 'W/"c1"']);
});

test("a changed resource is answered 200 with a new ETag, which replaces the one remembered", async () => {
  github.scope.get(ISSUES).reply(200, [{ number: 1 }], { etag: 'W/"v1"' });
  github.scope.get(ISSUES).matchHeader("if-none-match", 'W/"v1"').reply(200, [{ number: 2 }, { number: 1 }], { etag: 'W/"v2"' });
  github.scope.get(ISSUES).matchHeader("if-none-match", 'W/"v2"').reply(304);
  const octokit = client();

  await listIssues(octokit);
  const changed = await listIssues(octokit);
  const again = await listIssues(octokit);

  expect(changed.data).toEqual([{ number: 2 }, { number: 1 }]);
  expect(again.data).toEqual([{ number: 2 }, { number: 1 }]);
  expect(sent).toEqual(["", 'W/"v1"', 'W/"v2"']);
});

test("an error is passed to the caller, never remembered, and never answered from what was remembered", async () => {
  github.scope.get(CONFIG).reply(404, { message: "Not Found" }, { etag: 'W/"404"' });
  github.scope.get(CONFIG).reply(200, "mode: enforce\n", { "content-type": "text/plain; charset=utf-8", etag: 'W/"c1"' });
  github.scope.get(CONFIG).matchHeader("if-none-match", 'W/"c1"').reply(502, { message: "Bad Gateway" });
  github.scope.get(CONFIG).matchHeader("if-none-match", 'W/"c1"').reply(304);
  const octokit = client();
  const read = () => octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...params, path: ".github/mainline.yml" });

  await expect(read()).rejects.toMatchObject({ status: 404 });
  expect((await read()).data).toBe("mode: enforce\n");
  await expect(read()).rejects.toMatchObject({ status: 502 });
  expect((await read()).data).toBe("mode: enforce\n");

  expect(sent).toEqual(["", "", 'W/"c1"', 'W/"c1"']);
});

test("a 200 without an ETag is not remembered, and forgets the one before it", async () => {
  github.scope.get(ISSUES).reply(200, [], { etag: 'W/"v1"' });
  github.scope.get(ISSUES).matchHeader("if-none-match", 'W/"v1"').reply(200, [{ number: 1 }]);
  github.scope.get(ISSUES).reply(200, [{ number: 1 }]);
  const octokit = client();

  for (let i = 0; i < 3; i++) await listIssues(octokit);

  expect(sent).toEqual(["", 'W/"v1"', ""]);
});

test("installations do not share what they read: each asks in full the first time", async () => {
  github.scope.get(ISSUES).times(2).reply(200, [], { etag: 'W/"v1"' });
  github.scope.get(ISSUES).matchHeader("if-none-match", 'W/"v1"').reply(304);
  const first = client(2);

  await listIssues(first);
  await listIssues(client(3));
  await listIssues(client(2));

  expect(sent).toEqual(["", "", 'W/"v1"']);
});

test("another media type of the same URL is another resource", async () => {
  const commit = "/repos/Codertocat/Hello-World/commits/abc1234";
  github.scope.get(commit).reply(200, { sha: "abc1234" }, { etag: 'W/"json"' });
  github.scope.get(commit).reply(200, "diff --git a/x b/x\n", { "content-type": "text/plain; charset=utf-8", etag: 'W/"diff"' });
  const octokit = client();

  await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref: "abc1234" });
  const diff = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref: "abc1234", mediaType: { format: "diff" } });

  expect(diff.data).toBe("diff --git a/x b/x\n");
  expect(sent).toEqual(["", ""]);
});

test("writes are sent as they are, and their answers are not remembered", async () => {
  github.scope.post(ISSUES).reply(201, { number: 7 }, { etag: 'W/"created"' });
  github.scope.get(ISSUES).reply(200, [{ number: 7 }], { etag: 'W/"v1"' });
  github.scope.patch(`${ISSUES}/7`).reply(200, { number: 7, state: "closed" }, { etag: 'W/"patched"' });
  github.scope.patch(`${ISSUES}/7`).reply(200, { number: 7, state: "closed" });
  const octokit = client();

  await octokit.request("POST /repos/{owner}/{repo}/issues", { ...params, title: "db down" });
  await listIssues(octokit);
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: 7, state: "closed" });
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: 7, state: "closed" });

  expect(sent).toEqual(["", "", "", ""]);
});

test("a list read again page by page through 304s is the same list (the caller's normalising does not touch what is remembered)", async () => {
  const repositories = "/installation/repositories?per_page=100";
  const page = { total_count: 1, repositories: [{ id: 1, name: "Hello-World" }] };
  github.scope.get(repositories).reply(200, page, { etag: 'W/"r1"' });
  github.scope.get(repositories).matchHeader("if-none-match", 'W/"r1"').times(2).reply(304);
  const octokit = client();
  const list = () => octokit.paginate("GET /installation/repositories", { per_page: 100 });

  const first = await list();
  expect(await list()).toEqual(first);
  expect(await list()).toEqual([{ id: 1, name: "Hello-World" }]);
  expect(sent).toEqual(["", 'W/"r1"', 'W/"r1"']);
});

test("past its size bound an older answer is forgotten, and read in full again", async () => {
  reads = new ConditionalReads(400);
  const body = "x".repeat(100);
  github.scope.get(CONFIG).reply(200, body, { "content-type": "text/plain; charset=utf-8", etag: 'W/"repo"' });
  github.scope.get(ORG_CONFIG).reply(200, body, { "content-type": "text/plain; charset=utf-8", etag: 'W/"org"' });
  github.scope.get(ORG_CONFIG).matchHeader("if-none-match", 'W/"org"').reply(304);
  github.scope.get(CONFIG).reply(200, body, { "content-type": "text/plain; charset=utf-8", etag: 'W/"repo"' });
  const octokit = client();
  const read = (repo: string) => octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "Codertocat", repo, path: ".github/mainline.yml" });

  await read("Hello-World");
  await read(".github");
  await read(".github");
  await read("Hello-World");

  expect(sent).toEqual(["", "", 'W/"org"', ""]);
});

test("the org .github repository's config is remembered apart from the repository's", async () => {
  github.scope.get(CONFIG).reply(404);
  github.scope.get(ORG_CONFIG).reply(200, "mode: shadow\n", { "content-type": "text/plain; charset=utf-8", etag: 'W/"org"' });
  github.scope.get(CONFIG).reply(404);
  github.scope.get(ORG_CONFIG).matchHeader("if-none-match", 'W/"org"').reply(304);
  const octokit = client();
  const read = () => octokit.config.get({ ...params, path: ".github/mainline.yml" });

  await read();
  const { config } = await read();

  expect(config).toEqual({ mode: "shadow" });
  expect(sent).toEqual(["", "", "", 'W/"org"']);
});
