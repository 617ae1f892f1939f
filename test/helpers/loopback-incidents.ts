import type { Probot } from "probot";
import { pino } from "pino";
import { marker, type MarkerFields } from "../../src/markers.js";
import { recordBody, type RecordFields, type RecordKind } from "../../src/records.js";
import { deploymentStatusCreated, INSTALLATION_ID, OWNER, validPayload, webhookRepository } from "./fixtures.js";
import { GitHubTestServer, type LoggedRequest, type Repository } from "./github-server.js";
import { addComment, openIssue } from "./github-server/issues.js";
import type { CheckRun, Comment, Issue } from "./github-server/model.js";
import { renderDeployment, renderRepository, renderUser } from "./github-server/render.js";
import { PUBLIC_KEY } from "./keys.js";
import { storyWebhooks } from "./story-webhooks.js";
import { loadTestApp, NOW, TEST_RECORD_KEY, testProbot } from "./test-app.js";

/**
 * Handler tests against the loopback GitHub (test/helpers/github-server.ts), the app in-process:
 * a repository whose issues, signed records and exception check runs a test lays out as the app
 * would have left them, webhooks about it, and what the app then asked and wrote. Each world has
 * a repository of its own name, so the process-wide diff cache never answers for another test.
 */
let worlds = 0;

export type ExceptionRunState = MarkerFields<"exception-run">;

export async function loopbackWorld({ mainBranch = "master", now = NOW }: { mainBranch?: string; now?: Date } = {}) {
  const github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  // What GitHub stamps on what is laid out and on what the app writes, and the app's own clock: set with `at()`.
  let serverNow = now;
  github.clock = { now: () => serverNow };
  let appNow = now;
  const repo: Repository = github.addRepo(OWNER, `Hello-World-${++worlds}`, mainBranch);
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
    probot,
    /** The repository's API path, as the server logs requests: `/repos/Codertocat/Hello-World-<n>`. */
    api,
    /** GitHub's clock and the app's, from now on: what is laid out next is stamped with it. */
    at(iso: string) {
      serverNow = new Date(iso);
      appNow = new Date(iso);
    },
    async deliver([name, payload]: readonly [string, unknown]) {
      await probot.receive({ id: `delivery-${++deliveries}`, name, payload } as Parameters<Probot["receive"]>[0]);
    },
    async stop() {
      await github.stop();
    },

    /** An issue a person opened (number as given). */
    personIssue(number: number, { title, body = null, labels = [], login = "octocat" }: { title: string; body?: string | null; labels?: string[]; login?: string }) {
      return openIssue(repo, github.mint, github.user(login), { number, title, body, labels });
    },
    /** An issue this app opened (its installation token: `performed_via_github_app` is the app). */
    appIssue(number: number, { title, body = null, labels = [] }: { title: string; body?: string | null; labels?: string[] }) {
      return openIssue(repo, github.mint, bot, { number, title, body, labels });
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
    /** This app's `mainline/exception` check run on the state's commit, as `/hotfix allow` leaves it. */
    exceptionRun(state: ExceptionRunState): CheckRun {
      const now = github.mint.now();
      const run: CheckRun = {
        id: github.nextId(),
        name: "mainline/exception",
        head_sha: state.sha,
        app_id: github.app.id,
        status: "completed",
        conclusion: "neutral",
        external_id: `incident-${state.incident}:${state.env}`,
        output: { title: "Exception", summary: "Exception.", text: marker("exception-run", state) },
        started_at: now,
        completed_at: now,
      };
      (repo.checkRuns ??= new Map()).set(run.id, run);
      return run;
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

    /** What the app asked of GitHub, as "METHOD path" lines; `from` skips the requests logged before it. */
    calls(from = 0): string[] {
      return github.log.slice(from).map((r) => `${r.method} ${r.path}`);
    },
    /** The app's writes (not the token exchange), with their bodies, in the order GitHub took them. */
    writes(from = 0): Array<Pick<LoggedRequest, "method" | "path" | "body">> {
      return github.log
        .slice(from)
        .filter((r) => r.method !== "GET" && !r.path.endsWith("/access_tokens"))
        .map(({ method, path, body }) => ({ method, path, body }));
    },
    /** How many requests were logged: a mark for `calls(from)` and `writes(from)`. */
    mark(): number {
      return github.log.length;
    },
    issue: issueOf,
    comments(number: number): Comment[] {
      return [...repo.comments.values()].filter((c) => c.issue_number === number).sort((a, b) => a.id - b.id);
    },
    checkRun(id: number): CheckRun {
      return repo.checkRuns!.get(id)!;
    },
  };
  return world;
}

export type LoopbackWorld = Awaited<ReturnType<typeof loopbackWorld>>;
