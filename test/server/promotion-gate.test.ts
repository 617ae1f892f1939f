import { ProbotOctokit } from "probot";
import { OWNER, validPayload, webhookRepository } from "../helpers/fixtures.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Repository } from "../helpers/github-server.js";
import type { DeploymentStatus, User } from "../helpers/github-server/model.js";
import { renderDeployment, renderRepository, renderUser } from "../helpers/github-server/render.js";
import { shapeProblems } from "../helpers/github-server/shapes.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * Promotion (SPEC 10) at the gate, told through the real server (`npm start`) and the loopback
 * GitHub: production takes a commit from main only after it reached staging with `success` 30
 * minutes before, with nothing failing there since. The app runs on the real clock, so a status
 * "12 minutes ago" is one GitHub stamped 12 minutes before now (the loopback server's clock is
 * set back while it is laid out). Both gate surfaces: an Actions protection rule (its answer) and
 * a deployment created through the API (its `failure` status).
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const OFF_MAIN = sha("c");
const CONFIG = "promotion:\n  production: { after: staging, soakMinutes: 30 }\n";
/** GitHub Actions' bot: how GitHub records a deployment and a status an Actions job created with `GITHUB_TOKEN`. */
const ACTIONS: User = { login: "github-actions[bot]", id: 41898282, type: "Bot" };
/** Another app installed on the repository with `deployments: write`: not the deploy tool. */
const OTHER_APP: User = { login: "other-app[bot]", id: 41898999, type: "Bot" };
const MINUTE = 60_000;

let github: GitHubTestServer;
let app: RunningApp;
let repos = 0;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

afterEach(() => {
  github.clock = { now: () => new Date() };
  expect(github.problems).toEqual([]);
});

/** A repository with CONFIG, main (ROOT → MAIN_HEAD) and a commit off it; alice a maintainer, bob a writer, tess a triager. */
function repository(config = CONFIG) {
  const repo: Repository = github.addRepo(OWNER, `promotion-${++repos}`, "main");
  repo.files.set(".github/mainline.yml", config);
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, OFF_MAIN, MAIN_HEAD, "feature/x", "Not merged yet");
  for (const [login, role] of [["alice", "maintain"], ["bob", "write"], ["tess", "triage"]] as const) github.setRole(repo, login, role);
  const installation = 300 + repos;
  const hooks = storyWebhooks(github, repo, installation);
  let runs = 1000 * repos;
  const send = async ([event, payload]: readonly [string, unknown]) => {
    const res = await app.deliverSettled(event, payload);
    expect({ event, status: res.status, output: res.status === 200 ? "" : app.output().slice(-3000) }).toEqual({ event, status: 200, output: "" });
  };
  const appComments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");
  /** GitHub's clock set `minutes` back while `lay` runs: what it creates is stamped then. */
  const ago = <T>(minutes: number, lay: () => T): T => {
    const then = new Date(Date.now() - minutes * MINUTE);
    github.clock = { now: () => then };
    try {
      return lay();
    } finally {
      github.clock = { now: () => new Date() };
    }
  };
  const world = {
    repo,
    hooks,
    send,
    appComments,
    ledger: (number: number) => appComments(number).find((c) => c.body.startsWith("<!-- mainline:ledger"))!.body,
    records: (number: number, kind: string) => appComments(number).filter((c) => c.body.startsWith(`<!-- mainline:record kind=${kind} `)),
    mergeBacks: () => [...repo.issues.values()].filter((i) => i.labels.includes("merge-back")),
    /** A deployment of `commit` to `environment`, created `minutes` ago by the deploy tool (unless told); returns its id. */
    deployment: (commit: string, environment: string, minutes: number, creator: User = ACTIONS) =>
      ago(minutes, () => {
        const { id } = github.addDeployment(repo, { sha: commit, environment });
        repo.deployments.get(id)!.creator = creator;
        return id;
      }),
    /** A status on deployment `id`, created `minutes` ago by `by` (the deploy tool, unless told). */
    status(id: number, state: string, minutes: number, by: User = ACTIONS) {
      const at = new Date(Date.now() - minutes * MINUTE).toISOString().replace(/\.\d{3}Z$/, "Z");
      const environment = repo.deployments.get(id)!.environment;
      const status: DeploymentStatus = { id: github.nextId(), deployment_id: id, state, description: "", environment, log_url: "", environment_url: "", creator: by, created_at: at, updated_at: at };
      repo.deploymentStatuses.set(id, [status, ...(repo.deploymentStatuses.get(id) ?? [])]);
      return status;
    },
    /** GitHub Actions asks the gate about (commit, production); returns what the app answered. */
    async protectionRule(commit: string) {
      const runId = ++runs;
      await send(hooks.protectionRule(commit, "production", runId, "bob"));
      return repo.protectionRuleAnswers.find((a) => a.runId === runId)!;
    },
    /** `creator` (bob unless told) creates a deployment of `commit` to production through the API; returns its statuses after the app's answer. */
    async apiDeployment(commit: string, creator: User = github.user("bob")) {
      const created = github.addDeployment(repo, { sha: commit, environment: "production" });
      repo.deployments.get(created.id)!.creator = creator;
      const deployment = renderDeployment(github, repo, repo.deployments.get(created.id)!);
      const payload = {
        action: "created",
        deployment,
        workflow: null,
        workflow_run: null,
        repository: webhookRepository(renderRepository(github, repo)),
        sender: renderUser(github, github.user("bob")),
        installation: { id: installation, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" },
      };
      await send(["deployment", validPayload("deployment", payload)]);
      return repo.deploymentStatuses.get(deployment.id) ?? [];
    },
    async incident(title: string) {
      const number = github.userIssue(repo, { title, login: "tess" }).number;
      await send(hooks.issueLabeled(number, "tess", "incident"));
      return number;
    },
    async say(number: number, login: string, body: string) {
      const [event, payload] = hooks.comment(number, login, body);
      await send([event, payload]);
      return (payload as { comment: { id: number } }).comment.id;
    },
    replyTo: (number: number, commentId: number) => appComments(number).find((c) => c.body.includes(`<!-- mainline:reply source=${commentId} -->`))?.body,
    thumbsUp: (commentId: number) => repo.comments.get(commentId)!.reactions.filter((r) => r.content === "+1").map((r) => r.user.login),
    api: `/repos/${repo.owner}/${repo.name}`,
  };
  return world;
}

const EMERGENCY =
  "In an emergency, open an incident (comment `/incident` on an issue that describes it, or use the incident already open) " +
  "and have someone with the maintain role or higher comment `/hotfix allow bbbbbbb production -- <reason>` there.";

test("an unsoaked commit is refused on both surfaces, then approved once it soaked", async () => {
  const w = repository();
  const staged = w.deployment(MAIN_HEAD, "staging", 13);
  const success = w.status(staged, "success", 12);

  const refused = await w.protectionRule(MAIN_HEAD);
  expect(refused).toMatchObject({ state: "rejected", environment_name: "production" });
  expect(refused.comment).toBe(
    `Refused: bbbbbbb is on main (head bbbbbbb). bbbbbbb reached staging 12 minutes ago and production takes it only 30 minutes after that: deploy it to production again in 18 minutes. ${EMERGENCY}`,
  );
  const [failure, ...more] = await w.apiDeployment(MAIN_HEAD);
  expect(more).toEqual([]);
  expect(failure).toMatchObject({
    state: "failure",
    description: "Refused: it reached staging 12 minutes ago; production needs 30. Retry in 18 minutes. Or /hotfix allow bbbbbbb production in an incident",
    log_url: `https://github.com/${OWNER}/${w.repo.name}/deployments`,
  });
  expect(failure!.description.length).toBeLessThanOrEqual(140);

  // Time passes: the same success is now 45 minutes old.
  success.created_at = success.updated_at = new Date(Date.now() - 45 * MINUTE).toISOString().replace(/\.\d{3}Z$/, "Z");
  const approved = await w.protectionRule(MAIN_HEAD);
  expect(approved).toMatchObject({ state: "approved", comment: "bbbbbbb is on main (head bbbbbbb). bbbbbbb reached staging 45 minutes ago (production needs 30): approved for production." });
  expect(await w.apiDeployment(MAIN_HEAD)).toEqual([]);

  // A commit off main is refused as before, and told what comes after main.
  const offMain = await w.protectionRule(OFF_MAIN);
  expect(offMain.state).toBe("rejected");
  expect(offMain.comment).toMatch(/^Refused: ccccccc is not on main \(head bbbbbbb; ccccccc is 1 commit ahead of it and 0 behind\)\. /);
  expect(offMain.comment).toMatch(/ Once it is on main, production takes it only after it reached staging and at least 30 minutes later, unless an exception covers it\.$/);
  expect(w.mergeBacks()).toEqual([]);
});

test("a deploy is refused when the commit failed in staging after it reached it", async () => {
  const w = repository();
  w.status(w.deployment(MAIN_HEAD, "staging", 61), "success", 60);
  w.status(w.deployment(MAIN_HEAD, "staging", 6), "failure", 5);

  const refused = await w.protectionRule(MAIN_HEAD);
  expect(refused.state).toBe("rejected");
  expect(refused.comment).toMatch(
    /^Refused: bbbbbbb is on main \(head bbbbbbb\)\. bbbbbbb reached staging, then a deployment of it there reported `failure` \d+ minutes ago, and production takes only a commit that is healthy in staging: deploy a fix \(or bbbbbbb again\) to staging first\. /,
  );
  const [failure] = await w.apiDeployment(MAIN_HEAD);
  expect(failure).toMatchObject({ state: "failure", description: "Refused: bbbbbbb failed in staging after reaching it: fix it there first. Or /hotfix allow bbbbbbb production in an incident" });
  expect(failure!.description.length).toBeLessThanOrEqual(140);
});

test("/hotfix allow waives staging for a commit on main: the gate lets it through, the record and the ledger say so, no merge-back", async () => {
  const w = repository();
  const incident = await w.incident("Checkout down");

  // Soaked already: the exception is not needed, and none is granted.
  const other = repository();
  other.status(other.deployment(MAIN_HEAD, "staging", 61), "success", 60);
  const otherIncident = await other.incident("Checkout down elsewhere");
  const needless = await other.say(otherIncident, "alice", "/hotfix allow bbbbbbb production -- outage: checkout down");
  expect(other.replyTo(otherIncident, needless)).toContain(
    "`bbbbbbb` is on `main` and may deploy to production without an exception: bbbbbbb reached staging 60 minutes ago (production needs 30): approved for production.",
  );
  expect(other.records(otherIncident, "exception")).toEqual([]);

  const before = github.log.length;
  const grant = await w.say(incident, "alice", "/hotfix allow bbbbbbb production -- outage: checkout down");
  expect(w.thumbsUp(grant)).toEqual(["mainline[bot]"]);
  // What the grant read to learn what it waives: the compare, then S's deployments as the gate reads them (none yet: no statuses to read).
  // (The ledger's rewrite reads the environment's deployments for its rollback candidate, without a sha: not counted here.)
  expect(github.calls().slice(before).filter((c) => c.includes("/compare/") || c.includes(`/deployments?sha=`))).toEqual([
    `GET ${w.api}/compare/heads%2Fmain...${MAIN_HEAD}?per_page=1`,
    `GET ${w.api}/deployments?sha=${MAIN_HEAD}&environment=staging&per_page=10`,
    `GET ${w.api}/deployments?sha=${MAIN_HEAD}&environment=production&per_page=10`,
  ]);
  const [record] = w.records(incident, "exception");
  expect(record!.body.split("\n")[0]).toContain(" waives=skipped%20staging ");
  expect(record!.body).toMatch(
    /🟠 Exception granted by \*\*alice\*\*: `bbbbbbb` may deploy to production until \S+ although it did not go through its promotion \(skipped staging\); it is on `main`, so nothing needs merging back\. Reason: outage: checkout down\./,
  );
  expect(w.ledger(incident)).toMatch(/\| `bbbbbbb` \| production \| \*\*alice\*\* at \S+ \| outage: checkout down \(on main; waives: skipped staging\) \| active until /);

  const answer = await w.protectionRule(MAIN_HEAD);
  expect(answer.state).toBe("approved");
  expect(answer.comment).toMatch(
    /^bbbbbbb is on main \(head bbbbbbb\), and @alice granted an exception for production in incident #\d+ \(expires \S+\): approved without the promotion through staging that production asks for\. It is on main, so nothing needs merging back\.$/,
  );
  const [deploy] = w.records(incident, "deploy");
  expect(deploy!.body.split("\n")[0]).toContain(" skipped=staging ");
  expect(deploy!.body.split("\n")[0]).not.toContain(" issue=");
  expect(deploy!.body).toMatch(/🚀 `bbbbbbb` was let through to production under the exception, skipped staging \(deployment \d+\)\. It is on `main`: nothing needs merging back\./);
  expect(w.mergeBacks()).toEqual([]);
  expect(w.ledger(incident)).toMatch(/\| outage: checkout down \(on main; waives: skipped staging\) \| used: deployment \d+ allowed at /);
  expect(w.ledger(incident)).toContain("No commit needs merging back.");
});

test("a writer's `success` on the deploy tool's staging deployment does not promote a commit; an Actions `environment:` job's own report (its deployment and statuses written as the person who started the run) does; a deploy tool's failure still counts", async () => {
  const w = repository();
  const bob = github.user("bob");
  // The deploy tool's staging deployment is still running; bob (write) marks it successful, as anyone with push access can.
  w.status(w.deployment(MAIN_HEAD, "staging", 61), "success", 60, bob);
  const forged = await w.protectionRule(MAIN_HEAD);
  expect(forged.state).toBe("rejected");
  expect(forged.comment).toContain(
    "bbbbbbb has not succeeded in staging yet (a `success` status there does not count: only the account that created a deployment can report it succeeded, and not on one mainline refused): production takes a commit from main only once it succeeded in staging at least 30 minutes before, so deploy bbbbbbb to staging first.",
  );

  // GitHub Actions ran bob's `environment: staging` job: the deployment and its statuses are bob's.
  const actionsJob = repository();
  actionsJob.status(actionsJob.deployment(MAIN_HEAD, "staging", 61, bob), "success", 60, bob);
  expect((await actionsJob.protectionRule(MAIN_HEAD)).state).toBe("approved");

  // The deploy tool reported a failure after its success; bob's later success on the same deployment does not undo it.
  const w2 = repository();
  const staged = w2.deployment(MAIN_HEAD, "staging", 61);
  w2.status(staged, "success", 60);
  w2.status(staged, "failure", 50);
  w2.status(staged, "success", 40, bob);
  expect((await w2.protectionRule(MAIN_HEAD)).comment).toContain("bbbbbbb reached staging, then a deployment of it there reported `failure`");
});

test("another app's `success` on the deploy tool's staging deployment does not undo its failure there", async () => {
  const w = repository();
  const staged = w.deployment(MAIN_HEAD, "staging", 61);
  w.status(staged, "success", 60);
  w.status(staged, "failure", 50);
  w.status(staged, "success", 40, OTHER_APP);
  const answer = await w.protectionRule(MAIN_HEAD);
  expect(answer.state).toBe("rejected");
  expect(answer.comment).toContain("bbbbbbb reached staging, then a deployment of it there reported `failure`");
});

test("a production deployment the gate refused is no rollback target, whoever marks it successful afterwards", async () => {
  const w = repository();
  // The deploy tool (Actions, with GITHUB_TOKEN) creates a production deployment of a commit that never reached staging: refused.
  const [refusal] = await w.apiDeployment(MAIN_HEAD, ACTIONS);
  expect(refusal).toMatchObject({ state: "failure", creator: github.app.bot, description: expect.stringMatching(/^Refused: deploy bbbbbbb to staging first/) });
  const refused = [...w.repo.deployments.values()].find((d) => d.environment === "production")!.id;
  // Another installed app marks that deployment successful; then a workflow with GITHUB_TOKEN, as the deploy tool, does too.
  for (const by of [OTHER_APP, ACTIONS]) {
    w.status(refused, "success", 0, by);
    const answer = await w.protectionRule(MAIN_HEAD);
    expect(answer.state).toBe("rejected");
    expect(answer.comment).toContain("bbbbbbb has not reached staging yet: production takes a commit from main only once it succeeded in staging");
  }
  // Another app's `success` on a production deployment the deploy tool made (not refused) is no rollback target either.
  const w2 = repository();
  w2.status(w2.deployment(MAIN_HEAD, "production", 301), "success", 300, OTHER_APP);
  expect((await w2.protectionRule(MAIN_HEAD)).state).toBe("rejected");
  // The deploy tool's own `success` on its own production deployment is one.
  w2.status(w2.deployment(MAIN_HEAD, "production", 201), "success", 200);
  expect(await w2.protectionRule(MAIN_HEAD)).toMatchObject({ state: "approved", comment: expect.stringMatching(/bbbbbbb ran in production before \(deployment \d+\): approved as a rollback target\.$/) });
});

test("the call budget of a decision under promotion", async () => {
  const w = repository();
  const staged = [w.deployment(MAIN_HEAD, "staging", 61), w.deployment(MAIN_HEAD, "staging", 41)];
  w.status(staged[0]!, "success", 60);
  w.status(staged[1]!, "success", 40);
  /** One protection rule request for (MAIN_HEAD, production): the repository's requests it cost, and how many were 304s. */
  const decide = async () => {
    const from = github.log.length;
    const { state } = await w.protectionRule(MAIN_HEAD);
    const log = github.log.slice(from).filter((r) => r.path.startsWith(w.api));
    return { state, calls: log.map((r) => `${r.method} ${r.path.replace(w.api, "")}`).sort(), notModified: log.filter((r) => r.status === 304).length };
  };
  const expected = (compare: boolean, production: number[] = []) =>
    [
      "GET /contents/.github%2Fmainline.yml",
      ...(compare ? [`GET /compare/heads%2Fmain...${MAIN_HEAD}?per_page=1`] : []),
      `GET /commits/${MAIN_HEAD}/check-runs?check_name=mainline%2Fexception&app_id=123&filter=all&per_page=100`,
      `GET /deployments?sha=${MAIN_HEAD}&environment=staging&per_page=10`,
      ...staged.map((id) => `GET /deployments/${id}/statuses?per_page=100`),
      ...(production.length > 0 ? [`GET /deployments?sha=${MAIN_HEAD}&environment=production&per_page=10`] : []),
      ...production.map((id) => `GET /deployments/${id}/statuses?per_page=100`),
      expect.stringMatching(/^POST \/actions\/runs\/\d+\/deployment_protection_rule$/),
    ].sort();
  // Soaked in staging: decided on staging's history alone, read while the compare is asked.
  const first = await decide();
  expect(first).toEqual({ state: "approved", calls: expected(true), notModified: 0 });
  expect(first.calls).toHaveLength(7);
  // The same question again: S is known on main (no compare); every read whose answer did not change is a 304.
  const again = await decide();
  expect(again).toEqual({ state: "approved", calls: expected(false), notModified: 5 });
  expect(again.calls).toHaveLength(6);
  // Not soaked (the deploy tool reported a failure since): only then is production asked whether S ran there (a rollback).
  w.status(staged[1]!, "failure", 1);
  const refused = await decide();
  // GitHub made a production deployment for each protection rule's job, this one's included.
  const inProduction = [...w.repo.deployments.values()].filter((d) => d.environment === "production").map((d) => d.id);
  expect(inProduction).toHaveLength(3);
  // 304s: the config, the check runs, the staging list and the first staging deployment's statuses.
  expect(refused).toEqual({ state: "rejected", calls: expected(false, inProduction), notModified: 4 });
  expect(refused.calls).toHaveLength(7 + inProduction.length);
});

describe("the loopback GitHub's deployments", () => {
  test("POST creates a deployment as GitHub does; GET lists by sha and environment, newest first", async () => {
    const w = repository();
    const octokit = new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
    const params = { owner: OWNER, repo: w.repo.name };
    const created = await octokit.request("POST /repos/{owner}/{repo}/deployments", {
      ...params,
      ref: ROOT,
      task: "deploy:rollback",
      auto_merge: false,
      required_contexts: [],
      environment: "production",
      payload: { incident: 7 },
    });
    expect(created.status).toBe(201);
    expect(shapeProblems("POST /repos/{owner}/{repo}/deployments", 201, created.data)).toEqual([]);
    expect(created.data).toMatchObject({ sha: ROOT, ref: ROOT, task: "deploy:rollback", environment: "production", payload: { incident: 7 }, creator: { login: "mainline[bot]" } });
    // 201 is the deployment itself (202 would be GitHub's "merged branch" message instead).
    const made = created.data as { id: number };
    expect(renderDeployment(github, w.repo, w.repo.deployments.get(made.id)!)).toEqual(created.data);
    // auto_merge (true unless false) would merge main into a ref behind it: GitHub answers 409 when it cannot.
    await expect(octokit.request("POST /repos/{owner}/{repo}/deployments", { ...params, ref: ROOT, environment: "production", required_contexts: [] })).rejects.toMatchObject({ status: 409 });
    await expect(octokit.request("POST /repos/{owner}/{repo}/deployments", { ...params, ref: "no-such-ref", auto_merge: false })).rejects.toMatchObject({ status: 422 });
    const fromBranch = await octokit.request("POST /repos/{owner}/{repo}/deployments", { ...params, ref: "main", environment: "staging", payload: '{"why":"soak"}' });
    expect(fromBranch.data).toMatchObject({ sha: MAIN_HEAD, ref: "main", task: "deploy", environment: "staging", payload: { why: "soak" } });

    const ids = async (query: Record<string, string | number>) => (await octokit.request("GET /repos/{owner}/{repo}/deployments", { ...params, ...query })).data.map((d) => d.id);
    const older = w.deployment(MAIN_HEAD, "staging", 5);
    expect(await ids({ sha: MAIN_HEAD, environment: "staging" })).toEqual([(fromBranch.data as { id: number }).id, older].sort((a, b) => b - a));
    expect(await ids({ sha: MAIN_HEAD, environment: "staging", per_page: 1 })).toHaveLength(1);
    expect(await ids({ sha: ROOT })).toEqual([made.id]);
  });
});
