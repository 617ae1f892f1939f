import { Redis } from "ioredis";
import { inProgressKeys } from "../../src/coordination/deliveries-in-progress.js";
import { OWNER } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js";
import { closest, replicaState, Replicas, type Webhook } from "../helpers/replicas.js";
import { credentialsFor, NODE_START, startApp, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * SPEC section 9, "a replica killed in the middle of a delivery loses nothing", past Probot's 202:
 * a delivery whose work still runs after GitHub had its 202 (GitHub is slow to answer one of its
 * writes), and whose replica is then killed (SIGKILL), is recorded at GitHub as delivered, so
 * GitHub's own record would never bring it back. The replicas' journal of deliveries in progress
 * (REDIS_URL) notes it with a heartbeat; once the heartbeat stops, the missed-webhook sweep on
 * another replica asks GitHub to redeliver it, a third replica finishes it, and the repository
 * ends as one in-order delivery leaves it: nothing lost, nothing duplicated.
 *
 * The test plays GitHub's delivery log: the delivery it sends is recorded there (with the 202 the
 * replica answered), and a redelivery GitHub is asked for goes to a live replica with the same guid.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const HOTFIX = sha("1");
const PATCH = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";
const ALLOW = `/hotfix allow ${HOTFIX.slice(0, 7)} production -- card payments down`;
/** A replica silent this long is taken for dead (the least MAINLINE_HEARTBEAT_TIMEOUT_SECONDS allows; 30 by default). */
const HEARTBEAT_TIMEOUT_SECONDS = "5";
/** The sweep every 3 s (MAINLINE_REDELIVERY_INTERVAL_MINUTES; 10 min by default). */
const SWEEP_MINUTES = "0.05";
/** The journal of the test app (APP_ID 123, credentialsFor). */
const { journal: IN_PROGRESS_KEY, states: STATE_KEY } = inProgressKeys(123);

let github: GitHubTestServer;
let redis: RedisServer;
let replicas: Replicas;
let sweeper: RunningApp;
const env = process.env.MAINLINE_HEARTBEAT_TIMEOUT_SECONDS;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  redis = await startRedisServer();
  // Every replica the same timeout, as an operator sets it on all: Replicas starts them with this process's environment.
  process.env.MAINLINE_HEARTBEAT_TIMEOUT_SECONDS = HEARTBEAT_TIMEOUT_SECONDS;
  const sweeping = { ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING, REDIS_URL: redis.url, MAINLINE_REDELIVERY: "on", MAINLINE_REDELIVERY_INTERVAL_MINUTES: SWEEP_MINUTES, MAINLINE_REMINDER_INTERVAL_MINUTES: "0", LOG_FORMAT: "json" };
  [replicas, sweeper] = await Promise.all([Replicas.start(github, redis.url, 2, WITHOUT_WRITE_SPACING), startApp(sweeping, "/healthz", NODE_START)]);
}, 60_000);

afterAll(async () => {
  if (env === undefined) delete process.env.MAINLINE_HEARTBEAT_TIMEOUT_SECONDS;
  else process.env.MAINLINE_HEARTBEAT_TIMEOUT_SECONDS = env;
  await Promise.all([replicas?.stop(), sweeper?.stop()]);
  await redis?.stop();
  await github?.stop();
});

afterEach(() => {
  expect(github.problems).toEqual([]);
});

/** A repository with an open incident, installed with an installation of its own: main at MAIN_HEAD, the hotfix off main; alice maintains, bob writes. */
async function incident(n: number, app: RunningApp) {
  const repo = github.addRepo(OWNER, `after-accept-${n}`, "main");
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, HOTFIX, MAIN_HEAD, "hotfix/payments", "Retry charges", PATCH);
  github.setRole(repo, "alice", "maintain");
  github.setRole(repo, "bob", "write");
  const hooks = storyWebhooks(github, repo, 7_000 + n);
  const number = github.userIssue(repo, { title: "Payments fail at checkout", body: "Card payments time out.", login: "bob" }).number;
  expect(await finish(app, hooks.issueLabeled(number, "bob", "incident"), `after-accept-${n}-label`)).toBe(200);
  return { repo, hooks, number };
}

/** A delivery run to its end: answered 202 (still running after 9 s), it is waited for. */
async function finish(app: RunningApp, webhook: Webhook, id: string): Promise<number> {
  const status = await replicas.deliver(app, webhook, id);
  if (status !== 202) return status;
  await replicas.settled();
  return 200;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n--- sweeper ---\n${sweeper.output().slice(-4_000)}\n${replicas.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sweeps = () => sweeper.output().split("\n").filter((line) => line.includes('"msg":"missed-webhook sweep: ')).length;

test("a delivery still running after its 202 whose replica is then killed (SIGKILL) is redelivered by the sweep on another replica, and ends as one in-order delivery", async () => {
  const started = Date.now();
  const [victim, survivor] = [replicas.at(0), replicas.at(1)];
  const [reference, trial] = await Promise.all([incident(1, survivor), incident(2, victim)]);
  // The reference, side by side with the trial (another repository, another installation).
  const referenced = finish(survivor, reference.hooks.comment(reference.number, "alice", ALLOW), "after-accept-1-allow");

  // `/hotfix allow` writes its record (a comment), then the exception's check run, the ledger, 👍.
  // GitHub takes 15 s over the check run: Probot answers 202 at 9 s, GitHub records the delivery as delivered.
  const path = `/repos/${OWNER}/${trial.repo.name}/check-runs`;
  let fired = false;
  const heal = github.injectFault((method, requested) => {
    if (fired || method !== "POST" || !requested.startsWith(path)) return undefined;
    fired = true;
    return { drop: true, delayMs: 15_000 };
  });
  const webhook = trial.hooks.comment(trial.number, "alice", ALLOW);
  const guid = "after-accept-2-allow";
  const sent = Date.now();
  const answered = await replicas.deliver(victim, webhook, guid);
  const acceptedAfter = (Date.now() - sent) / 1000;
  github.deliveries.seed({ guid, event: webhook[0], action: "created", status_code: answered, payload: webhook[1] });
  // The sweep's redeliveries, as GitHub makes them: to a live replica, with the event's guid.
  github.deliveries.receiver = (delivery) => replicas.deliver(survivor, [delivery.event, delivery.payload], delivery.guid);
  expect({ answered, fired }).toEqual({ answered: 202, fired: true });
  const killedAt = Date.now();
  await replicas.kill(victim);
  heal();
  const atKill = recordsAndRuns(trial.repo);

  const redelivered = () => github.deliveries.rows.filter((row) => row.guid === guid && row.redelivery);
  await until(() => redelivered().some((row) => row.status === "OK"), 45_000, "a successful redelivery of the delivery the killed replica had accepted");
  const backAfter = (Date.now() - killedAt) / 1000;
  await replicas.settled();
  const redeliveries = redelivered().map((row) => row.status_code);
  // Two more sweeps: nothing is asked again (the redelivery's own run cleared the journal).
  const swept = sweeps();
  await until(() => sweeps() >= swept + 2, 15_000, "two more sweeps");

  expect(await referenced).toBe(200);
  const expected = replicaState(reference.repo);
  const { extra, missing } = closest([expected], replicaState(trial.repo));
  const journal = new Redis(redis.url);
  const left = await journal.zrange(IN_PROGRESS_KEY, 0, -1).finally(() => journal.disconnect());
  console.info(
    `replicas after the 202: accepted (202) after ${acceptedAfter.toFixed(1)} s, then SIGKILL; redelivered by the sweep and finished ${backAfter.toFixed(1)} s after the kill ` +
      `(heartbeat timeout ${HEARTBEAT_TIMEOUT_SECONDS} s, sweep every ${Number(SWEEP_MINUTES) * 60} s); redeliveries answered ${redeliveries.join(", ")}; ` +
      `${extra.length} duplicate/extra items, ${missing.length} missing items; ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
  );
  expect(atKill).toEqual({ records: 1, runs: 0 });
  expect({ extra, missing }).toEqual({ extra: [], missing: [] });
  expect(left).toEqual([]);
  expect(redelivered().map((row) => row.status_code)).toEqual(redeliveries);
  expect(redeliveries.length).toBeLessThanOrEqual(3);
  expect(github.calls((r) => r.method === "POST" && r.path.startsWith("/app/hook/deliveries/"))).toHaveLength(redeliveries.length);
  expect(sweeper.output()).toContain(`asked GitHub to redeliver issue_comment.created ${guid}: its work was still running on `);
}, 90_000);

/** The exception's record comments and check runs in `repo`: the kill must land after the first, before the second. */
function recordsAndRuns(repo: Repository) {
  return {
    records: [...repo.comments.values()].filter((c) => c.body.startsWith("<!-- mainline:record kind=exception ")).length,
    runs: repo.checkRuns?.size ?? 0,
  };
}

test("abandoned at shutdown after its 202 on a replica that runs no sweep (MAINLINE_REDELIVERY=off): noted in Redis, and its line says a sweeping replica redelivers it, else by hand", async () => {
  // credentialsFor sets MAINLINE_REDELIVERY=off: this replica does not sweep, the sweeper above does.
  const app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING, REDIS_URL: redis.url, MAINLINE_REMINDER_INTERVAL_MINUTES: "0", MAINLINE_SHUTDOWN_GRACE_SECONDS: "1", LOG_FORMAT: "json" }, "/healthz", NODE_START);
  try {
    const trial = await incident(3, app);
    const path = `/repos/${OWNER}/${trial.repo.name}/check-runs`;
    const heal = github.injectFault((method, requested) => (method === "POST" && requested.startsWith(path) ? { drop: true, delayMs: 15_000 } : undefined));
    const guid = "after-accept-3-allow";
    const answered = await app.deliver("issue_comment", trial.hooks.comment(trial.number, "alice", ALLOW)[1], { id: guid });
    expect(answered.status).toBe(202);
    app.signal("SIGTERM");
    expect(await app.exited).toEqual({ code: 0, signal: null });
    heal();
    const journal = new Redis(redis.url);
    const state = await journal.hget(STATE_KEY, guid).finally(() => journal.disconnect());
    const line = app
      .output()
      .split("\n")
      .find((l) => l.includes(`"delivery":"${guid}"`) && l.includes("abandoned"));
    expect(line && (JSON.parse(line) as { msg: string }).msg).toBe(
      `delivery ${guid} (issue_comment) did not finish within 1 s and was abandoned: GitHub already had a 202 for it and recorded it as delivered, and this replica runs no missed-webhook sweep (MAINLINE_REDELIVERY=off or MAINLINE_REDELIVERY_INTERVAL_MINUTES=0); ` +
        "it is noted in Redis as unfinished, so a replica sweeping with the same REDIS_URL asks GitHub to redeliver it; if none does, it must be redelivered by hand (app settings → Advanced → Recent Deliveries → Redeliver)",
    );
    // Noted for the sweeper (GitHub's log here lists no attempt of it, so it drops it an interval later).
    expect(state).toMatch(/^unfinished accepted /);
  } finally {
    await app.stop();
  }
}, 60_000);
