import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { run, type ApplicationFunction, type Logger, type Probot } from "probot";
import { CredentialsRefused, readCredentials, verifyCredentials } from "./credentials.js";
import { withoutBindings } from "./decision-log.js";
import { healthEndpoints } from "./health.js";
import { createApp } from "./index.js";
import { connectRedis, type SharedRedis } from "./coordination/redis.js";
import { heartbeatTimeoutFromEnv, redisDeliveriesInProgress } from "./coordination/deliveries-in-progress.js";
import { deliverySweepOptionsFromEnv, sweepsHere } from "./delivery-sweep.js";
import { Readiness } from "./readiness.js";
import { RepeatedErrors } from "./repeated-errors.js";
import { ABANDON_ANSWER_MS, Deliveries, type Abandoned } from "./shutdown.js";
import { graceFromEnv } from "./shutdown-grace.js";

/**
 * `npm start`: Probot's own runner (`run` from probot, as `probot run` calls it) around the
 * app, with what a process in production needs and `probot run` leaves out:
 *
 * 1. Credentials are read before Probot sees them: none at all → Probot's setup page, as
 *    `probot run` does; a malformed key or APP_ID → exit 1 with Probot's instructions (instead
 *    of Probot's quiet fall-back to the setup page).
 * 2. GitHub is asked `GET /app` with the app's JWT before the port opens: refused → exit 1.
 * 3. `/healthz` (alive) and `/readyz` (ready) report GitHub and, with REDIS_URL, Redis.
 * 4. SIGTERM (and SIGINT) drain: new deliveries get 503, those in flight finish within
 *    MAINLINE_SHUTDOWN_GRACE_SECONDS, then the process exits 0. A protection rule still being
 *    decided then is answered `rejected` (re-run the deployment). The handler is installed
 *    first: a signal during start-up (before the port opens) exits 0 at once; node as PID 1
 *    would otherwise ignore it.
 */
type Loaded = { probot: Probot; readiness: Readiness; deliveries: Deliveries; redis: SharedRedis | undefined; log: Logger; sweeping: boolean };

async function main(): Promise<void> {
  applyDotEnv();
  const credentials = readCredentials(process.env);
  if (credentials.kind === "invalid") return fail(credentials.message);
  const grace = graceFromEnv(process.env);
  const stopping = new AbortController();
  let loaded: Loaded | undefined;
  // Before anything slow (GET /app, Redis): until the app is loaded nothing is in flight, so a
  // signal exits at once; once loaded, it drains. Probot's run() adds its own SIGINT listener
  // (close the server, exit at once): removed below, mainline drains on both.
  const shutdown = onceOnly(async (signal: NodeJS.Signals) => {
    if (!loaded) {
      console.info(`${signal} during start-up: nothing in flight; exiting`);
      return process.exit(0);
    }
    await drainAndExit(loaded, stopping, signal, grace.ms);
  });
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  const app: ApplicationFunction = async (probot, options) => {
    // mainline's own lines: `name` once (Probot's logger already carries it twice).
    const own = (name: string): Logger => withoutBindings(probot.log, ["name"]).child({ name });
    if (grace.problem) own("shutdown").warn(grace.problem);
    const github = await verifyCredentials(probot);
    if (!github.reachable) own("mainline").warn({ github }, `GitHub did not answer GET /app (${github.error}): starting not ready; /readyz asks again`);
    // The replicas' one shared thing: locks and sweeps. Down at start, it only reports unreachable.
    const redis = process.env.REDIS_URL ? await connectRedis(process.env.REDIS_URL, new RepeatedErrors(own("redis"), "Redis (REDIS_URL)")) : undefined;
    const readiness = new Readiness(probot, github, redis);
    await createApp({ health: healthEndpoints(readiness), signal: stopping.signal, ...(redis ? { redis } : {}) })(probot, options);
    // With Redis, each delivery in flight is noted in the replicas' journal (this app's), so the
    // sweep redelivers work lost after a 202: this replica's, or another's sharing the Redis.
    const heartbeat = heartbeatTimeoutFromEnv(process.env);
    if (redis && heartbeat.problem) own("shutdown").warn(heartbeat.problem);
    const appId = redis ? ((await (await probot.auth()).auth({ type: "app" })) as { appId: number }).appId : undefined;
    const inProgress = redis && appId !== undefined ? redisDeliveriesInProgress(redis.client, appId, { heartbeatTimeoutMs: heartbeat.ms }) : undefined;
    // Last, so that its door stands in front of every other wrapper of the webhook middleware.
    const deliveries = new Deliveries(probot, own("shutdown"), inProgress);
    deliveries.install();
    loaded = { probot, readiness, deliveries, redis, log: own("shutdown"), sweeping: sweepsHere(deliverySweepOptionsFromEnv(process.env)) };
  };

  const sigintBefore = new Set(process.listeners("SIGINT"));
  // Probot is not given REDIS_URL: its client would queue every GitHub request in Redis, so with
  // Redis down no gate could answer. mainline shares the write pacing itself, failing open
  // (coordination/write-pacing.ts).
  const { REDIS_URL: _forMainlineOnly, ...probotEnv } = process.env;
  await run(app, { env: probotEnv });
  for (const listener of process.listeners("SIGINT")) if (!sigintBefore.has(listener)) process.removeListener("SIGINT", listener);
  if (!loaded && credentials.kind === "given") return fail(`mainline cannot start: Probot did not accept APP_ID and the private key and fell back to its setup page.`);
  // Setup mode (no credentials): `loaded` stays unset, so a signal exits at once.
}

async function drainAndExit({ readiness, deliveries, redis, log, sweeping }: Loaded, stopping: AbortController, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  // Whatever happens below, the process is gone before Kubernetes' SIGKILL (30 s after SIGTERM; the default grace is 25 s).
  setTimeout(() => process.exit(0), graceMs + ABANDON_ANSWER_MS + 1_500).unref();
  readiness.drain();
  stopping.abort();
  const inFlight = deliveries.inFlight;
  const arriving = deliveries.arriving ? ` (and ${deliveries.arriving} still sending their body)` : "";
  log.info({ signal, inFlight, arriving: deliveries.arriving, graceSeconds: graceMs / 1000 }, `${signal}: shutting down; new deliveries get 503, waiting up to ${graceMs / 1000} s for ${inFlight} in flight${arriving}`);
  const started = Date.now();
  const { finished, abandoned, cut } = await deliveries.drain(graceMs);
  if (cut) log.info({ cut }, `${cut} request(s) still sending their body when shutdown started were answered 503 and closed (never verified, so never counted as deliveries)`);
  for (const delivery of abandoned) logAbandoned(log, delivery, graceMs, sweeping);
  log.info({ finished, abandoned: abandoned.length, seconds: (Date.now() - started) / 1000 }, `shut down: ${finished} deliveries finished, ${abandoned.length} abandoned`);
  await redis?.close();
  // Give the log stream a moment to flush its last lines.
  setTimeout(() => process.exit(0), 100);
}

/**
 * One line per abandoned delivery, saying what happens to it now and what a person has to do.
 * `sweeping`: this replica runs the missed-webhook sweep (neither MAINLINE_REDELIVERY=off nor an interval of 0).
 */
function logAbandoned(log: Logger, { id, event, github, rule, noted }: Abandoned, graceMs: number, sweeping: boolean): void {
  const head = `delivery ${id} (${event}) did not finish within ${graceMs / 1000} s and was abandoned`;
  const fields = { delivery: id, event, github, ...(rule ? { ruleAnswer: rule.answer } : {}) };
  if (rule?.answer === "rejected") {
    log.warn(fields, `${head}: its protection rule was answered rejected (mainline shut down before it could decide); the deployment must be re-run`);
    return;
  }
  const ruleNote =
    rule?.answer === "earlier"
      ? "; its protection rule had already been answered, what came after the answer did not finish"
      : rule?.answer === "failed"
        ? `; answering its protection rule rejected failed too (${rule.error}), so the deployment waits until the delivery is redelivered or the deployment re-run`
        : "";
  if (github === "accepted" && noted && sweeping) {
    log.error(fields, `${head}: GitHub already had a 202 for it and recorded it as delivered; it is noted in Redis as unfinished, so the missed-webhook sweep (on any replica) asks GitHub to redeliver it${ruleNote}`);
  } else if (github === "accepted" && noted) {
    log.error(
      fields,
      `${head}: GitHub already had a 202 for it and recorded it as delivered, and this replica runs no missed-webhook sweep (MAINLINE_REDELIVERY=off or MAINLINE_REDELIVERY_INTERVAL_MINUTES=0); it is noted in Redis as unfinished, so a replica sweeping with the same REDIS_URL asks GitHub to redeliver it; if none does, it must be redelivered by hand (app settings → Advanced → Recent Deliveries → Redeliver)${ruleNote}`,
    );
  } else if (github === "accepted") {
    log.error(fields, `${head}: GitHub already had a 202 for it and recorded it as delivered, so neither GitHub nor the sweep sends it again: it must be redelivered by hand (app settings → Advanced → Recent Deliveries → Redeliver)${ruleNote}`);
  } else {
    log.error(fields, `${head}: it was answered 503, so GitHub recorded it as failed; the redelivery sweep sends it again, or redeliver it from the app's settings (Advanced → Recent Deliveries)${ruleNote}`);
  }
}

/** Probot's run() applies `.env` itself; mainline reads it first, the same way, to check the credentials in it. */
function applyDotEnv(): void {
  try {
    Object.assign(process.env, parseEnv(readFileSync(join(process.cwd(), ".env"), "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function onceOnly<A extends unknown[]>(act: (...args: A) => Promise<unknown>): (...args: A) => void {
  let started = false;
  return (...args) => {
    if (started) return;
    started = true;
    void act(...args);
  };
}

function fail(message: string): void {
  console.error(message);
  process.exit(1);
}

main().catch((error: unknown) => {
  if (error instanceof CredentialsRefused) return fail(error.message);
  console.error("mainline could not start:", error);
  process.exit(1);
});
