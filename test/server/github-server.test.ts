import { ProbotOctokit } from "probot";
import { example, OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Repository } from "../helpers/github-server.js";
import { shapeProblems, webhookShapeProblems } from "../helpers/github-server/shapes.js";

// The loopback GitHub must answer like GitHub: the shapes of its OpenAPI description, its
// pagination, its identities and its quirks, or tests built on it prove nothing.
const MAIN_1 = "1".repeat(40);
const MAIN_2 = "2".repeat(40);
const SIDE = "3".repeat(40);
const MERGE = "4".repeat(40);
const TWIN_A = "abcdef1" + "a".repeat(33);
const TWIN_B = "abcdef1" + "b".repeat(33);
const DIFF = [
  "diff --git a/app.ts b/app.ts",
  "index 83db48f..bf269f4 100644",
  "--- a/app.ts",
  "+++ b/app.ts",
  "@@ -1,2 +1,2 @@",
  " const a = 1;",
  "-const b = 2;",
  "+const b = 3;",
  "",
].join("\n");

let github: GitHubTestServer;
let repo: Repository;
let octokit: InstanceType<typeof ProbotOctokit>;
let now: Date;
const params = { owner: OWNER, repo: REPO };

beforeEach(async () => {
  github = new GitHubTestServer({ appId: 4242 });
  await github.start();
  now = new Date("2024-05-01T10:00:00Z");
  github.clock = { now: () => now };
  repo = github.addRepo(OWNER, REPO, "main");
  octokit = new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

const later = (minutes: number) => (now = new Date(now.getTime() + minutes * 60_000));

describe("issues", () => {
  test("an issue the app opens is the app's bot's, numbered after the PRs and issues before it, in GitHub's shape", async () => {
    github.userIssue(repo, { title: "first", login: "octocat" });
    github.addPull(repo, { head: "feature", base: "main", commits: [] });
    const res = await octokit.request("POST /repos/{owner}/{repo}/issues", { ...params, title: "Incident", body: "db down", labels: ["incident"] });
    expect(res.status).toBe(201);
    expect(shapeProblems("POST /repos/{owner}/{repo}/issues", 201, res.data)).toEqual([]);
    expect(res.data).toMatchObject({
      number: 3,
      state: "open",
      title: "Incident",
      body: "db down",
      html_url: `https://github.com/${OWNER}/${REPO}/issues/3`,
      created_at: "2024-05-01T10:00:00Z",
      user: { login: "mainline[bot]", id: 9000, type: "Bot" },
      performed_via_github_app: { id: 4242, slug: "mainline", name: "mainline" },
      labels: [{ name: "incident" }],
    });
  });

  test("without the installation token, writing is refused with 401", async () => {
    const anonymous = new ProbotOctokit({ auth: { token: "ghs_other" }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
    await expect(anonymous.request("POST /repos/{owner}/{repo}/issues", { ...params, title: "x" })).rejects.toMatchObject({ status: 401 });
    expect(repo.issues.size).toBe(0);
  });

  test("listing filters by state, every label (any case) and since, newest first unless direction=asc", async () => {
    github.userIssue(repo, { title: "old incident", labels: ["Incident", "sev1"], login: "octocat" });
    later(60);
    const second = github.userIssue(repo, { title: "merge-back", labels: ["merge-back"], login: "octocat" });
    later(60);
    github.userIssue(repo, { title: "new incident", labels: ["incident"], login: "octocat" });
    github.userClose(repo, second.number, "octocat");

    const titles = async (query: Record<string, string>) =>
      (await octokit.request("GET /repos/{owner}/{repo}/issues", { ...params, ...query })).data.map((i) => i.title);
    expect(await titles({})).toEqual(["new incident", "old incident"]);
    expect(await titles({ state: "all" })).toEqual(["new incident", "merge-back", "old incident"]);
    expect(await titles({ state: "closed" })).toEqual(["merge-back"]);
    expect(await titles({ labels: "INCIDENT" })).toEqual(["new incident", "old incident"]);
    expect(await titles({ labels: "incident,sev1" })).toEqual(["old incident"]);
    expect(await titles({ state: "all", since: "2024-05-01T11:00:00Z" })).toEqual(["new incident", "merge-back"]);
    expect(await titles({ state: "all", direction: "asc" })).toEqual(["old incident", "merge-back", "new incident"]);
  });

  test("a long list comes in pages with a Link header that octokit.paginate follows", async () => {
    for (let i = 1; i <= 7; i++) github.userIssue(repo, { title: `issue ${i}`, login: "octocat" });
    const first = await octokit.request("GET /repos/{owner}/{repo}/issues", { ...params, per_page: 3 });
    expect(first.data.map((i) => i.number)).toEqual([7, 6, 5]);
    // As api.github.com does, the pages name the repository by its id; such a URL is served as the repository's own.
    expect(first.headers.link).toBe(
      `<${github.apiBase}/repositories/${repo.id}/issues?per_page=3&page=2>; rel="next", <${github.apiBase}/repositories/${repo.id}/issues?per_page=3&page=3>; rel="last"`,
    );
    expect(shapeProblems("GET /repos/{owner}/{repo}/issues", 200, first.data)).toEqual([]);
    const all = await octokit.paginate("GET /repos/{owner}/{repo}/issues", { ...params, per_page: 3 });
    expect(all.map((i) => i.number)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(github.calls().slice(-3)).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues?per_page=3`,
      `GET /repos/${OWNER}/${REPO}/issues?per_page=3&page=2`,
      `GET /repos/${OWNER}/${REPO}/issues?per_page=3&page=3`,
    ]);
  });

  test("closing stamps closed_at, closed_by and the reason; reopening clears them", async () => {
    const { number } = github.userIssue(repo, { title: "Incident", login: "octocat" });
    later(5);
    const closed = await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: number, state: "closed", state_reason: "not_planned" });
    expect(shapeProblems("PATCH /repos/{owner}/{repo}/issues/{issue_number}", 200, closed.data)).toEqual([]);
    expect(closed.data).toMatchObject({
      state: "closed",
      state_reason: "not_planned",
      closed_at: "2024-05-01T10:05:00Z",
      updated_at: "2024-05-01T10:05:00Z",
      closed_by: { login: "mainline[bot]" },
      user: { login: "octocat", type: "User" },
      performed_via_github_app: null,
    });
    const reopened = await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: number, state: "open", title: "Incident: db" });
    expect(reopened.data).toMatchObject({ state: "open", state_reason: "reopened", closed_at: null, closed_by: null, title: "Incident: db" });
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: number });
    expect(data).toEqual(reopened.data);
  });

  test("labels are added to the ones there, matched case-insensitively, and removing one that is absent is 404", async () => {
    const { number } = github.userIssue(repo, { title: "x", labels: ["Incident"], login: "octocat" });
    const added = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...params, issue_number: number, labels: ["incident", "rca"] });
    expect(added.status).toBe(200);
    expect(added.data.map((l) => l.name)).toEqual(["Incident", "rca"]);
    expect(shapeProblems("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", 200, added.data)).toEqual([]);
    const left = await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...params, issue_number: number, name: "incident" });
    expect(left.data.map((l) => l.name)).toEqual(["rca"]);
    await expect(
      octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...params, issue_number: number, name: "incident" }),
    ).rejects.toMatchObject({ status: 404, message: expect.stringContaining("Label does not exist") });
  });

  test("an unknown issue is 404", async () => {
    await expect(octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: 99 })).rejects.toMatchObject({ status: 404 });
  });
});

describe("comments and reactions", () => {
  test("comments list oldest first in pages, filtered by since; the app's are the bot's, a person's are theirs", async () => {
    const { number } = github.userIssue(repo, { title: "Incident", login: "octocat" });
    const person = github.userComment(repo, number, "alice", "/incident");
    later(10);
    const app = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, body: "ledger" });
    expect(app.status).toBe(201);
    expect(shapeProblems("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", 201, app.data)).toEqual([]);
    expect(app.data).toMatchObject({
      user: { login: "mainline[bot]", type: "Bot" },
      performed_via_github_app: { id: 4242, slug: "mainline" },
      html_url: `https://github.com/${OWNER}/${REPO}/issues/${number}#issuecomment-${app.data.id}`,
      created_at: "2024-05-01T10:10:00Z",
    });
    expect(person).toMatchObject({ body: "/incident", user: { login: "alice", type: "User" }, performed_via_github_app: null });

    const all = await octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, per_page: 1 });
    expect(all.map((c) => c.body)).toEqual(["/incident", "ledger"]);
    expect(shapeProblems("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", 200, all)).toEqual([]);
    const recent = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, since: "2024-05-01T10:05:00Z" });
    expect(recent.data.map((c) => c.body)).toEqual(["ledger"]);
    const issue = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: number });
    expect(issue.data).toMatchObject({ comments: 2, updated_at: "2024-05-01T10:10:00Z" });
  });

  test("a comment can be read, edited in place and deleted", async () => {
    const { number } = github.userIssue(repo, { title: "Incident", login: "octocat" });
    const { data: created } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, body: "v1" });
    later(1);
    const edited = await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...params, comment_id: created.id, body: "v2" });
    expect(edited.data).toMatchObject({ id: created.id, body: "v2", created_at: "2024-05-01T10:00:00Z", updated_at: "2024-05-01T10:01:00Z" });
    const read = await octokit.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...params, comment_id: created.id });
    expect(read.data).toEqual(edited.data);
    expect(shapeProblems("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", 200, read.data)).toEqual([]);
    const deleted = await octokit.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...params, comment_id: created.id });
    expect(deleted.status).toBe(204);
    await expect(octokit.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...params, comment_id: created.id })).rejects.toMatchObject({ status: 404 });
  });

  test("a reaction is 201 the first time and 200 with the same reaction when repeated, as on GitHub", async () => {
    const { number } = github.userIssue(repo, { title: "Incident", login: "octocat" });
    const comment = github.userComment(repo, number, "alice", "/hotfix allow abc1234 -- db");
    const react = () => octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...params, comment_id: comment.id, content: "+1" });
    const first = await react();
    const second = await react();
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.data).toEqual(first.data);
    expect(first.data).toMatchObject({ content: "+1", user: { login: "mainline[bot]" } });
    expect(shapeProblems("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", 201, first.data)).toEqual([]);
    const read = await octokit.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...params, comment_id: comment.id });
    expect(read.data.reactions).toMatchObject({ total_count: 1, "+1": 1 });
    const listed = await octokit.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...params, comment_id: comment.id, content: "+1" });
    expect(listed.data.map((r) => r.id)).toEqual([first.data.id]);
  });
});

describe("what the user* helpers return fits GitHub's webhook payloads", () => {
  const newIssue = () => github.userIssue(repo, { title: "Incident", body: "db", labels: ["incident"], login: "octocat" });
  test.each([
    ["issue", "userIssue", () => newIssue()],
    ["issue-comment", "userComment", () => github.userComment(repo, newIssue().number, "alice", "/incident")],
    ["issue-comment", "userEditComment", () => github.userEditComment(repo, github.userComment(repo, newIssue().number, "alice", "/incident").id, "/incident close")],
    ["issue", "issueForWebhook", () => github.issueForWebhook(repo, newIssue().number)],
    ["issue", "userClose", () => github.userClose(repo, newIssue().number, "alice")],
    ["issue", "userReopen", () => github.userReopen(repo, github.userClose(repo, newIssue().number, "alice").number, "alice")],
    ["issue", "userLabel (issue)", () => github.userLabel(repo, newIssue().number, "alice", "merge-back").issue],
    ["label", "userLabel (label)", () => github.userLabel(repo, newIssue().number, "alice", "merge-back").label],
    ["deployment", "addDeployment", () => github.addDeployment(repo, { sha: MAIN_1, creator: "deployer" })],
  ] as Array<[string, string, () => unknown]>)("a webhook %s: what %s returns", (definition, _helper, made) => {
    expect(webhookShapeProblems(definition, made())).toEqual([]);
  });

  test("push: the branch moves and the payload lists the pushed commits", () => {
    github.commit(repo, MAIN_1, null, "main");
    const pushed = github.push(repo, "main", [
      { sha: MAIN_2, message: "fix: db", diff: DIFF },
      { sha: MERGE, parents: [MAIN_2, SIDE], message: "Merge hotfix" },
    ]);
    expect(repo.branches.get("main")).toBe(MERGE);
    expect(pushed).toMatchObject({
      ref: "refs/heads/main",
      before: MAIN_1,
      after: MERGE,
      created: false,
      forced: false,
      head_commit: { id: MERGE, message: "Merge hotfix" },
    });
    expect(pushed.commits[0]).toMatchObject({ id: MAIN_2, distinct: true, modified: ["app.ts"], timestamp: "2024-05-01T10:00:00Z", url: `https://github.com/${OWNER}/${REPO}/commit/${MAIN_2}` });
    expect(webhookShapeProblems("push$event", { ...example<Record<string, unknown>>("push"), ...pushed })).toEqual([]);
  });
});

describe("permissions", () => {
  test.each([
    ["admin", "admin"],
    ["maintain", "write"],
    ["write", "write"],
    ["triage", "read"],
    ["read", "read"],
  ] as const)("role %s reads as permission %s, role_name keeping the role", async (role, permission) => {
    github.setRole(repo, "alice", role);
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...params, username: "alice" });
    expect(data).toMatchObject({ permission, role_name: role, user: { login: "alice" } });
    expect(shapeProblems("GET /repos/{owner}/{repo}/collaborators/{username}/permission", 200, data)).toEqual([]);
  });

  test("a login GitHub does not know is 404 'is not a user'; a known person without a role reads (public repository)", async () => {
    await expect(octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...params, username: "ghost" })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining("ghost is not a user"),
    });
    github.userComment(repo, github.userIssue(repo, { title: "x", login: "bob" }).number, "bob", "hi");
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...params, username: "bob" });
    expect(data).toMatchObject({ permission: "read", role_name: "read" });
  });
});

describe("commits", () => {
  beforeEach(() => {
    github.commit(repo, MAIN_1, null, "main", "root");
    later(1);
    github.commit(repo, SIDE, MAIN_1, "hotfix/db", "fix: db\n\nthe fix", DIFF);
    later(1);
    github.commit(repo, MAIN_2, MAIN_1, "main", "feat: x");
    later(1);
    github.merge(repo, MERGE, [MAIN_2, SIDE], "main", "Merge hotfix/db");
  });

  test("a commit reads by full sha, branch or unique short sha, and as a diff with the diff media type", async () => {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref: SIDE.slice(0, 7) });
    expect(shapeProblems("GET /repos/{owner}/{repo}/commits/{ref}", 200, data)).toEqual([]);
    expect(data).toMatchObject({
      sha: SIDE,
      html_url: `https://github.com/${OWNER}/${REPO}/commit/${SIDE}`,
      commit: { message: "fix: db\n\nthe fix", author: { date: "2024-05-01T10:01:00Z" } },
      parents: [{ sha: MAIN_1 }],
      files: [{ filename: "app.ts", status: "modified", additions: 1, deletions: 1 }],
    });
    expect((await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref: "main" })).data.parents.map((p) => p.sha)).toEqual([MAIN_2, SIDE]);
    const diff = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref: SIDE, mediaType: { format: "diff" } });
    expect(diff.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(diff.data).toBe(DIFF);
  });

  test.each([
    ["an unknown sha", "9".repeat(40)],
    ["an ambiguous short sha", "abcdef1"],
    ["a sha shorter than 7", SIDE.slice(0, 6)],
  ])("%s is 422 'No commit found for SHA'", async (_name, ref) => {
    github.commit(repo, TWIN_A, MERGE);
    github.commit(repo, TWIN_B, MERGE);
    await expect(octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining(`No commit found for SHA: ${ref}`),
    });
  });

  test("history lists what a ref reaches, newest first, children before parents, in pages", async () => {
    const shas = async (query: Record<string, string | number>) =>
      (await octokit.paginate("GET /repos/{owner}/{repo}/commits", { ...params, per_page: 2, ...query })).map((c) => c.sha);
    expect(await shas({})).toEqual([MERGE, MAIN_2, SIDE, MAIN_1]);
    expect(await shas({ sha: "hotfix/db" })).toEqual([SIDE, MAIN_1]);
    expect(await shas({ sha: MAIN_2.slice(0, 7) })).toEqual([MAIN_2, MAIN_1]);
    expect(await shas({ since: "2024-05-01T10:02:00Z" })).toEqual([MERGE, MAIN_2]);
    const page = await octokit.request("GET /repos/{owner}/{repo}/commits", { ...params, per_page: 2 });
    expect(page.headers.link).toContain('rel="next"');
    expect(shapeProblems("GET /repos/{owner}/{repo}/commits", 200, page.data)).toEqual([]);
  });

  test("the pull requests of a commit are those that carry it or merged as it", async () => {
    const pull = github.addPull(repo, { head: "hotfix/db", base: "main", commits: [SIDE], merged_at: "2024-05-01T10:03:00Z", merge_commit_sha: MERGE, login: "alice" });
    github.addPull(repo, { head: "other", base: "main", commits: [MAIN_2] });
    for (const sha of [SIDE, MERGE]) {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { ...params, commit_sha: sha });
      expect(data.map((p) => p.number)).toEqual([pull.number]);
      expect(data[0]).toMatchObject({ merged_at: "2024-05-01T10:03:00Z", merge_commit_sha: MERGE, state: "closed", head: { ref: "hotfix/db", sha: SIDE }, base: { ref: "main" } });
      expect(shapeProblems("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", 200, data)).toEqual([]);
    }
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { ...params, commit_sha: MAIN_1 });
    expect(data).toEqual([]);
  });

  test("compare still answers the gate's question, now with short shas too", async () => {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { ...params, basehead: `main...${SIDE.slice(0, 7)}`, per_page: 1 });
    expect(data).toMatchObject({ status: "behind", ahead_by: 0, behind_by: 2, base_commit: { sha: MERGE } });
    expect(shapeProblems("GET /repos/{owner}/{repo}/compare/{basehead}", 200, data)).toEqual([]);
  });
});

describe("deployments", () => {
  test("deployments list newest first, filtered by environment and sha; statuses read and write the same model", async () => {
    const first = github.addDeployment(repo, { sha: MAIN_1, environment: "production" });
    github.addDeployment(repo, { sha: MAIN_2, environment: "staging" });
    const third = github.addDeployment(repo, { id: 77, sha: MAIN_2, environment: "production" });
    const ids = async (query: Record<string, string>) =>
      (await octokit.request("GET /repos/{owner}/{repo}/deployments", { ...params, ...query })).data.map((d) => d.id);
    expect(await ids({ environment: "production" })).toEqual([first.id, 77].sort((a, b) => b - a));
    expect(await ids({ sha: MAIN_2, environment: "production" })).toEqual([77]);
    const one = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}", { ...params, deployment_id: 77 });
    expect(one.data).toEqual(third);
    expect(shapeProblems("GET /repos/{owner}/{repo}/deployments/{deployment_id}", 200, one.data)).toEqual([]);

    later(2);
    const posted = await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...params, deployment_id: 77, state: "failure", description: "Refused", log_url: "https://example.com/why" });
    expect(posted.status).toBe(201);
    expect(shapeProblems("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", 201, posted.data)).toEqual([]);
    expect(posted.data).toMatchObject({ state: "failure", environment: "production", target_url: "https://example.com/why", creator: { login: "mainline[bot]" } });
    expect(repo.deploymentStatuses.get(77)?.[0]).toMatchObject({ state: "failure", description: "Refused" });
    const listed = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...params, deployment_id: 77 });
    expect(listed.data).toEqual([posted.data]);
    expect((await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}", { ...params, deployment_id: 77 })).data.updated_at).toBe("2024-05-01T10:02:00Z");
  });
});

describe("faults and latency", () => {
  test("fail() answers matching requests until lifted; latencyMs delays every answer", async () => {
    const lift = github.fail((method, path) => method === "GET" && path.startsWith(`/repos/${OWNER}/${REPO}/issues`), { status: 502, body: { message: "Bad Gateway" } });
    await expect(octokit.request("GET /repos/{owner}/{repo}/issues", params)).rejects.toMatchObject({ status: 502 });
    lift();
    github.latencyMs = 50;
    const started = Date.now();
    await octokit.request("GET /repos/{owner}/{repo}/issues", params);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe("conditional requests", () => {
  const issues = (headers: Record<string, string> = {}, client = octokit) => client.request("GET /repos/{owner}/{repo}/issues", { ...params, headers });

  test("a GET answered 200 carries an ETag; sent back in If-None-Match it is answered 304 with no body until the resource changes", async () => {
    github.userIssue(repo, { title: "first", login: "octocat" });
    const first = await issues();
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);

    await expect(issues({ "if-none-match": etag })).rejects.toMatchObject({ status: 304, response: { data: "" } });
    github.userIssue(repo, { title: "second", login: "octocat" });
    const changed = await issues({ "if-none-match": etag });

    expect(changed.status).toBe(200);
    expect(changed.data.map((issue) => issue.title)).toEqual(["second", "first"]);
    expect(changed.headers.etag).not.toBe(etag);
    expect(github.log.map((r) => r.status)).toEqual([200, 304, 200]);
  });

  test("like GitHub's, the ETag belongs to the token: another token gets the full answer", async () => {
    const etag = (await issues()).headers.etag!;
    const other = new ProbotOctokit({ auth: { token: "ghs_other" }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
    expect((await issues({ "if-none-match": etag }, other)).status).toBe(200);
  });

  test("a 404 carries no ETag: an absent file is asked for in full every time", async () => {
    const read = () => octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...params, path: ".github/mainline.yml" });
    const absent: unknown = await read().catch((error: unknown) => error);
    expect(absent).toMatchObject({ status: 404 });
    expect((absent as { response: { headers: object } }).response.headers).not.toHaveProperty("etag");
    repo.files.set(".github/mainline.yml", "mode: shadow\n");
    expect((await read()).headers.etag).toMatch(/^W\//);
  });
});
