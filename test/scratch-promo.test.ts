import { validPayload, webhookRepository, OWNER } from "./helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "./helpers/github-server.js";
import type { DeploymentStatus, User } from "./helpers/github-server/model.js";
import { renderRepository, renderUser } from "./helpers/github-server/render.js";
import { PUBLIC_KEY } from "./helpers/keys.js";
import { credentialsFor, startApp, type RunningApp } from "./helpers/start-app.js";
import { storyWebhooks } from "./helpers/story-webhooks.js";

const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const GOOD = sha("b");
const MAIN_HEAD = sha("c");
const CONFIG = "promotion:\n  production: { after: staging, soakMinutes: 30 }\n";
const ACTIONS: User = { login: "github-actions[bot]", id: 41898282, type: "Bot" };
/** Another GitHub App installed on the repository (or a writer's workflow using GITHUB_TOKEN: github-actions[bot]). */
const EVIL: User = { login: "some-other-app[bot]", id: 999, type: "Bot" };
const MINUTE = 60_000;
let github: GitHubTestServer;
let app: RunningApp;
let repos = 0;
beforeAll(async () => { github = new GitHubTestServer(PUBLIC_KEY); await github.start(); app = await startApp(credentialsFor(github.host)); }, 30_000);
afterAll(async () => { await app?.stop(); await github?.stop(); });

function repository() {
  const repo: Repository = github.addRepo(OWNER, `scratch-${++repos}`, "main");
  repo.files.set(".github/mainline.yml", CONFIG);
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, GOOD, ROOT, "main");
  github.commit(repo, MAIN_HEAD, GOOD, "main");
  for (const [login, role] of [["alice", "maintain"], ["bob", "write"], ["tess", "triage"]] as const) github.setRole(repo, login, role);
  const installation = 300 + repos;
  const hooks = storyWebhooks(github, repo, installation);
  let runs = 1000 * repos;
  const send = async ([event, payload]: readonly [string, unknown]) => {
    const res = await app.deliver(event, payload);
    expect({ event, status: res.status, output: res.status === 200 || res.status === 202 ? "" : app.output().slice(-3000) }).toEqual({ event, status: res.status, output: "" });
  };
  const status = (id: number, state: string, minutes: number, by: User = ACTIONS): DeploymentStatus => {
    const at = new Date(Date.now() - minutes * MINUTE).toISOString().replace(/\.\d{3}Z$/, "Z");
    const environment = repo.deployments.get(id)!.environment;
    const s: DeploymentStatus = { id: github.nextId(), deployment_id: id, state, description: "", environment, log_url: "", environment_url: "", creator: by, created_at: at, updated_at: at };
    repo.deploymentStatuses.set(id, [s, ...(repo.deploymentStatuses.get(id) ?? [])]);
    return s;
  };
  return {
    repo, hooks, send, status,
    deployment: (commit: string, environment: string, creator = "github-actions[bot]") => github.addDeployment(repo, { sha: commit, environment, creator }).id,
    async protectionRule(commit: string) {
      const runId = ++runs;
      await send(hooks.protectionRule(commit, "production", runId, "bob"));
      return repo.protectionRuleAnswers.find((a) => a.runId === runId)!;
    },
    async apiDeployment(commit: string) {
      const deployment = github.addDeployment(repo, { sha: commit, environment: "production", creator: "bob" });
      const payload = { action: "created", deployment, workflow: null, workflow_run: null, repository: webhookRepository(renderRepository(github, repo)), sender: renderUser(github, github.user("bob")), installation: { id: installation, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" } };
      await send(["deployment", validPayload("deployment", payload)]);
      return deployment.id;
    },
  };
}

test("another app's (or a writer's Actions) `success` on the production deployment the gate refused makes the commit a 'rollback target'", async () => {
  const w = repository();
  // MAIN_HEAD never reached staging.
  const before = await w.protectionRule(MAIN_HEAD);
  console.log("BEFORE:", before.state, before.comment.slice(0, 120));
  const refused = await w.apiDeployment(MAIN_HEAD);
  console.log("gate's statuses on it:", w.repo.deploymentStatuses.get(refused)?.map((s) => `${s.state} by ${s.creator.login}`));
  w.status(refused, "success", 0, EVIL);
  const after = await w.protectionRule(MAIN_HEAD);
  console.log("AFTER:", after.state, after.comment.slice(0, 160));
}, 60_000);

test("a failure in staging undone by another app's later `success`", async () => {
  const w = repository();
  const d = w.deployment(MAIN_HEAD, "staging");
  w.status(d, "success", 60);
  w.status(d, "failure", 50);
  w.status(d, "success", 40, EVIL);
  const a = await w.protectionRule(MAIN_HEAD);
  console.log("FAILED-THEN-FORGED:", a.state, a.comment.slice(0, 160));
}, 60_000);

test("/incident rollback deploys a planted commit", async () => {
  const w = repository();
  // production ran GOOD (deploy tool), then a bad HOTFIX... here simply: GOOD succeeded earlier.
  const good = w.deployment(GOOD, "production");
  w.status(good, "success", 120);
  w.status(good, "inactive", 100);
  // a writer plants MAIN_HEAD (never in staging) in production: refused, then forged success by another app / Actions
  const planted = await w.apiDeployment(MAIN_HEAD);
  w.status(planted, "success", 0, EVIL);
  const incident = github.userIssue(w.repo, { title: "Payments down", login: "bob" }).number;
  await w.send(w.hooks.issueLabeled(incident, "bob", "incident"));
  await w.send(w.hooks.comment(incident, "alice", "/incident rollback production"));
  await new Promise((r) => setTimeout(r, 3000));
  const rb = [...w.repo.deployments.values()].filter((d) => d.task === "deploy:rollback");
  console.log("ROLLBACK deployments:", rb.map((d) => `${d.sha.slice(0, 7)} -> ${d.environment}`), "good was", GOOD.slice(0, 7));
}, 60_000);
