import { ProbotOctokit } from "probot";
import { mainHistory } from "../../src/github/main-history.js";
import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Repository } from "../helpers/github-server.js";

/**
 * Main's history with GitHub's line counts, and S's, as the close gate reads it: one GraphQL query
 * a page of 100 commits (each checked against GitHub's schema by the loopback GitHub), the counts
 * those of the REST commit's `stats`, filtered on the commit's date like REST's `since`.
 */
const sha = (n: number) => n.toString(16).padStart(40, "0");
const S = "5".repeat(40);
const ROOT = sha(1);
const SINCE = "2026-11-20T00:00:00.000Z";
/** One line out, two in: 2 added, 1 removed. */
const DIFF = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1,2 @@\n-charge()\n+charge()\n+retry()\n";
/** A line that reads like a file header inside a hunk is a changed line all the same. */
const DIFF_OF_S = "diff --git a/a.md b/a.md\n--- a/a.md\n+++ b/a.md\n@@ -1,2 +1 @@\n--- a\n-b\n+++ c\n";

let github: GitHubTestServer;
let repo: Repository;
let now: Date;
const client = () => ({
  octokit: new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } }),
  owner: OWNER,
  repo: REPO,
  repoId: repo.id,
});

beforeEach(async () => {
  github = new GitHubTestServer({ appId: 4242 });
  await github.start();
  now = new Date("2026-11-19T00:00:00Z");
  github.clock = { now: () => now };
  repo = github.addRepo(OWNER, REPO, "main");
  github.commit(repo, ROOT, null, "main", "Start", DIFF);
  now = new Date("2026-11-20T09:00:00Z");
  github.commit(repo, S, ROOT, "hotfix", "Fix", DIFF_OF_S);
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

test("150 commits since: two queries (the second by cursor), newest first, each with its counts; S's counts in the first", async () => {
  let head = ROOT;
  for (let i = 2; i <= 151; i++) {
    now = new Date(Date.parse("2026-11-20T10:00:00Z") + i * 60_000);
    head = github.commit(repo, sha(i), head, "main", `Change ${i}`, DIFF);
  }

  const history = await mainHistory(client(), "main", SINCE, [S, S.toUpperCase()]);

  expect(history.commits.map((c) => c.sha)).toEqual(Array.from({ length: 150 }, (_, i) => sha(151 - i)));
  expect(history.commits[0]).toEqual({ sha: sha(151), message: "Change 151", counts: { lines: { additions: 2, deletions: 1 }, parents: 1 } });
  expect(history.countsOf.get(S)).toEqual({ lines: { additions: 1, deletions: 2 }, parents: 1 });
  expect(github.calls().filter((c) => c.includes("graphql"))).toEqual(["POST /api/graphql", "POST /api/graphql"]);
  expect(history.cut).toBe(false);
});

test("past 300 commits the history is cut, and says so: the oldest are not listed", async () => {
  let head = ROOT;
  for (let i = 2; i <= 302; i++) {
    now = new Date(Date.parse("2026-11-20T10:00:00Z") + i * 60_000);
    head = github.commit(repo, sha(i), head, "main", `Change ${i}`, DIFF);
  }

  const history = await mainHistory(client(), "main", SINCE, [S]);

  expect(history.commits).toHaveLength(300);
  expect(history.commits.at(-1)!.sha).toBe(sha(3));
  expect(history.cut).toBe(true);
});

test("GitHub's counts in the query are those of the REST commit's stats", async () => {
  now = new Date("2026-11-20T10:00:00Z");
  github.commit(repo, sha(2), ROOT, "main", "Change", DIFF_OF_S);

  const history = await mainHistory(client(), "main", SINCE, [S]);
  const { data } = await client().octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner: OWNER, repo: REPO, ref: sha(2) });

  expect(history.commits[0]!.counts.lines).toEqual({ additions: data.stats!.additions, deletions: data.stats!.deletions });
});

test("only commits since the moment; a merge counts its parents; a commit GitHub does not have has no counts", async () => {
  now = new Date("2026-11-20T10:00:00Z");
  github.merge(repo, sha(3), [ROOT, S], "main", "Merge hotfix", DIFF_OF_S);

  const history = await mainHistory(client(), "main", SINCE, [S, "6".repeat(40)]);

  expect(history.commits).toEqual([
    { sha: sha(3), message: "Merge hotfix", counts: { lines: { additions: 1, deletions: 2 }, parents: 2 } },
    { sha: S, message: "Fix", counts: { lines: { additions: 1, deletions: 2 }, parents: 1 } },
  ]);
  expect(history.countsOf.has("6".repeat(40))).toBe(false);
});

test("main is the branch: a tag of its name does not stand for it", async () => {
  repo.tags.set("main", S);
  now = new Date("2026-11-20T10:00:00Z");
  github.commit(repo, sha(2), ROOT, "main", "Change", DIFF);

  const history = await mainHistory(client(), "main", SINCE, []);

  expect(history.commits.map((c) => c.sha)).toEqual([sha(2)]);
});
