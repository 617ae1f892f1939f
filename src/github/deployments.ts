import type { Account, DeploymentFacts, StatusFacts } from "../policy/deployment-history.js";
import { neutraliseMarkers } from "../policy/text.js";
import { setTimeout as sleep } from "node:timers/promises";
import { isApiError } from "./api-error.js";
import type { Octokit, RepoClient } from "./client.js";

export type ProtectionRuleAnswer = {
  callbackUrl: string;
  environment: string;
  state: "approved" | "rejected";
  comment: string;
};

/**
 * How the answer to a protection rule is retried. GitHub waits about 10 seconds for a webhook's
 * delivery, so no attempt is started later than `budgetMs` after the first one went out (the
 * decision before it took some of those seconds); an attempt GitHub has not answered `attemptMs`
 * after it went out is given up, so that a second one fits. Time an attempt spends waiting in the
 * client (Probot's write spacing: one write per second per installation) is not GitHub hanging:
 * it counts against neither, so a busy installation's answers queue up and all go out.
 */
export type AnswerRetry = {
  attemptMs: number;
  budgetMs: number;
  /** The pause before the second attempt, doubled before each later one. */
  backoffMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<unknown>;
};

export const ANSWER_RETRY: AnswerRetry = { attemptMs: 3_000, budgetMs: 8_000, backoffMs: 250, now: Date.now, sleep };

/**
 * `ours`: GitHub took this answer just now. `earlier-or-ours`: GitHub refused it as already
 * answered after an attempt whose outcome is unknown, so it holds either that attempt's answer
 * (the same one) or an answer given before this call.
 */
export type Answered = "ours" | "earlier-or-ours";

const CALLBACK_PATH = /\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

/**
 * Answers a custom deployment protection rule. The callback URL's path names the run; the
 * request goes to the API base this app is configured for, so the installation token is never
 * sent to a host taken from a payload.
 *
 * Unlike other POSTs (sent once: see no-retried-creates.ts) this one is retried, because a
 * repeat cannot do anything twice: GitHub keeps the first answer to a run and refuses a later
 * one with 422. Without retries one dropped connection leaves the deployment waiting until a
 * redelivery. The client's own retries are off for it, so that this budget is the only one.
 * A 422 when no earlier attempt may have been taken throws, as before: answered earlier.
 */
export async function answerProtectionRule(octokit: Octokit, answer: ProtectionRuleAnswer, retry = ANSWER_RETRY): Promise<Answered> {
  const match = CALLBACK_PATH.exec(new URL(answer.callbackUrl).pathname);
  if (!match) throw new Error(`deployment_callback_url is not a deployment protection rule URL: ${answer.callbackUrl}`);
  const [, owner, repo, runId] = match;
  const run = { owner: decodeURIComponent(owner!), repo: decodeURIComponent(repo!), run_id: Number(runId) };
  // The comment names the environment and quotes the config: no marker syntax from them goes out in the app's name.
  const params = { ...run, environment_name: answer.environment, state: answer.state, comment: neutraliseMarkers(answer.comment) };
  // Set when the first attempt goes out to GitHub (not when it joins the client's write queue).
  let deadline: number | undefined;
  let mayHaveBeenTaken = false;
  for (let attempt = 1; ; attempt++) {
    // A retry is made only while some of the budget is left (checked before its pause), and gets at most that.
    const limitMs = Math.min(retry.attemptMs, deadline === undefined ? retry.budgetMs : deadline - retry.now());
    try {
      await onTheWire(
        limitMs,
        () => (deadline ??= retry.now() + retry.budgetMs),
        octokit,
        (request) => octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", { ...params, request: { retries: 0, ...request } }),
      );
      return "ours";
    } catch (error) {
      if (mayHaveBeenTaken && isApiError(error) && error.status === 422) return "earlier-or-ours";
      const pause = pauseBeforeRetry(error, retry.backoffMs * 2 ** (attempt - 1));
      if (pause === undefined || retry.now() + pause >= (deadline ?? retry.now() + retry.budgetMs)) throw error;
      mayHaveBeenTaken ||= outcomeUnknown(error);
      await retry.sleep(pause);
    }
  }
}

type GitHubReply = { status: number; response: { headers: Record<string, string | number | undefined> } };

/** GitHub's reply carried by an error; absent when none came (dropped, timed out, unreachable). */
function replyOf(error: unknown): GitHubReply | undefined {
  return isApiError(error) && (error as Partial<GitHubReply>).response ? (error as unknown as GitHubReply) : undefined;
}

/** No reply, or a 5xx (a proxy may have lost GitHub's): the request may have been carried out. */
function outcomeUnknown(error: unknown): boolean {
  const reply = replyOf(error);
  return !reply || reply.status >= 500;
}

/**
 * How long to wait before trying again, or undefined when trying again cannot help. A rate limit
 * is waited out only when GitHub says how long (a secondary limit without `retry-after` means a
 * minute or more, past any budget); other 4xx replies will not change.
 */
function pauseBeforeRetry(error: unknown, backoffMs: number): number | undefined {
  const reply = replyOf(error);
  if (!reply || reply.status >= 500) return backoffMs;
  if (reply.status !== 403 && reply.status !== 429) return undefined;
  const seconds = Number(reply.response.headers["retry-after"] ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.max(seconds * 1000, backoffMs) : undefined;
}

/**
 * Sends one attempt and gives up on it `limitMs` after it went out, whatever the client did
 * before that (its hooks, its write queue): the clock starts when the request reaches `fetch`.
 * The request is aborted with its signal, so an attempt given up on leaves nothing behind.
 */
async function onTheWire<T>(
  limitMs: number,
  onSent: () => void,
  octokit: Octokit,
  send: (request: { signal: AbortSignal; fetch: typeof fetch }) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let expire!: (error: Error) => void;
  const expired = new Promise<never>((_, reject) => (expire = reject));
  expired.catch(() => undefined);
  const base: typeof fetch = (octokit.request.endpoint.DEFAULTS.request as { fetch?: typeof fetch } | undefined)?.fetch ?? globalThis.fetch;
  const timed: typeof fetch = (input, init) => {
    if (timer === undefined) {
      onSent();
      timer = setTimeout(() => {
        const error = new Error(`no answer within ${limitMs} ms`);
        controller.abort(error);
        expire(error);
      }, limitMs);
    }
    return base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal });
  };
  try {
    return await Promise.race([send({ signal: controller.signal, fetch: timed }), expired]);
  } finally {
    clearTimeout(timer);
  }
}

type Written = { creator: { id: number | bigint; type?: string } | null; performed_via_github_app?: { id: number | bigint } | null };

/**
 * Whose account GitHub records as the `creator` of a deployment or a status: this app's bot (its
 * bot, acting as this app, as `isOwnComment` tells), another app's bot (GitHub Actions'
 * `github-actions[bot]`, a deploy app), or anything else — a person, a machine user's token.
 */
export function accountOf(written: Written, appId: number): Account {
  const { creator } = written;
  if (!creator) return null;
  const id = Number(creator.id);
  if (creator.type !== "Bot") return { id, kind: "person" };
  return { id, kind: Number(written.performed_via_github_app?.id) === appId ? "this-app" : "app" };
}

/** A deployment status as the gate and `/incident rollback` read it: what it says, when, and who wrote it. */
export function statusFactsOf(status: Written & { state: string; created_at: string }, appId: number): StatusFacts {
  return { state: status.state, createdAt: status.created_at, writtenBy: accountOf(status, appId) };
}

/** A deployment as the gate and `/incident rollback` read it, without its statuses: what it deployed where, when, and who created it. */
export function deploymentFactsOf(deployment: Written & { id: number | bigint; environment: string; sha: string; created_at: string }, appId: number): Omit<DeploymentFacts, "statuses"> {
  return { id: Number(deployment.id), environment: deployment.environment, sha: deployment.sha, createdAt: deployment.created_at, createdBy: accountOf(deployment, appId) };
}

export type DeploymentRef = { owner: string; repo: string; deploymentId: number };

/** The newest statuses of a deployment (who said what about it). */
export async function listDeploymentStatuses({ octokit, owner, repo }: RepoClient, deploymentId: number) {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { owner, repo, deployment_id: deploymentId, per_page: 100 });
  return data;
}

/**
 * Marks a deployment failed, unless a status with the same description is already there
 * (a redelivered webhook must not stack a second failure on the deployment).
 */
export async function markDeploymentRefused(
  octokit: Octokit,
  ref: DeploymentRef,
  status: { description: string; logUrl: string; environment: string },
): Promise<"written" | "already-there"> {
  const params = { owner: ref.owner, repo: ref.repo, deployment_id: ref.deploymentId };
  const { data: existing } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    ...params,
    per_page: 100,
  });
  const description = neutraliseMarkers(status.description);
  if (existing.some((s) => s.state === "failure" && s.description === description)) return "already-there";
  await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    ...params,
    state: "failure",
    description,
    log_url: status.logUrl,
    environment: status.environment,
    auto_inactive: false,
  });
  return "written";
}
