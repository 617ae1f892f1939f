import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ProbotOctokit } from "probot";
import { paceKey, paceWrites, rateLimitHold, redisWritePacing, writeSpacingFromEnv, type WritePacingOptions } from "../../src/coordination/write-pacing.js";
import { RedisRepositoryLock } from "../../src/coordination/repository-lock.js";
import { redisForTests } from "../helpers/redis-replicas.js";

// Write pacing against a real redis-server: two "replicas" are two connections, as two processes have.
const redis = redisForTests();
/** As coordination/redis.ts's, 1.5 s per command. */
const replica = () => redis.replica({ commandTimeout: 1_500 });

async function pacings(options: WritePacingOptions = {}) {
  const [one, two] = [await replica(), await replica()];
  return { a: redisWritePacing(one, options), b: redisWritePacing(two, options), client: one };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When each of `turns` ended, in ms after the start, in order. */
async function ends(turns: Array<() => Promise<void>>): Promise<number[]> {
  const started = performance.now();
  const at: number[] = [];
  await Promise.all(
    turns.map(async (turn) => {
      await turn();
      at.push(performance.now() - started);
    }),
  );
  return at.sort((x, y) => x - y);
}

const gaps = (at: number[]) => at.slice(1).map((time, i) => time - at[i]!);

// Redis's clock reserves the slots; each replica sleeps from when its answer arrives, so a turn whose
// answer came late on busy cores ends that much closer to the next (CI saw 36 ms). Unpaced turns
// would end together, so 100 ms of slack still proves the spacing.
const EARLY = 100;
/** Slack for a turn that should not wait at all, on 2 busy cores: far below the waits it is told from. */
const AT_ONCE = 400;

describe("redisWritePacing", () => {
  test("two replicas' writes for one installation go a second apart (the default); another installation is not held up", async () => {
    const { a, b } = await pacings();
    const [one, other] = await Promise.all([ends([() => a.turn(1), () => b.turn(1), () => a.turn(1)]), ends([() => b.turn(2)])]);
    expect(other[0]).toBeLessThan(AT_ONCE);
    expect(one[0]).toBeLessThan(AT_ONCE);
    for (const gap of gaps(one)) expect(gap).toBeGreaterThanOrEqual(1_000 - EARLY);
    expect(one[2]).toBeLessThan(2_000 + 400);
  });

  test("a hold on one replica makes the other's writes wait until then, and the line goes on from there", async () => {
    const { a, b } = await pacings({ minSpacingMs: 300 });
    await a.holdUntil(3, Date.now() + 600);
    const at = await ends([() => b.turn(3), () => b.turn(3)]);
    expect(at[0]).toBeGreaterThanOrEqual(600 - 60);
    expect(at[0]).toBeLessThan(600 + 250);
    expect(gaps(at)[0]).toBeGreaterThanOrEqual(300 - EARLY);
  });

  test("a hold never shortens a longer one, and a hold in the past is nothing", async () => {
    const { a, client } = await pacings();
    await a.holdUntil(4, Date.now() + 3_000);
    await a.holdUntil(4, Date.now() + 1_000);
    await a.holdUntil(5, Date.now() - 1_000);
    expect(await client.pttl(paceKey(4))).toBeGreaterThan(2_500);
    expect(await client.exists(paceKey(5))).toBe(0);
  });

  test("keys expire on their own when their time has passed", async () => {
    const { a, client } = await pacings({ minSpacingMs: 200 });
    await a.turn(6);
    const ttl = await client.pttl(paceKey(6));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(200);
    await sleep(250);
    expect(await client.exists(paceKey(6))).toBe(0);
  });

  test("no write waits more than maxWaitMs, and writes cut short do not push the line further out", async () => {
    const waited: number[] = [];
    const { a, b, client } = await pacings({ maxWaitMs: 300, waited: (seconds) => waited.push(seconds) });
    await b.holdUntil(7, Date.now() + 10_000);
    const held = await ends([() => a.turn(7), () => b.turn(7)]);
    for (const time of held) expect(time).toBeLessThan(300 + AT_ONCE);
    expect(held[0]).toBeGreaterThanOrEqual(300 - EARLY);

    // A burst: the first goes, the second is cut from 1 s to 300 ms, the rest too; only the first took a slot.
    const burst = await ends([() => a.turn(8), () => b.turn(8), () => a.turn(8), () => b.turn(8)]);
    expect(burst[0]).toBeLessThan(300 - EARLY);
    for (const time of burst) expect(time).toBeLessThan(300 + AT_ONCE);
    expect(await client.pttl(paceKey(8))).toBeLessThanOrEqual(1_000);
    expect(waited).toHaveLength(6);
    expect(Math.max(...waited)).toBeLessThan(0.5);
  });

  test("Redis stopped: every write goes at once (fail-open) and nothing throws; Redis back (restarted, scripts forgotten): pacing again", async () => {
    const { a, b } = await pacings({ minSpacingMs: 400 });
    await a.turn(9);
    await redis.stop();
    try {
      const down = await ends([() => a.turn(9), () => b.turn(9), () => a.holdUntil(9, Date.now() + 5_000), () => b.turn(9)]);
      expect(down[3]).toBeLessThan(AT_ONCE);
    } finally {
      await redis.start();
    }
    await until(() => redis.clients.every((client) => client.status === "ready"));
    const at = await ends([() => a.turn(9), () => b.turn(9), () => a.turn(9)]);
    expect(at[0]).toBeLessThan(400 - EARLY);
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(400 - EARLY);
  });

  test("Redis that does not answer (paused): the write goes after askMs, not after the command timeout", async () => {
    const { a, b } = await pacings({ askMs: 250 });
    const pid = redis.pid!;
    process.kill(pid, "SIGSTOP");
    let at: number[];
    try {
      at = await ends([() => a.turn(10), () => b.turn(10), () => a.holdUntil(10, Date.now() + 5_000)]);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    for (const time of at) expect(time).toBeLessThan(250 + AT_ONCE);
    expect(at[0]).toBeGreaterThanOrEqual(250 - EARLY);
    // The late answers (or the command timeouts) arrive after the turns went: nothing throws, nothing is left unhandled.
    await sleep(100);
  });
});

describe("paceWrites", () => {
  type Seen = { method: string; path: string; at: number };
  let server: Server;
  let baseUrl: string;
  let seen: Seen[];
  let answer: (request: IncomingMessage, response: ServerResponse) => boolean;
  const started = { at: 0 };

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ method: request.method!, path: request.url!, at: performance.now() - started.at });
      request.resume();
      if (answer(request, response)) return;
      response.writeHead(request.method === "POST" ? 201 : 200, { "content-type": "application/json" }).end(JSON.stringify({ id: 1 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
    answer = () => false;
    started.at = performance.now();
  });

  /** Probot's Octokit as an installation's client, throttling and retries off so only the pacing spaces requests. */
  const client = (installation: number, pacing: ReturnType<typeof redisWritePacing>) =>
    paceWrites(new ProbotOctokit({ auth: { token: "ghs_test" }, baseUrl, throttle: { enabled: false }, retry: { enabled: false } }), installation, pacing);

  const comment = { owner: "o", repo: "r", issue_number: 1, body: "✅" };

  test("two replicas' comments go a second apart; reads and installation tokens are not held", async () => {
    const { a, b } = await pacings();
    const [one, two] = [client(20, a), client(20, b)];
    // Each client's first request costs it some start-up on the way out, which would show in the gaps.
    await Promise.all([one, two].map((octokit) => octokit.request("GET /repos/{owner}/{repo}", comment)));
    seen = [];
    started.at = performance.now();
    await Promise.all([
      one.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", comment),
      two.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", comment),
      (async () => {
        await sleep(50);
        await two.request("GET /repos/{owner}/{repo}/issues/{issue_number}", comment);
        await one.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 20 });
      })(),
    ]);
    const posts = seen.filter((request) => request.path.endsWith("/comments"));
    const others = seen.filter((request) => !request.path.endsWith("/comments"));
    expect(posts).toHaveLength(2);
    // Measured where they arrive: each one's way out (its hooks, the HTTP request) adds to the
    // spread, by up to a few hundred ms on two cores busy with other suites; unpaced, they come together.
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(700);
    expect(others.map((request) => request.method)).toEqual(["GET", "POST"]);
    // Held, they would wait for the second comment's slot, a second on.
    for (const request of others) expect(request.at).toBeLessThan(700);
  });

  test("a secondary limit on one replica holds the installation's writes on the other", async () => {
    const { a, b, client: redisClient } = await pacings();
    answer = (request, response) => {
      if (request.method !== "PATCH") return false;
      response.writeHead(403, { "content-type": "application/json", "retry-after": "2" }).end(JSON.stringify({ message: "You have exceeded a secondary rate limit." }));
      return true;
    };
    await expect(client(21, a).request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...comment, state: "closed" })).rejects.toMatchObject({ status: 403 });
    const ttl = await redisClient.pttl(paceKey(21));
    expect(ttl).toBeGreaterThan(1_500);
    expect(ttl).toBeLessThanOrEqual(2_000);
    const sent = performance.now();
    await client(21, b).request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", comment);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(ttl - EARLY);
  });

  test("the gate's answers never wait for a turn, however busy the installation; work holding a repository's lock waits at most a second", async () => {
    const { a, client: redisClient } = await pacings();
    const paced = client(23, a);
    await paced.request("GET /repos/{owner}/{repo}", comment);
    // Replies any reader can provoke have booked the installation's turns for the next 5 s.
    await a.holdUntil(23, Date.now() + 5_000);
    const timed = async (send: () => Promise<unknown>) => {
      const at = performance.now();
      await send();
      return performance.now() - at;
    };
    const answer = await timed(() => paced.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", { owner: "o", repo: "r", run_id: 9, environment_name: "production", state: "rejected", comment: "no" }));
    const status = await timed(() => paced.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { owner: "o", repo: "r", deployment_id: 5, state: "failure" }));
    // Waiting for a turn would take the 5 s booked: well under that (2 s leaves room for busy test cores), none was waited for.
    expect(answer).toBeLessThan(2_000);
    expect(status).toBeLessThan(2_000);
    const underLock = await timed(() => new RedisRepositoryLock(redisClient).hold(1, () => paced.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", comment)));
    // At most the second a lock's holder waits, not the 5 s booked.
    expect(underLock).toBeGreaterThanOrEqual(1_000 - EARLY);
    expect(underLock).toBeLessThan(4_000);
  });

  test("a 403 that is no rate limit holds nothing", async () => {
    const { a, client: redisClient } = await pacings();
    answer = (_request, response) => {
      response.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ message: "Resource not accessible by integration" }));
      return true;
    };
    await expect(client(22, a).request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/x", comment)).rejects.toMatchObject({ status: 403 });
    // The DELETE's own turn (a second) is all the key holds.
    expect(await redisClient.pttl(paceKey(22))).toBeLessThanOrEqual(1_000);
  });
});

describe("rateLimitHold", () => {
  const now = 1_700_000_000_000;
  const headers = (values: Record<string, string>) => new Headers(values);
  test.each<[string, number, Record<string, string>, string, number | undefined]>([
    ["secondary, retry-after", 403, { "retry-after": "30" }, "", now + 30_000],
    ["429 with retry-after", 429, { "retry-after": "5" }, "", now + 5_000],
    ["primary: remaining 0 until the reset, and a second", 403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000100" }, "API rate limit exceeded", 1_700_000_101_000],
    ["secondary named in the message only: a minute", 403, {}, "You have exceeded a secondary rate limit", now + 60_000],
    ["a 403 for permissions", 403, { "x-ratelimit-remaining": "4000", "x-ratelimit-reset": "1700000100" }, "Resource not accessible by integration", undefined],
    ["not a 403 or 429", 422, { "retry-after": "30" }, "secondary rate", undefined],
    ["retry-after that is no number", 429, { "retry-after": "soon" }, "", undefined],
  ])("%s", (_what, status, values, message, until) => {
    expect(rateLimitHold(status, headers(values), message, now)).toBe(until);
  });
});

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("not within the time");
    await sleep(25);
  }
}

describe("MAINLINE_WRITE_SPACING_MS", () => {
  test.each<[string | undefined, number, string | undefined]>([
    [undefined, 1_000, undefined],
    ["0", 0, undefined],
    ["250", 250, undefined],
    ["5000", 5_000, undefined],
    ["5001", 1_000, 'MAINLINE_WRITE_SPACING_MS must be a number of milliseconds from 0 to 5000, got "5001": using 1000 ms'],
    ["1s", 1_000, 'MAINLINE_WRITE_SPACING_MS must be a number of milliseconds from 0 to 5000, got "1s": using 1000 ms'],
  ])("%s → %d ms", (text, ms, problem) => {
    expect(writeSpacingFromEnv(text === undefined ? {} : { MAINLINE_WRITE_SPACING_MS: text })).toEqual(problem ? { ms, problem } : { ms });
  });
});
