import { readRecord } from "../../src/records.js";
import { INSTALLATION_ID, OWNER, validPayload, webhookRepository } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import type { Deployment } from "../helpers/github-server/model.js";
import { renderDeployment, renderRepository, renderUser } from "../helpers/github-server/render.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WEBHOOK_SECRET, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * `/incident rollback [env]` (SPEC section 10) through the real server (`npm start`) and the
 * loopback GitHub: the deployment it creates, its answer and record, what a redelivery does, and
 * what the gate then says about the deployment it made.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
/** On main, and what production ran before the hotfix: the rollback candidate. */
const GOOD = sha("b");
/** On main, newer, but its deployment to production failed. */
const MAIN_HEAD = sha("c");
/** Off main: deployed to production under an exception. */
const HOTFIX = sha("1");
/** Off main: what a writer deploys to production through the API, refused by the gate. */
const JUNK = sha("9");

/** The deploy tool's app, which creates each deployment and reports how it went (a person's `success` would be a claim, not a report). */
const DEPLOY_TOOL = { login: "deploy-tool[bot]", id: 7000, type: "Bot" } as const;
/** Another app installed with `deployments: write`: its `success` on the deploy tool's deployment is not that deployment's report. */
const OTHER_APP = { login: "other-app[bot]", id: 7001, type: "Bot" } as const;

const ENVIRONMENTS = "environments: [production, staging, canary, qa]\n";
const PROMOTION = `${ENVIRONMENTS}promotion:\n  production: { after: staging, soakMinutes: 30 }\n`;

let github: GitHubTestServer;
let app: RunningApp;
const calls: Record<string, string[]> = {};

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
  // MAINLINE_STORY_CALLS=1 prints what each step asked of GitHub (the figures quoted in the report).
  if (process.env.MAINLINE_STORY_CALLS) console.log(Object.entries(calls).map(([step, list]) => `${step}: ${list.length} calls\n   ${list.join("\n   ")}`).join("\n"));
});

afterEach(() => expect(github.problems).toEqual([]));

let repos = 0;

/**
 * A repository whose production ran GOOD (success, since marked inactive), then MAIN_HEAD (failed),
 * then HOTFIX (success); staging ran GOOD (failed) and HOTFIX (success); canary ran GOOD (failed);
 * qa never ran anything. bob (write) opened incident #1; tina has triage.
 */
async function world(config = ENVIRONMENTS) {
  const repo = github.addRepo(OWNER, `rollback-${++repos}`, "main");
  repo.files.set(".github/mainline.yml", config);
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, GOOD, ROOT, "main");
  github.commit(repo, MAIN_HEAD, GOOD, "main");
  github.commit(repo, HOTFIX, GOOD, "hotfix/payments", "Retry charges");
  github.setRole(repo, "bob", "write");
  github.setRole(repo, "tina", "triage");
  const deployed = (commit: string, environment: string, states: string[]) => {
    const { id } = github.addDeployment(repo, { sha: commit, environment });
    repo.deployments.get(id)!.creator = DEPLOY_TOOL;
    const now = github.mint.now();
    const status = (state: string) => ({ id: github.mint.id(), deployment_id: id, state, description: "", environment, log_url: "", environment_url: "", creator: DEPLOY_TOOL, created_at: now, updated_at: now });
    repo.deploymentStatuses.set(id, states.map(status));
    return id;
  };
  const candidate = deployed(GOOD, "production", ["inactive", "success"]);
  deployed(MAIN_HEAD, "production", ["failure"]);
  deployed(HOTFIX, "production", ["success"]);
  deployed(GOOD, "staging", ["failure"]);
  deployed(HOTFIX, "staging", ["success"]);
  deployed(GOOD, "canary", ["failure"]);
  const hooks = storyWebhooks(github, repo);
  const incident = github.userIssue(repo, { title: "Payments fail at checkout", login: "bob" }).number;
  await send(hooks.issueLabeled(incident, "bob", "incident"));
  return { repo, hooks, incident, candidate, deployed };
}

async function send([event, payload]: readonly [string, unknown], options: { id?: string; step?: string } = {}) {
  const before = github.log.length;
  const res = await app.deliverSettled(event, payload, options.id ? { id: options.id } : {});
  if (options.step) calls[options.step] = github.calls().slice(before);
  expect({ event, status: res.status, output: res.status === 200 ? "" : app.output().slice(-3000) }).toEqual({ event, status: 200, output: "" });
}

const rollbacksOf = (repo: Repository) => [...repo.deployments.values()].filter((d) => d.task === "deploy:rollback");
const appComments = (repo: Repository, number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.id === github.app.bot.id);
const replies = (repo: Repository, number: number) => appComments(repo, number).filter((c) => c.body.includes("<!-- mainline:reply "));
const ledger = (repo: Repository, number: number) => appComments(repo, number).find((c) => c.body.startsWith("<!-- mainline:ledger "))!.body;
const thumbsUp = (repo: Repository, commentId: number) => repo.comments.get(commentId)!.reactions.filter((r) => r.content === "+1").map((r) => r.user.login);
/** The command comment a `hooks.comment` webhook carries. */
const commentOf = (hook: readonly [string, unknown]) => (hook[1] as { comment: { id: number; html_url: string } }).comment;

/** The webhooks GitHub sends about a deployment the app created: `deployment.created`, and a protection rule's request when an Actions environment has the app as its rule. */
function deploymentHooks(repo: Repository, deployment: Deployment) {
  const base = {
    deployment: renderDeployment(github, repo, deployment),
    repository: webhookRepository(renderRepository(github, repo)),
    sender: renderUser(github, github.app.bot),
    installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" },
  };
  return {
    created: ["deployment", validPayload("deployment", { action: "created", ...base, workflow: null, workflow_run: null })] as const,
    protectionRule: (runId: number) =>
      [
        "deployment_protection_rule",
        validPayload("deployment_protection_rule", {
          action: "requested",
          environment: deployment.environment,
          event: "deployment",
          deployment_callback_url: `${github.apiBase}/repos/${repo.owner}/${repo.name}/actions/runs/${runId}/deployment_protection_rule`,
          ...base,
        }),
      ] as const,
  };
}

const ROLLED_BACK = (deployment: number, of: number) =>
  `↩️ Rolling back production to \`${GOOD}\`: deployment ${deployment} (task \`deploy:rollback\`) deploys what deployment ${of} ran, ` +
  "the last deployment there of a commit on `main` that succeeded. The deploy tool that listens for deployments carries it out.";

describe("/incident rollback", () => {
  test("creates one deployment of the candidate, with 👍, a reply naming it and its commit, a record and a ledger line; a redelivery adds nothing", async () => {
    const { repo, hooks, incident, candidate } = await world();
    const command = hooks.comment(incident, "bob", "/incident rollback");
    const { id: commentId } = commentOf(command);
    const from = github.log.length;

    await send(command, { id: "rollback-1", step: "/incident rollback" });

    const [made, ...more] = rollbacksOf(repo);
    expect(more).toEqual([]);
    expect(github.log.slice(from).filter((r) => r.method === "POST" && r.path.endsWith("/deployments")).map((r) => r.body)).toEqual([
      {
        ref: GOOD,
        task: "deploy:rollback",
        auto_merge: false,
        required_contexts: [],
        environment: "production",
        payload: { mainline: { incident, source: `${commentId}:1`, rollbackOf: candidate } },
        description: `Rollback to bbbbbbb (incident #${incident})`,
      },
    ]);
    expect(made).toMatchObject({ sha: GOOD, ref: GOOD, environment: "production", creator: github.app.bot });
    expect(thumbsUp(repo, commentId)).toEqual([github.app.bot.login]);
    expect(replies(repo, incident).map((c) => c.body)).toEqual([`${ROLLED_BACK(made!.id, candidate)}\n\n<!-- mainline:reply source=${commentId} -->`]);
    const records = appComments(repo, incident).flatMap((c) => readRecord(WEBHOOK_SECRET, c.body) ?? []).filter((r) => r.kind === "rollback");
    expect(records).toEqual([
      expect.objectContaining({ repo: repo.id, incident, fields: { sha: GOOD, env: "production", deployment: made!.id, of: candidate, by: "bob", at: expect.any(String), source: `${commentId}:1` } }),
    ]);
    expect(appComments(repo, incident).find((c) => c.body.includes("kind=rollback"))!.body).toMatch(
      new RegExp(`\\n\\n↩️ Rollback by \\*\\*bob\\*\\*: deployment ${made!.id} takes production back to \`bbbbbbb\`, the commit of deployment ${candidate}, the last from \`main\` that succeeded there\\.$`),
    );
    // The ledger's candidate is the one the command deployed (the new deployment has not succeeded yet), and the rollback is listed.
    expect(ledger(repo, incident)).toContain(`| production | \`bbbbbbb\` | deployment ${candidate} at `);
    expect(ledger(repo, incident)).toMatch(
      new RegExp(`Rolled back from this incident \\(\`/incident rollback\`\\):\\n- production back to \`bbbbbbb\` \\(the commit of deployment ${candidate}\\): deployment ${made!.id}, by \\*\\*bob\\*\\* at \\S+`),
    );

    // The command's own cost: the writes are the deployment, the record, the ledger, the reply and 👍 (last: it says all is answered).
    const writes = calls["/incident rollback"]!.filter((c) => !c.startsWith("GET") && !c.endsWith("/access_tokens"));
    expect(writes.map((c) => c.replace(/\d+/g, "N"))).toEqual([
      `POST /repos/${OWNER}/rollback-N/deployments`,
      `POST /repos/${OWNER}/rollback-N/issues/N/comments`,
      `PATCH /repos/${OWNER}/rollback-N/issues/comments/N`,
      `POST /repos/${OWNER}/rollback-N/issues/N/comments`,
      `POST /repos/${OWNER}/rollback-N/issues/comments/N/reactions`,
    ]);
    expect(calls["/incident rollback"]!.length).toBeLessThanOrEqual(ROLLBACK_BUDGET);

    const state = () => JSON.stringify({ deployments: [...repo.deployments.values()], comments: [...repo.comments.values()] });
    const before = state();
    await send(command, { id: "rollback-1" });
    await send(command, { id: "rollback-1-again" });
    expect(state()).toBe(before);
  }, 30_000);

  test("the deployment it made passes the gate: on main, as a deploy tool's deployment and as an Actions protection rule", async () => {
    const { repo, hooks, incident } = await world();
    await send(hooks.comment(incident, "bob", "/incident rollback"));
    const [made] = rollbacksOf(repo);

    await send(deploymentHooks(repo, made!).created);
    await send(deploymentHooks(repo, made!).protectionRule(701));

    expect(repo.deploymentStatuses.get(made!.id) ?? []).toEqual([]);
    expect(repo.protectionRuleAnswers).toEqual([expect.objectContaining({ runId: 701, state: "approved" })]);
  }, 30_000);

  test("with promotion configured, the gate allows it as a rollback target (it ran in production before), without staging first", async () => {
    const { repo, hooks, incident } = await world(PROMOTION);
    await send(hooks.comment(incident, "bob", "/incident rollback"));
    const [made] = rollbacksOf(repo);

    await send(deploymentHooks(repo, made!).created);
    await send(deploymentHooks(repo, made!).protectionRule(702));

    expect(repo.deploymentStatuses.get(made!.id) ?? []).toEqual([]);
    expect(repo.protectionRuleAnswers).toEqual([expect.objectContaining({ runId: 702, state: "approved" })]);
  }, 30_000);

  test("deployments the gate refused are never the candidate, whoever marks them successful afterwards, and 10 of them on top do not hide it", async () => {
    const { repo, hooks, incident, candidate, deployed } = await world(PROMOTION);
    /** A `success` on `deployment` written by `creator`, newest. */
    const success = (deployment: number, creator: Deployment["creator"]) => {
      const now = github.mint.now();
      const status = { id: github.mint.id(), deployment_id: deployment, state: "success", description: "", environment: "production", log_url: "", environment_url: "", creator, created_at: now, updated_at: now };
      repo.deploymentStatuses.set(deployment, [status, ...(repo.deploymentStatuses.get(deployment) ?? [])]);
    };
    // The deploy tool deploys MAIN_HEAD (on main, never in staging) to production: the gate refuses it with a failure status.
    const planted = deployed(MAIN_HEAD, "production", []);
    await send(deploymentHooks(repo, repo.deployments.get(planted)!).created);
    expect(repo.deploymentStatuses.get(planted)).toEqual([expect.objectContaining({ state: "failure", creator: github.app.bot })]);
    // Another installed app marks it successful, then so does the deploy tool's own account (a branch workflow's GITHUB_TOKEN can).
    success(planted, OTHER_APP);
    success(planted, DEPLOY_TOOL);
    // Another app's `success` on a deployment the deploy tool made (not refused) does not make it one either.
    const claimed = deployed(MAIN_HEAD, "production", ["in_progress"]);
    repo.deploymentStatuses.get(claimed)!.unshift({ ...repo.deploymentStatuses.get(claimed)![0]!, id: github.mint.id(), state: "success", creator: OTHER_APP });
    // Before the incident's rollback, a writer creates 10 production deployments of a commit off main through the API and reports each a
    // success: the gate refuses each, and they fill the 5 newest the ledger looks at (the command used to look no deeper).
    github.commit(repo, JUNK, GOOD, "junk");
    const mallory = github.user("mallory");
    github.setRole(repo, "mallory", "write");
    for (let i = 0; i < 10; i++) {
      const { id } = github.addDeployment(repo, { sha: JUNK, environment: "production", creator: "mallory" });
      await send(deploymentHooks(repo, repo.deployments.get(id)!).created);
      expect(repo.deploymentStatuses.get(id)).toEqual([expect.objectContaining({ state: "failure", creator: github.app.bot })]);
      success(id, mallory);
    }

    await send(hooks.comment(incident, "bob", "/incident rollback"), { step: "/incident rollback, 10 refused deployments on top" });

    const [made, ...more] = rollbacksOf(repo);
    expect(more).toEqual([]);
    expect(made).toMatchObject({ sha: GOOD, payload: { mainline: expect.objectContaining({ rollbackOf: candidate }) } });
    // The ledger looks at the 5 newest (the rollback on top, 4 refused): no candidate there, and it says the command looks further.
    expect(ledger(repo, incident)).toContain(
      "### Roll back first\n\nNo deployment of a main commit that succeeded among the 5 newest of each gated environment searched; `/incident rollback [env]` looks further back (the environment's 30 newest).",
    );
    expect(ledger(repo, incident)).not.toContain("`ccccccc`");
    // Before it deployed, the command read the statuses of the 10 refused, then of the 5 below them (2 rounds more than without them),
    // and stopped at GOOD, the 15th.
    const step = calls["/incident rollback, 10 refused deployments on top"]!;
    const search = step.slice(0, step.findIndex((c) => /^POST \S+\/deployments$/.test(c)));
    expect(search.filter((c) => /^GET \S+\/deployments\/\d+\/statuses/.test(c)).length).toBe(15);
    expect(step.length).toBeLessThanOrEqual(ROLLBACK_BUDGET);
  }, 60_000);

  test("no candidate: a reply that says why, and no deployment", async () => {
    const { repo, hooks, incident } = await world();
    const command = hooks.comment(incident, "bob", "/incident rollback staging\n/incident rollback canary\n/incident rollback qa\n/incident rollback dev");
    const { id, html_url } = commentOf(command);

    await send(command);

    expect(rollbacksOf(repo)).toEqual([]);
    expect(thumbsUp(repo, id)).toEqual([]);
    expect(replies(repo, incident).map((c) => c.body)).toEqual([
      [
        `mainline could not run these commands from [your comment](${html_url}):`,
        "- `/incident rollback staging`: there is no rollback candidate: no deployment to staging that succeeded was of a commit on `main`",
        "- `/incident rollback canary`: there is no rollback candidate: no deployment to canary succeeded",
        "- `/incident rollback qa`: there is no rollback candidate: qa has no deployment",
        "- `/incident rollback dev`: dev is not a gated environment: mainline rolls back only those (`environments` in .github/mainline.yml)",
        `<!-- mainline:reply source=${id} -->`,
      ].join("\n\n"),
    ]);
  }, 30_000);

  test("refused as other write commands are: outside an incident, by a triager, in a wrong form", async () => {
    const { repo, hooks, incident } = await world();
    const plain = github.userIssue(repo, { title: "Slow search", login: "bob" }).number;
    const outside = hooks.comment(plain, "bob", "/incident rollback");
    const byTriager = hooks.comment(incident, "tina", "/incident rollback");
    const wrongForm = hooks.comment(incident, "bob", "/incident rollback production now please");

    for (const hook of [outside, byTriager, wrongForm]) await send(hook);

    expect(rollbacksOf(repo)).toEqual([]);
    const replyTo = (hook: readonly [string, unknown], number: number) =>
      replies(repo, number).find((c) => c.body.endsWith(`<!-- mainline:reply source=${commentOf(hook).id} -->`))?.body;
    const intro = (hook: readonly [string, unknown]) => `mainline could not run this command from [your comment](${commentOf(hook).html_url}):`;
    expect(replyTo(outside, plain)).toBe(
      `${intro(outside)}\n\n- \`/incident rollback\`: this command works only in an incident (an issue labelled as one: run \`/incident\` first)\n\n<!-- mainline:reply source=${commentOf(outside).id} -->`,
    );
    expect(replyTo(byTriager, incident)).toBe(
      `${intro(byTriager)}\n\n- \`/incident rollback\`: this needs the write role or higher in this repository; **tina** has triage\n\n<!-- mainline:reply source=${commentOf(byTriager).id} -->`,
    );
    expect(replyTo(wrongForm, incident)).toBe(
      `${intro(wrongForm)}\n\n- \`/incident rollback production now please\`: \`/incident rollback\` takes at most one environment, but got 3 words (a title cannot start with the word rollback). Write it as:\n\n    /incident rollback [env]\n\n<!-- mainline:reply source=${commentOf(wrongForm).id} -->`,
    );
  }, 30_000);
});

/**
 * Most requests one `/incident rollback` costs here: token and config (3), the thread, the 👍 and
 * reply looked for, the role; its rollbacks looked for, the environment's newest deployments (one
 * page of 30) and their statuses, 5 at a time until the candidate is decided (at most 30), where
 * each commit that succeeded stands, the deployment, its rollbacks again; the record, the ledger's
 * view (thread, RCA issue) and candidates (deployments, statuses of the 5 newest, compares), the
 * ledger; 👍 and the reply. 30 requests when the candidate is among the 5 newest; 10 refused
 * deployments on top add two rounds of 5 status reads (43), so it was 40 when the command looked
 * no deeper than the ledger.
 */
const ROLLBACK_BUDGET = 45;
