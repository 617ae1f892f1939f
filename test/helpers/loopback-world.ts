import nock from "nock";
import type { Probot } from "probot";
import { pino } from "pino";
import { marker, readMarker } from "../../src/markers.js";
import { recordBody, type RecordFields, type RecordKind } from "../../src/records.js";
import type { ExceptionRunState } from "./exception-fixtures.js";
import { deploymentStatusCreated, INSTALLATION_ID, OWNER, SHA, validPayload, webhookRepository } from "./fixtures.js";
import { GitHubTestServer, isReadRequest, type LoggedRequest, type Repository, type Role } from "./github-server.js";
import { addComment, openIssue } from "./github-server/issues.js";
import type { CheckRun, Comment, Issue } from "./github-server/model.js";
import { renderComment, renderDeployment, renderRepository, renderUser } from "./github-server/render.js";
import { PUBLIC_KEY } from "./keys.js";
import { storyWebhooks } from "./story-webhooks.js";
import { loadTestApp, NOW, TEST_RECORD_KEY, testProbot } from "./test-app.js";

/**
 * Handler tests against the loopback GitHub (test/helpers/github-server.ts) with the app in-process
 * (test/helpers/test-app.ts): a repository laid out as the app and people left it (issues, the app's
 * signed records, its `mainline/exception` check runs), webhooks about it, and what the app then
 * asked and wrote. Every request is checked against GitHub's OpenAPI description: `problems` must
 * stay empty. Each world has a repository of its own name, so nothing cached in the process
 * answers for another test.
 */
let worlds = 0;

/** A world with an empty repository whose main branch is `mainBranch`, and `config` as its `.github/mainline.yml`. */
export async function loopbackWorld({ mainBranch = "master", now = NOW, config }: { mainBranch?: string; now?: Date; config?: string } = {}) {
  const github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  // What GitHub stamps on what is laid out and on what the app writes, and the app's own clock: set with `at()`.
  let serverNow = now;
  github.clock = { now: () => serverNow };
  let appNow = now;
  const repo: Repository = github.addRepo(OWNER, `Hello-World-${++worlds}`, mainBranch);
  if (config !== undefined) repo.files.set(".github/mainline.yml", config);
  const hooks = storyWebhooks(github, repo);
  const probot: Probot = testProbot(pino({ level: "silent" }), github.apiBase);
  await loadTestApp(probot, { now: () => appNow });
  let deliveries = 0;
  const bot = github.app.bot;
  const api = `/repos/${repo.owner}/${repo.name}`;

  const issueOf = (number: number): Issue => {
    const issue = repo.issues.get(number);
    if (!issue) throw new Error(`no issue #${number}`);
    return issue;
  };

  const world = {
    github,
    repo,
    hooks,
    /** The repository's API path, as the server logs requests: `/repos/Codertocat/Hello-World-<n>`. */
    api,
    /** GitHub's clock and the app's, from now on: what is laid out next is stamped with it. */
    at(iso: string) {
      serverNow = new Date(iso);
      appNow = new Date(iso);
    },
    /** GitHub's clock alone (what it stamps on issues, comments and commits laid out from now on). */
    githubAt(iso: string) {
      serverNow = new Date(iso);
    },
    async deliver([name, payload]: readonly [string, unknown]) {
      await probot.receive({ id: `delivery-${++deliveries}`, name, payload } as Parameters<Probot["receive"]>[0]);
    },
    async stop() {
      await github.stop();
    },
    /** A commit pushed onto `master` now (by GitHub's clock). */
    commitOnMain(sha: string, message: string, diff = "") {
      github.commit(repo, sha, repo.branches.get("master")!, "master", message, diff);
    },
    role(login: string, role: Role) {
      github.setRole(repo, login, role);
    },

    /** An issue a person opened (number as given). */
    personIssue(number: number, { title, body = null, labels = [], login = "octocat" }: { title: string; body?: string | null; labels?: string[]; login?: string }): Issue {
      return openIssue(repo, github.mint, github.user(login), { number, title, body, labels });
    },
    /** An issue this app opened (its installation token: `performed_via_github_app` is the app). */
    appIssue(number: number, { title, body = null, labels = [], state = "open" }: { title: string; body?: string | null; labels?: string[]; state?: "open" | "closed" }): Issue {
      const issue = openIssue(repo, github.mint, bot, { number, title, body, labels });
      if (state === "closed") Object.assign(issue, { state: "closed", state_reason: "completed", closed_at: github.mint.now(), closed_by: bot });
      return issue;
    },
    /** A comment this app wrote. */
    appComment(number: number, body: string): Comment {
      return addComment(repo, github.mint, issueOf(number), bot, body);
    },
    /** A comment a person wrote. */
    personComment(number: number, login: string, body: string): Comment {
      return addComment(repo, github.mint, issueOf(number), github.user(login), body);
    },
    /** The body of a record of incident #`incident` in this repository, signed as the app signs it in tests. */
    recordText<K extends RecordKind>(incident: number, kind: K, fields: RecordFields<K>, text: string): string {
      return recordBody(TEST_RECORD_KEY, kind, { repo: repo.id, incident }, fields, text);
    },
    /** A record of incident #`incident`, written by the app as a comment on the incident (or on issue `on`). */
    record<K extends RecordKind>(incident: number, kind: K, fields: RecordFields<K>, text: string, on = incident): Comment {
      return world.appComment(on, world.recordText(incident, kind, fields, text));
    },
    /** This app's `mainline/exception` check run on the state's commit, as the app leaves it (`/hotfix allow`). */
    exceptionRun(state: ExceptionRunState): CheckRun {
      const at = github.mint.now();
      const run: CheckRun = {
        id: github.nextId(),
        name: "mainline/exception",
        head_sha: state.sha,
        app_id: github.app.id,
        status: "completed",
        conclusion: "neutral",
        external_id: `incident-${state.incident}:${state.env}`,
        output: { title: "Exception", summary: "Exception.", text: marker("exception-run", state) },
        started_at: at,
        completed_at: at,
      };
      (repo.checkRuns ??= new Map()).set(run.id, run);
      return run;
    },
    /** The state each of this app's `mainline/exception` runs on `sha` holds now, oldest run first. */
    exceptionRuns(sha = S): Array<{ id: number; state: ExceptionRunState | undefined }> {
      return [...(repo.checkRuns?.values() ?? [])]
        .filter((r) => r.name === "mainline/exception" && r.head_sha === sha && r.app_id === github.app.id)
        .sort((a, b) => a.id - b.id)
        .map((r) => ({ id: r.id, state: readMarker(r.output.text, "exception-run") }));
    },
    checkRun(id: number): CheckRun {
      return repo.checkRuns!.get(id)!;
    },

    /** `deployment_protection_rule.requested` for deployment `deploymentId` of `sha`, answered through run `runId`. */
    protectionRule(sha: string, { environment = "production", runId = 4242, deploymentId, creator = "octocat" }: { environment?: string; runId?: number; deploymentId: number; creator?: string }) {
      const deployment = repo.deployments.has(deploymentId)
        ? renderDeployment(github, repo, repo.deployments.get(deploymentId)!)
        : github.addDeployment(repo, { id: deploymentId, sha, environment, creator });
      const payload = {
        action: "requested",
        environment,
        event: "workflow_dispatch",
        deployment_callback_url: `${github.apiBase}${api}/actions/runs/${runId}/deployment_protection_rule`,
        deployment,
        repository: webhookRepository(renderRepository(github, repo)),
        sender: renderUser(github, github.user(creator)),
        installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" },
      };
      return ["deployment_protection_rule", validPayload("deployment_protection_rule", payload)] as const;
    },
    /** `deployment_status.created`: deployment `deploymentId` of `sha` reached `environment` (`success`) at `createdAt`. */
    deploymentStatus(sha: string, { environment = "production", deploymentId, createdAt, state = "success" }: { environment?: string; deploymentId: number; createdAt: string; state?: "success" | "failure" }) {
      const payload = deploymentStatusCreated({ sha, environment, deploymentId, createdAt, state });
      const deploymentUrl = `${github.apiBase}${api}/deployments/${deploymentId}`;
      Object.assign(payload.deployment, { url: deploymentUrl, statuses_url: `${deploymentUrl}/statuses`, repository_url: `${github.apiBase}${api}` });
      Object.assign(payload.deployment_status, { deployment_url: deploymentUrl, url: `${deploymentUrl}/statuses/209916254`, repository_url: `${github.apiBase}${api}` });
      payload.repository = webhookRepository(renderRepository(github, repo));
      return ["deployment_status", validPayload("deployment_status", payload)] as const;
    },

    /** How many requests were logged so far: a mark for `calls(from)` and `writes(from)`. */
    mark(): number {
      return github.log.length;
    },
    /** What the app asked of GitHub, as "METHOD path" lines; `from` skips the requests logged before it. */
    calls(from = 0): string[] {
      return github.log.slice(from).map((r) => `${r.method} ${r.path}`);
    },
    /** The app's writes since `from` (not the token exchange), with their bodies, in the order GitHub took them. */
    writes(from = 0): Array<Pick<LoggedRequest, "method" | "path" | "body">> {
      return github.log
        .slice(from)
        .filter((r) => !isReadRequest(r) && !r.path.endsWith("/access_tokens"))
        .map(({ method, path, body }) => ({ method, path, body }));
    },
    issue: issueOf,
    /** The issue's comments, oldest first. */
    comments(number: number): Comment[] {
      return [...repo.comments.values()].filter((c) => c.issue_number === number).sort((a, b) => a.id - b.id);
    },
    /** Bodies of the comments this app wrote on the issue, oldest first. */
    appBodies(number: number): string[] {
      return world.comments(number).filter((c) => c.user.id === bot.id).map((c) => c.body);
    },
    /** A comment's web address, as the app links it. */
    commentUrl(comment: Comment): string {
      return renderComment(github, repo, comment).html_url;
    },
    /** Who reacted 👍 on a comment. */
    thumbsUp(commentId: number): string[] {
      return (repo.comments.get(commentId)?.reactions ?? []).filter((r) => r.content === "+1").map((r) => r.user.login);
    },
  };
  return world;
}

export type LoopbackWorld = Awaited<ReturnType<typeof loopbackWorld>>;

/**
 * The incident tests' commit graph: ROOT ← ON_MAIN ← MAIN_HEAD on `master`; S (2222222…) on
 * `hotfix/payments`, off main, with a one-line change to pay.js.
 */
export const ROOT = "f".repeat(40);
export const ON_MAIN = SHA.onMain;
export const MAIN_HEAD = SHA.mainHead;
export const S = SHA.offMain;
export const DIFF_OF_S = "diff --git a/pay.js b/pay.js\nindex 1111111..2222222 100644\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";
/** When the commits above were made: long before any incident, so main's recent history is empty. */
const LONG_AGO = "2026-01-01T00:00:00Z";

/**
 * A world whose `master` holds the commit graph above. `sOnMain`: S was merged to main after all:
 * ROOT ← ON_MAIN ← S ← MAIN_HEAD on `master`.
 */
export async function incidentWorld({ config, now = NOW, sOnMain = false }: { config?: string; now?: Date; sOnMain?: boolean } = {}): Promise<LoopbackWorld> {
  const world = await loopbackWorld({ now, config });
  const { github, repo } = world;
  world.githubAt(LONG_AGO);
  github.commit(repo, ROOT, null);
  github.commit(repo, ON_MAIN, ROOT);
  github.commit(repo, S, sOnMain ? ON_MAIN : ROOT, "hotfix/payments", "Retry payments", DIFF_OF_S);
  github.commit(repo, MAIN_HEAD, sOnMain ? S : ON_MAIN, "master");
  world.githubAt(now.toISOString());
  return world;
}

/**
 * The hooks around tests on the loopback GitHub, for the file or describe block that calls this:
 * while they run only the loopback server (127.0.0.1) is reachable, never api.github.com; after
 * each test its world (`world()`) stops, and no request it took may be off GitHub's OpenAPI
 * description. `afterAll`: the net as the block leaves it: "open" (nock's default, for a file of
 * loopback tests) or "closed" (for a block among nock tests that closed it).
 */
export function onLoopbackGitHub(world: () => LoopbackWorld, { afterAll: after }: { afterAll: "open" | "closed" }): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(() => (after === "open" ? nock.enableNetConnect() : nock.disableNetConnect()));
  afterEach(async () => {
    await world().stop();
    expect(world().github.problems).toEqual([]);
  });
}
