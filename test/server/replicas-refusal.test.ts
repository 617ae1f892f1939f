import { OWNER, validPayload, webhookRepository } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { renderRepository, renderUser } from "../helpers/github-server/render.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js";
import { closest, replicaState, Replicas, type Webhook } from "../helpers/replicas.js";

/**
 * SPEC section 9 for the gate of API deployments: a `deployment.created` the gate refuses, sent to
 * two replicas at once (GitHub retrying, a redelivery racing the first, Redeliver pressed), must
 * leave what one process leaves handling the deliveries in order: ONE `failure` status. Each reads
 * the statuses and writes one when there is none, so without coordination both may write; the
 * refusal is written under the deployment's own lock (coordination/deployment-lock.ts), never the
 * repository's. Two replicas (`node dist/main.js`, REDIS_URL a real redis-server), one loopback
 * GitHub; each trial a repository and installation of its own, so trials run side by side.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const OFF_MAIN = sha("1");
/** How far apart the two deliveries of a pair leave the test (the first at 0). */
const OFFSETS_MS = [0, 5, 20, 50];
/** Each (delivery id, offset) pair is tried this many times: the race is won or lost by milliseconds. */
const ROUNDS = 6;
/** GitHub answers this much later, as over a network: the window between a replica's read of the statuses and its write. */
const LATENCY_MS = 40;

let github: GitHubTestServer;
let redis: RedisServer;
let replicas: Replicas;
let worlds = 0;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  github.latencyMs = LATENCY_MS;
  redis = await startRedisServer();
  replicas = await Replicas.start(github, redis.url, 2);
}, 60_000);

afterAll(async () => {
  await replicas?.stop();
  await redis?.stop();
  await github?.stop();
});

afterEach(() => {
  expect(github.problems).toEqual([]);
});

type World = { repo: Repository; deploymentId: number; webhook: Webhook; id: (what: string) => string };

/** A repository of its own, installed on its own: main at MAIN_HEAD, and a deployment (by the API, bob) of a commit off main to production. */
function world(): World {
  const n = ++worlds;
  const repo = github.addRepo(OWNER, `refusal-${n}`, "main");
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, OFF_MAIN, MAIN_HEAD, "feature/payments");
  github.setRole(repo, "bob", "write");
  const deployment = github.addDeployment(repo, { sha: OFF_MAIN, environment: "production", creator: "bob" });
  const payload = {
    action: "created",
    deployment,
    workflow: null,
    workflow_run: null,
    repository: webhookRepository(renderRepository(github, repo)),
    sender: renderUser(github, github.user("bob")),
    installation: { id: 7_000 + n, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" },
  };
  return { repo, deploymentId: deployment.id, webhook: ["deployment", validPayload("deployment", payload)], id: (what) => `refusal-${n}-${what}` };
}

const failures = (w: World) => (w.repo.deploymentStatuses.get(w.deploymentId) ?? []).filter((s) => s.state === "failure").length;

test("the same refused deployment.created on two replicas at once (same delivery id, and a new one; 0-50 ms apart) leaves one failure status, as in order", async () => {
  const started = Date.now();
  const reference = world();
  const answered = await replicas.deliver(replicas.at(0), reference.webhook, reference.id("first"));
  expect({ answered, failures: failures(reference) }).toEqual({ answered: 200, failures: 1 });
  const expected = replicaState(reference.repo);

  const trials = await Promise.all(
    Array.from({ length: ROUNDS }).flatMap((_, round) =>
      (["same id", "new id"] as const).flatMap((ids) =>
        OFFSETS_MS.map(async (offsetMs, o) => {
          const w = world();
          const k = round + o;
          const [one, other] = [replicas.at(k), replicas.at(k + 1)];
          const statuses = await Promise.all([
            replicas.deliver(one, w.webhook, w.id("first")),
            new Promise((resolve) => setTimeout(resolve, offsetMs)).then(() => replicas.deliver(other, w.webhook, w.id(ids === "same id" ? "first" : "again"))),
          ]);
          return { name: `round ${round + 1}, ${ids}, ${offsetMs} ms apart`, offsetMs, w, statuses };
        }),
      ),
    ),
  );
  await replicas.settled();

  const problems: string[] = [];
  for (const { name, w, statuses } of trials) {
    if (failures(w) !== 1) problems.push(`${name}: ${failures(w)} failure statuses`);
    const { extra, missing } = closest([expected], replicaState(w.repo));
    for (const line of extra) problems.push(`${name}: extra ${line.slice(0, 300)}`);
    for (const line of missing) problems.push(`${name}: missing ${line.slice(0, 300)}`);
    if (!statuses.every((status) => status === 200)) problems.push(`${name}: answered ${statuses.join(", ")}`);
  }
  const doubled = (offsetMs?: number) => trials.filter((t) => (offsetMs === undefined || t.offsetMs === offsetMs) && failures(t.w) > 1).length;
  const byOffset = OFFSETS_MS.map((offsetMs) => `${offsetMs} ms: ${doubled(offsetMs)}/${trials.length / OFFSETS_MS.length}`).join(", ");
  console.info(
    `replicas refusal: ${trials.length} trials (2 replicas, REDIS_URL set, GitHub ${LATENCY_MS} ms away), ${doubled()} with more than one failure status (${byOffset}), ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  expect(problems).toEqual([]);
}, 60_000);

test("Redis stopped: the refusal is still written at once, without the lock (fail open: a missing failure status would let the deploy through)", async () => {
  await redis.stop();
  const w = world();
  const started = Date.now();
  const answered = await replicas.deliver(replicas.at(0), w.webhook, w.id("first"));
  const seconds = (Date.now() - started) / 1000;
  expect({ answered, failures: failures(w) }).toEqual({ answered: 200, failures: 1 });
  expect(seconds).toBeLessThan(3);
  expect(replicas.at(0).output()).toContain(`the lock mainline:deployment:${w.deploymentId} could not be asked for in Redis`);
  console.info(`replicas refusal, Redis stopped: answered ${answered} in ${seconds.toFixed(2)} s, ${failures(w)} failure status`);
}, 30_000);
