import { OWNER } from "./helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "./helpers/github-server.js";
import { PUBLIC_KEY } from "./helpers/keys.js";
import { credentialsFor, startApp, type RunningApp } from "./helpers/start-app.js";
import { storyWebhooks } from "./helpers/story-webhooks.js";

const sha = (c: string) => c.repeat(40);
const ROOT = sha("a"), MAIN_HEAD = sha("b"), FIX_1 = sha("1"), FIX_2 = sha("2"), BIG = sha("3");
const PATCH = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";
// 1 line in .gitattributes (`*.js -diff`), and then GitHub's numstat reports every .js change as binary: 0/0.
const BINARY = "diff --git a/.gitattributes b/.gitattributes\n--- a/.gitattributes\n+++ b/.gitattributes\n@@ -0,0 +1 @@\n+*.js -diff\n" +
  "diff --git a/pay.js b/pay.js\nindex 1..2 100644\nBinary files a/pay.js and b/pay.js differ\n" +
  "diff --git a/server.js b/server.js\nindex 1..2 100644\nBinary files a/server.js and b/server.js differ\n";
let github: GitHubTestServer; let app: RunningApp; let repos = 0;
beforeAll(async () => { github = new GitHubTestServer(PUBLIC_KEY); await github.start(); app = await startApp(credentialsFor(github.host)); }, 30_000);
afterAll(async () => { await app?.stop(); await github?.stop(); });

function repository(config: string) {
  const repo: Repository = github.addRepo(OWNER, `scratchhd-${++repos}`, "main");
  repo.files.set(".github/mainline.yml", config);
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, FIX_1, MAIN_HEAD, "hotfix/one", "Retry charges", PATCH);
  github.commit(repo, FIX_2, MAIN_HEAD, "hotfix/two", "Retry charges again", PATCH);
  github.commit(repo, BIG, MAIN_HEAD, "hotfix/big", "Rewrite everything", BINARY);
  for (const [login, role] of [["alice", "maintain"], ["carol", "maintain"], ["bob", "write"], ["tess", "triage"]] as const) github.setRole(repo, login, role);
  const hooks = storyWebhooks(github, repo, 200 + repos);
  let runs = 1000 * repos;
  const send = async ([event, payload]: readonly [string, unknown]) => { const res = await app.deliver(event, payload); expect(res.status).toBe(200); };
  const appComments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");
  return {
    repo, hooks, send,
    records: (number: number, kind: string) => appComments(number).filter((c) => c.body.startsWith(`<!-- mainline:record kind=${kind} `)),
    async say(number: number, login: string, body: string) { const [e, p] = hooks.comment(number, login, body); await send([e, p]); return (p as { comment: { id: number } }).comment.id; },
    async incident(title: string) { const number = github.userIssue(repo, { title, login: "tess" }).number; await send(hooks.issueLabeled(number, "tess", "incident")); return number; },
    async gate(commit: string) { const runId = ++runs; await send(hooks.protectionRule(commit, "production", runId, "bob")); return repo.protectionRuleAnswers.find((a) => a.runId === runId)?.state; },
  };
}

test("size: a change the compare reports as binary counts 0 lines", async () => {
  const r = repository("environments: [production]\nhotfix:\n  maxChangedLines: 1\n");
  const incident = await r.incident("x");
  await r.say(incident, "alice", `/hotfix allow ${BIG} production -- rewrite`);
  const [rec] = r.records(incident, "exception");
  console.log("BINARY GRANT:", rec!.body.split("\n")[0].match(/approvals=\d/)?.[0], "| gate:", await r.gate(BIG));
}, 60_000);

test("budget: transferring the incident that holds the deploy records hides them", async () => {
  const other = github.addRepo(OWNER, `elsewhere-${repos}`, "main");
  const r = repository("environments: [production]\nhotfix:\n  budget: { count: 1, days: 30 }\n");
  github.setRole(other, "bob", "write");
  const first = await r.incident("Login loops");
  await r.say(first, "alice", `/hotfix allow ${FIX_1} production -- sessions expire`);
  expect(await r.gate(FIX_1)).toBe("approved");
  console.log("deploy records in first:", r.records(first, "deploy").length);
  await r.send(r.hooks.issueTransferred(first, "bob", other));
  const next = await r.incident("Search is down");
  await r.say(next, "alice", `/hotfix allow ${FIX_2} production -- search index is corrupt`);
  const [grant] = r.records(next, "exception");
  console.log("BUDGET AFTER TRANSFER:", grant!.body.split("\n")[0].match(/approvals=\d/)?.[0], "| gate:", await r.gate(FIX_2));
}, 90_000);
