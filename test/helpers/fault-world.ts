import type { Probot } from "probot";
import { pino } from "pino";
import { OWNER, REPO } from "./fixtures.js";
import { GitHubTestServer, isReadRequest, type Fault, type Repository } from "./github-server.js";
import { PUBLIC_KEY } from "./keys.js";
import { loadTestApp, NOW, shippedProbot, testProbot } from "./test-app.js";
import { storyWebhooks } from "./story-webhooks.js";

/**
 * A loopback GitHub on a fixed clock and the app loaded in-process against it with a short
 * request timeout, for breaking a flow call by call.
 *
 * The client has Probot's retry and throttling plugins off (as in every handler test), so a
 * failed call fails the delivery at once, except the answer to a protection rule, which the app
 * retries itself (`answerProtectionRule`, here as shipped). Users' clients differ only towards
 * recovery: they retry reads, edits and deletions (idempotent, so a retry can only finish what a
 * fault interrupted), send other POSTs once as here (`sendCreatesOnce`), and do not retry a
 * secondary rate limit (Probot's handler only logs it).
 */
/**
 * The timeout of the app that meets the faults; the app that sets up and redelivers keeps the
 * shipped one. Long enough that a healthy read of a big thread finishes on two cores busy with the
 * other suites (at 100 ms a retried read timed out again in CI, and the fault looked like a loss).
 */
export const SHORT_TIMEOUT_MS = 200;

export type Webhook = readonly [string, unknown];
export type Deliver = (webhook: Webhook, id?: string) => Promise<void>;

/** What a story's set-up steps use: the server, its repository, webhooks about it, and the app. */
export type World = { github: GitHubTestServer; repo: Repository; hooks: ReturnType<typeof storyWebhooks>; deliver: Deliver };

/** A loopback GitHub on a fixed clock holding one repository, filled by `populate`. */
export async function startGitHub(populate: (github: GitHubTestServer, repo: Repository) => void): Promise<World["github"]> {
  const github = new GitHubTestServer(PUBLIC_KEY);
  github.clock = { now: () => NOW };
  await github.start();
  populate(github, github.addRepo(OWNER, REPO, "main"));
  return github;
}

export function repoOf(github: GitHubTestServer): Repository {
  return github.repos.get(`${OWNER}/${REPO}`)!;
}

/**
 * The app freshly loaded (empty caches, no token yet) against `github`; returns how to deliver it a
 * webhook. `shipped`: with Probot's retry and throttling plugins on and reads sent directly first,
 * as users run it (retries after 1 ms instead of seconds).
 */
export async function loadApp(github: GitHubTestServer, requestTimeoutMs?: number, shipped = false): Promise<Deliver> {
  const log = pino({ level: "silent" });
  const probot = shipped ? shippedProbot(log, github.apiBase) : testProbot(log, github.apiBase);
  await loadTestApp(probot, { ...(requestTimeoutMs ? { requestTimeoutMs } : {}), directReads: shipped });
  let deliveries = 0;
  return ([name, payload], id = `delivery-${++deliveries}`) => probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
}

/** A world whose story is told by `setup` through the app; returns the webhook it leads up to. */
export async function story(populate: Parameters<typeof startGitHub>[0], setup: (world: World) => Promise<Webhook>) {
  const github = await startGitHub(populate);
  try {
    const repo = repoOf(github);
    const webhook = await setup({ github, repo, hooks: storyWebhooks(github, repo), deliver: await loadApp(github) });
    return { github, webhook, restore: github.saveModel() };
  } catch (error) {
    await github.stop();
    throw error;
  }
}

/**
 * One clean delivery of the story's webhook, from the story's saved start (`restore`), by a freshly
 * loaded app: the state before it, the API calls it made, and the state it leaves (the reference
 * every faulty delivery is held to).
 */
export async function cleanDelivery(github: GitHubTestServer, webhook: Webhook, restore: () => void) {
  restore();
  const before = stateOf(github);
  const start = github.log.length;
  await (await loadApp(github))(webhook);
  const calls = github.calls().slice(start);
  const reference = stateOf(github);
  return { before, calls, reference };
}

export type FaultKind = "500" | "timeout" | "secondary rate limit" | "lost answer" | "dropped connection";

/**
 * Every way a request can fail; a lost answer only where it matters, on a write; a dropped
 * connection on the answer to a protection rule, the one request the app retries itself.
 */
export function faultKinds(call: string): FaultKind[] {
  // A read (a GET, or a GraphQL query: a POST that changes nothing) has no answer to lose that matters.
  if (isReadRequest({ method: call.split(" ")[0]!, path: call.split(" ")[1]! })) return ["500", "timeout", "secondary rate limit"];
  const kinds: FaultKind[] = ["500", "timeout", "secondary rate limit", "lost answer"];
  return call.endsWith("/deployment_protection_rule") ? [...kinds, "dropped connection"] : kinds;
}

const REPLIES: Record<FaultKind, Fault> = {
  "500": { status: 500, body: { message: "Server Error" } },
  // Answered long after the client has given up: the request is never carried out.
  timeout: { status: 502, body: { message: "Server Error" }, delayMs: SHORT_TIMEOUT_MS * 5 },
  "secondary rate limit": {
    status: 403,
    headers: { "retry-after": "1" },
    body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" },
  },
  // Carried out, but its answer never reaches the client: the write happened, the app cannot know.
  "lost answer": { status: 502, body: { message: "Server Error" }, delayMs: SHORT_TIMEOUT_MS * 5, applied: true },
  // Held for a while, then the connection is cut without an answer, before the client gives up.
  "dropped connection": { drop: true, delayMs: SHORT_TIMEOUT_MS / 2 },
};

/** Makes the k-th request (1-based) fail; the requests around it are answered. */
export function failCall(github: GitHubTestServer, k: number, kind: FaultKind): () => void {
  let seen = 0;
  return github.injectFault(() => (++seen === k ? REPLIES[kind] : undefined));
}

/**
 * What people and the gate see in a repository: issues, comments with their exact bodies and
 * reactions, labels, gate answers, deployment statuses and check runs (an exception's state is a
 * check run).
 */
export function repositoryState(repo: Repository) {
  const issues = [...repo.issues.values()].map((i) => ({
    number: i.number,
    title: i.title,
    state: i.state,
    state_reason: i.state_reason,
    labels: [...i.labels].sort(),
    assignees: i.assignees.map((a) => a.login),
    body: i.body,
  }));
  const comments = [...repo.comments.values()].map((c) => ({
    on: c.issue_number,
    by: c.user.login,
    body: c.body,
    reactions: c.reactions.map((r) => `${r.user.login}:${r.content}`).sort(),
  }));
  const statuses = [...repo.deploymentStatuses.entries()].map(([id, list]) => ({ deployment: id, states: list.map((s) => `${s.state}:${s.description}`) }));
  const checkRuns = [...(repo.checkRuns?.values() ?? [])].map((r) => ({ name: r.name, head_sha: r.head_sha, status: r.status, conclusion: r.conclusion, title: r.output.title, summary: r.output.summary, text: r.output.text }));
  return { issues, comments, answers: [...repo.protectionRuleAnswers], statuses, checkRuns };
}

export type RepositoryState = ReturnType<typeof repositoryState>;

/** The test server's repository's state, without the comment ids the server drew (links to comments name them). */
export function stateOf(github: GitHubTestServer): RepositoryState {
  const state = repositoryState(repoOf(github));
  return { ...state, comments: state.comments.map((c) => ({ ...c, body: c.body.replace(/issuecomment-\d+/g, "issuecomment-N") })) };
}

/** One line per item, to be counted: a second identical comment is a second line. */
export function stateLines(state: RepositoryState): string[] {
  return [
    ...state.issues.map((i) => `issue ${JSON.stringify(i)}`),
    ...state.comments.map((c) => `comment ${JSON.stringify(c)}`),
    ...state.answers.map((a) => `answer ${JSON.stringify(a)}`),
    ...state.statuses.map((s) => `status ${JSON.stringify(s)}`),
    ...state.checkRuns.map((r) => `check run ${JSON.stringify(r)}`),
  ];
}

/** `from` without one line for each line of `remove`. */
export function leftOver(from: string[], remove: string[]): string[] {
  return remove.reduce((rest, line) => (rest.includes(line) ? rest.toSpliced(rest.indexOf(line), 1) : rest), from);
}

/**
 * What a run in a flow's gap leaves: the state before the webhook plus GitHub's answer and, when
 * the first delivery had already opened them (`opened`), the issues the clean delivery opens,
 * exactly as it left them (named by no record, so the redelivery cannot act on them).
 */
export function gapState(before: RepositoryState, clean: RepositoryState, held: RepositoryState["answers"], opened: boolean) {
  const issues = opened ? [...before.issues, ...clean.issues.filter((i) => !before.issues.some((b) => b.number === i.number))] : before.issues;
  return { ...before, issues, answers: held };
}

/** How `actual` differs from `expected`, item by item (issues, comments, answers, statuses, check runs), for a failure message. */
export function describeDifference(expected: RepositoryState, actual: RepositoryState): string {
  const [want, got] = [stateLines(expected), stateLines(actual)];
  const short = (line: string) => line.slice(0, 240);
  return [...leftOver(want, got).map((l) => `missing ${short(l)}`), ...leftOver(got, want).map((l) => `extra ${short(l)}`)].join("\n    ");
}
