import type { Probot } from "probot";
import { ProbotOctokit } from "probot";
import { pino } from "pino";
import { resolveSha } from "../../src/github/resolve-sha.js";
import { OWNER, REPO, validPayload } from "../helpers/fixtures.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Repository } from "../helpers/github-server.js";
import { resolveRef } from "../helpers/github-server/graph.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";
import { loadTestApp, testProbot } from "../helpers/test-app.js";

// SPEC 8: main is the branch refs/heads/<mainBranch>, whatever else bears its name, and a push
// that rewrites it forgets what was cached as on it. The app in-process against the loopback
// GitHub, whose refs resolve as git's do (a bare name is a tag before a branch).
const ROOT = "a".repeat(40);
const S = "b".repeat(40);
const MAIN_HEAD = "c".repeat(40);
const SIDE = "d".repeat(40);
const REWRITTEN = "e".repeat(40);
const PAST_SIDE = "f".repeat(40);
const ZERO = "0".repeat(40);

let github: GitHubTestServer;
let repo: Repository;
let hooks: ReturnType<typeof storyWebhooks>;
let probot: Probot;
let runs = 0;

beforeEach(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  repo = github.addRepo(OWNER, REPO, "master");
  github.commit(repo, ROOT, null, "master");
  github.commit(repo, S, ROOT, "master");
  github.commit(repo, MAIN_HEAD, S, "master");
  github.commit(repo, SIDE, ROOT, "hotfix/payments");
  hooks = storyWebhooks(github, repo);
  probot = testProbot(pino({ level: "silent" }), github.apiBase);
  await loadTestApp(probot);
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

const deliver = ([name, payload]: readonly [string, unknown]) => probot.receive({ id: `delivery-${++runs}`, name, payload } as Parameters<Probot["receive"]>[0]);
const compares = () => github.calls().filter((call) => call.includes("/compare/"));

/** Asks the gate about `sha` for production; its answer and whether it compared with main to give it. */
async function gate(sha: string): Promise<{ state: string | undefined; compared: boolean }> {
  const before = compares().length;
  const runId = ++runs;
  await deliver(hooks.protectionRule(sha, "production", runId, "deployer"));
  return { state: repo.protectionRuleAnswers.find((a) => a.runId === runId)?.state, compared: compares().length > before };
}

describe("a push that rewrites main forgets what was cached as on it", () => {
  test("a force-push that drops S: the next gate for S compares again and refuses", async () => {
    expect(await gate(S)).toEqual({ state: "approved", compared: true });
    expect(await gate(S)).toEqual({ state: "approved", compared: false });

    const push = hooks.push("master", "mallory", [{ sha: REWRITTEN, parents: [ROOT] }]);
    expect(push[1]).toMatchObject({ forced: true, before: MAIN_HEAD, after: REWRITTEN });
    await deliver(push);

    expect(await gate(S)).toEqual({ state: "rejected", compared: true });
  });

  test("main deleted: the next gate for S compares again and refuses", async () => {
    expect(await gate(S)).toEqual({ state: "approved", compared: true });
    const [, before] = hooks.push("master", "mallory", []);
    repo.branches.delete("master");
    await deliver(["push", validPayload("push", { ...before, after: ZERO, deleted: true, commits: [], head_commit: null })]);
    expect(await gate(S)).toEqual({ state: "rejected", compared: true });
  });

  test("main created anew without S (its deletion unheard): the next gate for S compares again and refuses", async () => {
    expect(await gate(S)).toEqual({ state: "approved", compared: true });
    repo.branches.delete("master");
    const push = hooks.push("master", "mallory", [{ sha: REWRITTEN, parents: [ROOT] }]);
    expect(push[1]).toMatchObject({ created: true, forced: false, before: ZERO });
    await deliver(push);
    expect(await gate(S)).toEqual({ state: "rejected", compared: true });
  });

  test("a fast-forward push keeps the cache: S is still on main", async () => {
    expect(await gate(S)).toEqual({ state: "approved", compared: true });
    const push = hooks.push("master", "alice", [{ sha: REWRITTEN }]);
    expect(push[1]).toMatchObject({ forced: false, created: false, deleted: false });
    await deliver(push);
    expect(await gate(S)).toEqual({ state: "approved", compared: false });
  });
});

describe("a tag named like main changes nothing", () => {
  test("a tag `master` on a commit past SIDE does not put SIDE on main", async () => {
    github.commit(repo, PAST_SIDE, SIDE);
    repo.tags.set("master", PAST_SIDE);
    expect(await gate(SIDE)).toEqual({ state: "rejected", compared: true });
    expect(compares()).toEqual([`GET /repos/${OWNER}/${REPO}/compare/heads%2Fmaster...${SIDE}?per_page=1`]);
  });

  test("a tag `master` elsewhere does not take S off main", async () => {
    repo.tags.set("master", SIDE);
    expect(await gate(S)).toEqual({ state: "approved", compared: true });
  });
});

describe("a short sha is a commit whose sha starts with it, never a ref of that name", () => {
  const DEADBEE = `deadbee${"1".repeat(33)}`;
  let client: Parameters<typeof resolveSha>[0];
  const queries = () => github.log.filter((r) => r.path === "/api/graphql").map((r) => (r.body as { variables: Record<string, string> }).variables);
  beforeEach(() => {
    github.commit(repo, DEADBEE, ROOT, "feature");
    const octokit = new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
    client = { octokit, owner: OWNER, repo: REPO, repoId: repo.id };
  });
  afterEach(() => expect(github.problems).toEqual([]));

  test("a prefix, in either case, is its commit: one query asks for the commit and every ref git would read first", async () => {
    expect(await resolveSha(client, "deadbee")).toEqual({ sha: DEADBEE });
    expect(await resolveSha(client, "DEADBEE1")).toEqual({ sha: DEADBEE });
    expect(github.log.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/graphql", "POST /api/graphql"]);
    expect(queries()[0]).toEqual({
      owner: OWNER,
      name: REPO,
      sha: "deadbee",
      refs: "refs/deadbee",
      tags: "refs/tags/deadbee",
      heads: "refs/heads/deadbee",
      remotes: "refs/remotes/deadbee",
      remoteHead: "refs/remotes/deadbee/HEAD",
    });
  });

  test("a full sha is its commit", async () => {
    expect(await resolveSha(client, DEADBEE)).toEqual({ sha: DEADBEE });
    expect(await resolveSha(client, DEADBEE.toUpperCase())).toEqual({ sha: DEADBEE });
  });

  test("no commit of that sha, or two that share the prefix: none", async () => {
    expect(await resolveSha(client, "abcdef1")).toEqual({ refused: "no-commit" });
    github.commit(repo, `deadbee${"2".repeat(33)}`, ROOT);
    expect(await resolveSha(client, "deadbee")).toEqual({ refused: "no-commit" });
    expect(await resolveSha(client, "deadbee1")).toEqual({ sha: DEADBEE });
  });

  // Each place git's rev-parse reads a name before an object id (git's ref_rev_parse_rules), as an
  // attacker fills it: a commit of theirs brute-forced to share the prefix, and a ref named after it.
  const EVIL = `deadbee${"e".repeat(33)}`;
  test.each([
    ["a branch", (r: Repository) => r.branches.set("deadbee", EVIL)],
    ["a tag", (r: Repository) => r.tags.set("deadbee", EVIL)],
    ["a remote-tracking ref", (r: Repository) => r.otherRefs.set("refs/remotes/deadbee", EVIL)],
    ["a remote's HEAD", (r: Repository) => r.otherRefs.set("refs/remotes/deadbee/HEAD", EVIL)],
    ["a bare refs/<sha>", (r: Repository) => r.otherRefs.set("refs/deadbee", EVIL)],
  ])("%s named `deadbee` on a commit sharing the prefix makes `deadbee` no commit at all", async (_what, name) => {
    github.commit(repo, EVIL, ROOT);
    name(repo);
    // GitHub reads the name as the ref: what it answers is the attacker's commit, whose sha does start with `deadbee`.
    expect(resolveRef(repo, "deadbee")).toBe(EVIL);
    expect(await resolveSha(client, "deadbee")).toEqual({ refused: "also-a-ref" });
  });

  test("a ref named like the short sha on a commit that does not share it: none", async () => {
    repo.branches.set("deadbee", SIDE);
    expect(await resolveSha(client, "deadbee")).toEqual({ refused: "also-a-ref" });
  });

  test("a ref named like the typed sha shadows it even when it points at the commit itself", async () => {
    repo.branches.set("deadbee", DEADBEE);
    expect(await resolveSha(client, "deadbee")).toEqual({ refused: "also-a-ref" });
  });

  test("the full sha the refusal asks for is the commit, whatever ref shares its prefix", async () => {
    github.commit(repo, EVIL, ROOT);
    repo.branches.set("deadbee", EVIL);
    expect(await resolveSha(client, "deadbee")).toEqual({ refused: "also-a-ref" });
    expect(await resolveSha(client, DEADBEE)).toEqual({ sha: DEADBEE });
  });

  test("a ref named like a full sha refuses it too (GitHub documents no rule that the object wins)", async () => {
    repo.branches.set(DEADBEE, SIDE);
    expect(await resolveSha(client, DEADBEE)).toEqual({ refused: "also-a-ref" });
  });

  test("a branch whose name only starts with the sha shadows nothing", async () => {
    repo.branches.set("deadbee-fix", SIDE);
    repo.otherRefs.set("refs/remotes/origin/deadbee", SIDE);
    expect(await resolveSha(client, "deadbee")).toEqual({ sha: DEADBEE });
  });

  test("a tag named like a prefix of another commit is not that commit either", async () => {
    repo.tags.set("ccccccc", SIDE);
    expect(await resolveSha(client, "ccccccc")).toEqual({ refused: "also-a-ref" });
    expect(await resolveSha(client, "bbbbbbb")).toEqual({ sha: S });
  });

  test("a repository GitHub cannot find (NOT_FOUND) holds no such commit; any other failure is thrown, for the delivery to be redelivered", async () => {
    expect(await resolveSha({ ...client, repo: "Gone" }, "deadbee")).toEqual({ refused: "no-commit" });
    const heal = github.fail((method, path) => method === "POST" && path === "/api/graphql", { status: 502, body: { message: "Server Error" } });
    await expect(resolveSha(client, "deadbee")).rejects.toMatchObject({ status: 502 });
    heal();
    github.fail((method, path) => method === "POST" && path === "/api/graphql", { status: 200, body: { data: { repository: null }, errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] } });
    await expect(resolveSha(client, "deadbee")).rejects.toThrow("API rate limit exceeded");
  });
});
