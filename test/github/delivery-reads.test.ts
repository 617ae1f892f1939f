import { ProbotOctokit } from "probot";
import { askingGitHub, forgetReads, rememberReads, straightToGitHub } from "../../src/github/delivery-reads.js";
import type { Octokit } from "../../src/github/client.js";
import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Repository } from "../helpers/github-server.js";

/** One delivery's reads: asked once, and what the delivery writes is in them (not what others write). */
let github: GitHubTestServer;
let repo: Repository;
let octokit: Octokit;
const params = { owner: OWNER, repo: REPO };

beforeAll(async () => {
  github = new GitHubTestServer();
  await github.start();
});
afterAll(() => github.stop());

beforeEach(() => {
  repo = github.addRepo(OWNER, REPO, "main");
  octokit = rememberReads(newClient());
});

function newClient(): Octokit {
  return new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } }) as Octokit;
}

/** The requests `act` sent to GitHub. */
async function sent(act: () => Promise<unknown>): Promise<string[]> {
  const before = github.log.length;
  await act();
  return github.log.slice(before).map((r) => `${r.method} ${r.path.replace(`/repos/${OWNER}/${REPO}`, "")}`);
}

const thread = (issue_number: number) => octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number, per_page: 100 }).then((r) => r.data);
const issue = (issue_number: number) => octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number }).then((r) => r.data);
const labelled = (labels: string, state: "open" | "closed" | "all") => octokit.request("GET /repos/{owner}/{repo}/issues", { ...params, labels, state, per_page: 100 }).then((r) => r.data);

test("the same read twice asks GitHub once, and each caller gets its own copy", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
  github.userComment(repo, number, "bob", "first");
  expect(await sent(async () => (await thread(number))[0]!.body = "changed by a caller")).toEqual([`GET /issues/${number}/comments?per_page=100`]);
  expect(await sent(async () => expect((await thread(number)).map((c) => c.body)).toEqual(["first"]))).toEqual([]);
});

test("a comment the delivery posts is in the thread it read, and the issue counts it, without asking again", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
  github.userComment(repo, number, "bob", "first");
  await Promise.all([thread(number), issue(number), labelled("bug", "all")]);
  const posted = await sent(() => octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, body: "second" }));
  expect(posted).toEqual([`POST /issues/${number}/comments`]);
  expect(
    await sent(async () => {
      expect((await thread(number)).map((c) => c.body)).toEqual(["first", "second"]);
      expect((await issue(number)).comments).toBe(2);
    }),
  ).toEqual([]);
});

test("a comment the delivery edits reads as edited", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
  const { data: mine } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, body: "draft" });
  await thread(number);
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...params, comment_id: mine.id, body: "final" });
  expect(await sent(async () => expect((await thread(number)).map((c) => c.body)).toEqual(["final"]))).toEqual([]);
});

test("an issue the delivery opens reads by number as GitHub returned it, and joins the label lists it matches", async () => {
  github.userIssue(repo, { title: "Older merge-back", labels: ["merge-back"], login: "bob" });
  const [before, others] = await Promise.all([labelled("merge-back", "all"), labelled("rca", "all")]);
  const { data: opened } = await octokit.request("POST /repos/{owner}/{repo}/issues", { ...params, title: "Merge back 1111111", labels: ["merge-back"] });
  expect(
    await sent(async () => {
      expect((await issue(opened.number)).title).toBe("Merge back 1111111");
      expect((await labelled("merge-back", "all")).map((i) => i.number)).toEqual([opened.number, ...before.map((i) => i.number)]);
      expect(await labelled("rca", "all")).toEqual(others);
    }),
  ).toEqual([]);
});

test("an issue the delivery closes leaves the open list it was in, and reads closed", async () => {
  const number = github.userIssue(repo, { title: "Merge back", labels: ["merge-back"], login: "bob" }).number;
  expect((await labelled("merge-back", "open")).map((i) => i.number)).toEqual([number]);
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: number, state: "closed" });
  expect(
    await sent(async () => {
      expect(await labelled("merge-back", "open")).toEqual([]);
      expect((await issue(number)).state).toBe("closed");
    }),
  ).toEqual([]);
  // A list it now joins is GitHub's to order: asked again.
  expect(await sent(() => labelled("merge-back", "closed"))).toEqual(["GET /issues?labels=merge-back&state=closed&per_page=100"]);
});

test("a label the delivery adds or removes: the issue and the lists it is in or joins read as GitHub left them", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", labels: ["bug"], login: "bob" }).number;
  await Promise.all([issue(number), labelled("incident", "all"), labelled("bug", "all")]);
  const names = (labels: Array<string | { name?: string }>) => labels.map((l) => (typeof l === "string" ? l : l.name));
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...params, issue_number: number, labels: ["incident"] });
  expect(
    await sent(async () => {
      expect(names((await issue(number)).labels)).toEqual(["bug", "incident"]);
      expect((await labelled("bug", "all")).map((i) => names(i.labels))).toEqual([["bug", "incident"]]);
    }),
  ).toEqual([]);
  expect(await sent(async () => expect((await labelled("incident", "all")).map((i) => i.number)).toEqual([number]))).toEqual([]);
  await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...params, issue_number: number, name: "bug" });
  expect(await sent(async () => expect(await labelled("bug", "all")).toEqual([]))).toEqual([]);
});

test("what others write meanwhile is not seen, unless GitHub is asked again (the look again after a create)", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
  await thread(number);
  github.userComment(repo, number, "carol", "written by someone else");
  expect(await thread(number)).toEqual([]);
  expect((await askingGitHub(() => thread(number))).map((c) => c.body)).toEqual(["written by someone else"]);
  // The new answer is kept.
  expect(await sent(async () => expect(await thread(number)).toHaveLength(1))).toEqual([]);
  github.userComment(repo, number, "carol", "and another");
  forgetReads(octokit);
  expect(await thread(number)).toHaveLength(2);
});

test("a write that fails may have taken effect: every answer is asked again", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
  await thread(number);
  await expect(octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...params, comment_id: 999_999, body: "x" })).rejects.toMatchObject({ status: 404 });
  expect(await sent(() => thread(number))).toHaveLength(1);
});

test("a posted comment on a thread longer than the page read makes that thread be asked again", async () => {
  const number = github.userIssue(repo, { title: "Long incident", login: "bob" }).number;
  for (let i = 0; i < 3; i++) github.userComment(repo, number, "bob", `note ${i}`);
  const firstPage = () => octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, per_page: 2 }).then((r) => r.data);
  await firstPage();
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, body: "latest" });
  expect(await sent(firstPage)).toHaveLength(1);
});

test("a write this view cannot fold in (a deployment, a check run) forgets what it touches", async () => {
  github.commit(repo, "a".repeat(40), null, "main");
  const deployments = () => octokit.request("GET /repos/{owner}/{repo}/deployments", { ...params, environment: "production", per_page: 5 });
  await deployments();
  await octokit.request("POST /repos/{owner}/{repo}/deployments", { ...params, ref: "a".repeat(40), environment: "production", required_contexts: [] });
  expect(await sent(deployments)).toHaveLength(1);
});

test("each delivery has its own view", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
  await thread(number);
  const another = rememberReads(newClient());
  expect(await sent(() => another.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: number, per_page: 100 }))).toHaveLength(1);
});

test("the same URL in another media type is another answer; a body read as a stream is never kept", async () => {
  const sha = "c".repeat(40);
  github.commit(repo, sha, null, "main", "Retry charges", "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-a\n+b\n");
  const json = () => octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref: sha }).then((r) => r.data);
  const diff = async () => {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...params, ref: sha, mediaType: { format: "diff" }, request: { parseSuccessResponseBody: false } });
    return new Response(data as unknown as ReadableStream).text();
  };
  expect((await json()).sha).toBe(sha);
  expect(await diff()).toContain("diff --git a/pay.js b/pay.js");
  expect(await sent(async () => expect((await json()).sha).toBe(sha))).toEqual([]);
  expect(await sent(diff)).toEqual([`GET /commits/${sha}`]);
});

test("what goes straight to GitHub (a gate's decision) is neither answered from the view nor kept in it", async () => {
  const number = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
  await thread(number);
  github.userComment(repo, number, "carol", "written meanwhile");
  expect(await sent(async () => expect(await straightToGitHub(() => thread(number))).toHaveLength(1))).toHaveLength(1);
  // The view still holds what it read before: the straight read left it as it was.
  expect(await sent(async () => expect(await thread(number)).toEqual([]))).toEqual([]);
});

/** Every open issue with `labels`, all pages, as `o` reads them. */
async function allOpen(o: Octokit, labels: string): Promise<number[]> {
  const out: number[] = [];
  for await (const { data } of o.paginate.iterator("GET /repos/{owner}/{repo}/issues", { ...params, labels, state: "open", per_page: 100 })) out.push(...data.map((i) => i.number));
  return out;
}

test("an issue that leaves the first page of a longer list: the one moving up from the next page is not lost", async () => {
  for (let i = 0; i < 101; i++) github.userIssue(repo, { title: `item ${i}`, labels: ["merge-back"], login: "bob" });
  const before = await allOpen(octokit, "merge-back");
  expect(before).toHaveLength(101);
  const target = before[5]!;
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: target, state: "closed" });
  const truth = await allOpen(newClient(), "merge-back");
  const folded = await allOpen(octokit, "merge-back");
  expect(truth).toHaveLength(100);
  expect(folded).toEqual(truth);
});

test("the same when it leaves by a label taken off", async () => {
  for (let i = 0; i < 101; i++) github.userIssue(repo, { title: `item ${i}`, labels: ["merge-back"], login: "bob" });
  const before = await allOpen(octokit, "merge-back");
  await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...params, issue_number: before[0]!, name: "merge-back" });
  expect(await allOpen(octokit, "merge-back")).toEqual(await allOpen(newClient(), "merge-back"));
});

test("the repository's comments (how records since a moment are read) show a comment the delivery posted", async () => {
  const n = github.userIssue(repo, { title: "inc", login: "bob" }).number;
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const list = (o: Octokit) => o.request("GET /repos/{owner}/{repo}/issues/comments", { ...params, since, sort: "created", direction: "desc", per_page: 100, page: 1 }).then((r) => r.data.map((c) => c.body));
  await list(octokit);
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: n, body: "grant record" });
  expect(await list(octokit)).toEqual(await list(newClient()));
});

test("a comment the delivery posts makes an older issue join a list of issues updated since a moment", async () => {
  const n = github.userIssue(repo, { title: "old", labels: ["rca"], login: "bob" }).number;
  await new Promise((r) => setTimeout(r, 1100));
  const since = new Date().toISOString();
  const list = (o: Octokit) => o.request("GET /repos/{owner}/{repo}/issues", { ...params, labels: "rca", state: "all", since, per_page: 100 }).then((r) => r.data.map((i) => i.number));
  expect(await list(octokit)).toEqual([]);
  await new Promise((r) => setTimeout(r, 1100));
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: n, body: "x" });
  expect(await list(octokit)).toEqual(await list(newClient()));
});

test("labels asked with spaces after the commas are read as GitHub reads them", async () => {
  const n = github.userIssue(repo, { title: "a", labels: ["incident"], login: "bob" }).number;
  const list = (o: Octokit) => o.request("GET /repos/{owner}/{repo}/issues", { ...params, labels: "incident, sev1", state: "all", per_page: 100 }).then((r) => r.data.map((i) => i.number));
  expect(await list(octokit)).toEqual([]);
  await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: n });
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...params, issue_number: n, labels: ["sev1"] });
  expect(await list(octokit)).toEqual(await list(newClient()));
});

test("label names in another case, with spaces, taken off by their encoded name", async () => {
  const n = github.userIssue(repo, { title: "a", labels: ["Needs RCA", "incident"], login: "bob" }).number;
  const list = (o: Octokit) => o.request("GET /repos/{owner}/{repo}/issues", { ...params, labels: "needs rca", state: "open", per_page: 100 }).then((r) => r.data.map((i) => i.number));
  expect(await list(octokit)).toEqual([n]);
  await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...params, issue_number: n, name: "needs RCA" });
  expect(await list(octokit)).toEqual(await list(newClient()));
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...params, issue_number: n, labels: ["NEEDS rca"] });
  expect(await list(octokit)).toEqual(await list(newClient()));
});

test("a new issue joins a list in GitHub's order, also among issues opened the same second", async () => {
  for (let i = 0; i < 3; i++) github.userIssue(repo, { title: `x${i}`, labels: ["incident"], login: "bob" });
  const list = (o: Octokit) => o.request("GET /repos/{owner}/{repo}/issues", { ...params, labels: "incident", state: "all", per_page: 100 }).then((r) => r.data.map((i) => i.number));
  await list(octokit);
  await octokit.request("POST /repos/{owner}/{repo}/issues", { ...params, title: "new", labels: ["incident"] });
  expect(await list(octokit)).toEqual(await list(newClient()));
});

