import { ProbotOctokit } from "probot";
import { AncestryReader } from "../../src/github/ancestry.js";
import { INSTALLATION_TOKEN } from "../helpers/github-server.js";
import { loadApp, repoOf, startGitHub } from "../helpers/fault-world.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

// A commit that was on main and is force-pushed off it must stop being approved the moment the
// push arrives: not when the push's turn in the repository's queue comes, and not on another replica.
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const DROPPED = sha("d");
const OTHER = sha("e");
const FIXED = sha("f");

test("a forced push that drops S from main is honoured at once, even while another gate decision is in flight", async () => {
  const github = await startGitHub((gh, repo) => {
    gh.commit(repo, ROOT, null, "main");
    gh.commit(repo, MAIN_HEAD, ROOT, "main");
    gh.commit(repo, OTHER, MAIN_HEAD, "feature");
    gh.commit(repo, DROPPED, MAIN_HEAD, "main");
  });
  try {
    const repo = repoOf(github);
    const hooks = storyWebhooks(github, repo);
    const deliver = await loadApp(github);
    await deliver(hooks.protectionRule(DROPPED, "production", 1, "bob"));
    expect(repo.protectionRuleAnswers.find((a) => a.runId === 1)?.state).toBe("approved");

    // Someone's decision is in flight (a slow compare for another commit) while main is force-pushed.
    github.hold((method, path) => method === "GET" && path.includes("compare") && path.includes(OTHER), 3_000);
    const slow = deliver(hooks.protectionRule(OTHER, "production", 2, "carol"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const push = deliver(hooks.push("main", "alice", [{ sha: FIXED, parents: [MAIN_HEAD], message: "Revert to before d" }]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await deliver(hooks.protectionRule(DROPPED, "production", 3, "bob"));
    await Promise.allSettled([slow, push]);
    expect(repo.protectionRuleAnswers.find((a) => a.runId === 3)?.state).toBe("rejected");
  } finally {
    await github.stop();
  }
});

test("with several replicas nothing is remembered: every read asks GitHub (a conditional compare), so a push another replica took is seen", async () => {
  const github = await startGitHub((gh, repo) => {
    gh.commit(repo, ROOT, null, "main");
    gh.commit(repo, MAIN_HEAD, ROOT, "main");
  });
  try {
    const repo = repoOf(github);
    const octokit = new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
    const client = { octokit, owner: repo.owner, repo: repo.name, repoId: repo.id, threads: new Map() };
    const [alone, replica] = [new AncestryReader(), new AncestryReader({ remember: false })];
    for (const reader of [alone, replica]) {
      expect(await reader.read(client, "main", MAIN_HEAD)).toMatchObject({ kind: "on-main" });
      expect(reader.known(client, "main", MAIN_HEAD)).toEqual(reader === alone ? { kind: "on-main", mainHead: MAIN_HEAD } : undefined);
    }
  } finally {
    await github.stop();
  }
});
