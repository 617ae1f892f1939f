import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Context, Probot } from "probot";
import { AncestryReader } from "./github/ancestry.js";
import { onDeploymentCreated } from "./handlers/deployment.js";
import { onDeploymentProtectionRule } from "./handlers/deployment-protection-rule.js";
import { onDeploymentStatus } from "./handlers/deployment-status.js";
import { onCommentChanged } from "./handlers/comment-changed.js";
import { onIssueComment } from "./handlers/issue-comment.js";
import { onIssueClosed } from "./handlers/issues-closed.js";
import { onIssueDeleted } from "./handlers/issues-deleted.js";
import { onIssueLabeled } from "./handlers/issues-labeled.js";
import { onIssueTransferred } from "./handlers/issues-transferred.js";
import { onIssueUpdated } from "./handlers/issues-updated.js";
import { onPush } from "./handlers/push.js";
import { onPullRequest } from "./handlers/pull-request.js";
import { onCheckRerequested } from "./handlers/check-rerequested.js";
import { ifWellFormed } from "./delivery/well-formed.js";
import { RepositoryQueue } from "./delivery/one-at-a-time.js";
import { deliverySweepOptionsFromEnv, startDeliverySweep } from "./delivery-sweep.js";
import { healthz } from "./health.js";
import { Metrics } from "./metrics.js";
import { metricsEndpoint } from "./metrics-endpoint.js";
import { deliveryOutcomes } from "./delivery-outcomes.js";
import { refuseUnsignedWebhooks } from "./signature-gate.js";
import { installationClients, type ClientFor } from "./github/installation-client.js";
import { REQUEST_TIMEOUT_MS } from "./github/request-timeout.js";
import { startReminderSweep } from "./reminder-sweep.js";
import { connectRedis, type SharedRedis } from "./coordination/redis.js";
import { lockExpiryFromEnv, RedisRepositoryLock } from "./coordination/repository-lock.js";
import { NO_SWEEP_LOCK, redisSweepLock } from "./coordination/sweep-lock.js";
import { redisWritePacing, writeSpacingFromEnv } from "./coordination/write-pacing.js";
import { redisDeploymentLock } from "./coordination/deployment-lock.js";
import { heartbeatTimeoutFromEnv } from "./coordination/deliveries-in-progress.js";
import { RepeatedErrors } from "./repeated-errors.js";
import { rememberReads } from "./github/delivery-reads.js";

export type AppOptions = {
  now?: () => Date;
  botLogin?: string;
  /** How often overdue merge-backs are looked for; 0 turns the sweep off. */
  reminderIntervalMinutes?: number;
  /** Whether failed webhook deliveries are swept for redelivery (settings from the environment). */
  redeliverMissed?: boolean;
  /** How long one attempt of an API request may take before it is abandoned (and retried). */
  requestTimeoutMs?: number;
  /** The key records are signed with (default MAINLINE_RECORD_KEY, else WEBHOOK_SECRET). */
  recordKey?: string;
  /** `/healthz` and `/readyz` (src/health.ts); the start entry passes what it checked at start-up. */
  health?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** Aborted when the process shuts down: the timed sweeps stop starting new work. */
  signal?: AbortSignal;
  /**
   * The replicas' shared Redis (REDIS_URL): work about one repository then takes turns across
   * replicas, and the sweeps run on one replica at a time. The start entry connects it; an app
   * loaded by another runner with REDIS_URL set connects its own.
   */
  redis?: SharedRedis;
  /** Whether reads go out first without the client's queues (off only where its retries are off too). */
  directReads?: boolean;
  /** What `GET /metrics` shows (default: a registry of this app's own). */
  metrics?: Metrics;
};

// Wiring only: each event's recipe lives in its own file under handlers/.
export function createApp({
  now = () => new Date(),
  botLogin,
  reminderIntervalMinutes = Number(process.env.MAINLINE_REMINDER_INTERVAL_MINUTES ?? 60),
  redeliverMissed = true,
  requestTimeoutMs = REQUEST_TIMEOUT_MS,
  recordKey = process.env.MAINLINE_RECORD_KEY || process.env.WEBHOOK_SECRET,
  health = healthz,
  signal,
  directReads = true,
  redis,
  metrics = new Metrics(),
}: AppOptions = {}): ApplicationFunction {
  return async (probot, { addHandler }) => {
    // The app's own id, from its credentials: only comments this app wrote count as records.
    const { appId } = (await (await probot.auth()).auth({ type: "app" })) as { appId: number };
    if (!recordKey) throw new Error("mainline signs its records with MAINLINE_RECORD_KEY or WEBHOOK_SECRET: set one of them");
    const shared = redis ?? (process.env.REDIS_URL ? await connectRedis(process.env.REDIS_URL, new RepeatedErrors(probot.log.child({ name: "redis" }), "Redis (REDIS_URL)")) : undefined);
    const locks = probot.log.child({ name: "locks" });
    const expiry = lockExpiryFromEnv(process.env);
    const spacing = writeSpacingFromEnv(process.env);
    if (shared && expiry.problem) locks.warn(expiry.problem);
    if (shared && spacing.problem) locks.warn(spacing.problem);
    const across = shared
      ? new RedisRepositoryLock(shared.client, {
          holdMs: expiry.ms,
          waited: metrics.lockWaited,
          lost: (repository, error) => locks.error({ err: error, repository }, "a repository's lock in Redis could not be extended while its work ran: its next write asks Redis whether it is still held"),
        })
      : undefined;
    const deps = {
      ancestry: new AncestryReader({ remember: !shared }),
      clientFor: installationClients(probot, requestTimeoutMs, directReads, metrics, shared ? redisWritePacing(shared.client, { minSpacingMs: spacing.ms, waited: metrics.writePaced }) : undefined),
      queue: new RepositoryQueue({ across, ...(signal ? { stopping: signal } : {}) }),
      now,
      appId,
      records: { appId, key: recordKey },
      botLogin: once(async () => botLogin ?? (await readBotLogin(probot))),
      metrics,
      ...(shared ? { deploymentLock: redisDeploymentLock(shared.client, { unheld: (deployment, why) => locks.warn({ deployment }, why) }) } : {}),
    };
    const perInstallation = perInstallationLimits(deps.clientFor);
    const outcomes = deliveryOutcomes(metrics);
    // A malformed payload is logged and dropped before it costs a request or reaches a handler.
    const limited = <C extends Context>(handler: (context: C) => Promise<void>) => ifWellFormed(outcomes.counted(perInstallation(handler)), outcomes.dropped);
    // Gates decide side by side (a decision only reads); what they record waits in deps.queue.
    const queued = <C extends Context>(handler: (context: C) => Promise<void>) => limited(deps.queue.wrap(handler));
    probot.on("deployment_protection_rule.requested", limited(onDeploymentProtectionRule(deps)));
    probot.on("deployment.created", limited(onDeploymentCreated(deps)));
    probot.on("deployment_status.created", queued(onDeploymentStatus(deps)));
    probot.on("issue_comment.created", queued(onIssueComment(deps)));
    probot.on(["issue_comment.edited", "issue_comment.deleted"], queued(onCommentChanged(deps)));
    probot.on("issues.labeled", queued(onIssueLabeled(deps)));
    probot.on("issues.closed", queued(onIssueClosed(deps)));
    probot.on("issues.transferred", queued(onIssueTransferred(deps)));
    probot.on("issues.deleted", queued(onIssueDeleted(deps)));
    probot.on(["issues.edited", "issues.reopened"], queued(onIssueUpdated(deps)));
    probot.on("push", limited(onPush(deps)));
    probot.on("pull_request", queued(onPullRequest(deps)));
    probot.on(["check_run.rerequested", "check_suite.rerequested"], queued(onCheckRerequested(deps)));
    addHandler(health);
    addHandler(metricsEndpoint(metrics));
    refuseUnsignedWebhooks(probot);
    const stops: Array<() => void> = [];
    if (reminderIntervalMinutes > 0) {
      const intervalMs = reminderIntervalMinutes * 60_000;
      // Just under an interval, as the delivery sweep's: one replica sends each round of reminders.
      const turn = shared ? redisSweepLock(shared.client, `reminder-sweep:${appId}`, Math.floor(intervalMs * 0.9)) : NO_SWEEP_LOCK;
      stops.push(startReminderSweep(probot, deps, intervalMs, turn));
    }
    if (redeliverMissed) stops.push(startDeliverySweep(probot, { ...deliverySweepOptionsFromEnv(process.env), ...(shared ? { redis: shared, heartbeatTimeoutMs: heartbeatTimeoutFromEnv(process.env).ms } : {}), metrics }));
    signal?.addEventListener("abort", () => stops.forEach((stop) => stop()), { once: true });
  };
}

/**
 * Probot gives each webhook a client whose write spacing is shared by every installation (about
 * one write per second per process); handlers get their installation's own client instead.
 */
function perInstallationLimits(clientFor: ClientFor) {
  return <C extends Context>(handler: (context: C) => Promise<void>) =>
    async (context: C): Promise<void> => {
      const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
      if (installation !== undefined) context.octokit = rememberReads(await clientFor(installation)) as C["octokit"];
      await handler(context);
    };
}

/** The app's bot account, asked of GitHub once (on first need, not at start-up). */
async function readBotLogin(probot: Probot): Promise<string> {
  const { data } = await (await probot.auth()).request("GET /app");
  return `${data?.slug ?? "mainline"}[bot]`;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

export default createApp();
