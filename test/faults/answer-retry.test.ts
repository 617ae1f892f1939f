import { ProbotOctokit } from "probot";
import { ANSWER_RETRY, answerProtectionRule, type AnswerRetry } from "../../src/github/deployments.js";
import { sendCreatesOnce } from "../../src/github/no-retried-creates.js";
import { limitRequestTime, REQUEST_TIMEOUT_MS } from "../../src/github/request-timeout.js";
import type { Octokit } from "../../src/github/client.js";
import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Fault, type Repository } from "../helpers/github-server.js";

/**
 * The retry policy of the answer to a protection rule, against the loopback GitHub (which keeps
 * the first answer to a run and refuses a later one with 422). Pauses between attempts run on a
 * fake clock (they only move it forward); attempts themselves take real time, shortened.
 */
const RUN = 77;
const CALLBACK = `/repos/${OWNER}/${REPO}/actions/runs/${RUN}/deployment_protection_rule`;
const ANSWER = { environment: "production", state: "rejected", comment: "Refused: 2222222 is not on main." } as const;
const SERVER_ERROR = { status: 500, body: { message: "Server Error" } };
// Long enough for a cold first request in a test process, short enough to keep the hangs quick.
const ATTEMPT_MS = 500;

let github: GitHubTestServer;
let repo: Repository;
beforeEach(async () => {
  github = new GitHubTestServer();
  await github.start();
  repo = github.addRepo(OWNER, REPO, "main");
});
afterEach(() => github.stop());

/** The shipped policy with a short attempt limit, on a clock that pauses move instantly. */
/** `realTime`: the attempts' own time counts too (hung attempts); else only the pauses move the clock, so the attempts' milliseconds on two busy cores do not blur what is counted. */
function fakeClock(overrides: Partial<AnswerRetry> = {}, { realTime = false } = {}) {
  const start = Date.now();
  let offset = 0;
  const paused: number[] = [];
  const policy: AnswerRetry = {
    ...ANSWER_RETRY,
    attemptMs: ATTEMPT_MS,
    now: () => (realTime ? Date.now() : start) + offset,
    sleep: async (ms) => {
      paused.push(ms);
      offset += ms;
    },
    ...overrides,
  };
  return { policy, paused };
}

/**
 * Probot's client as the app builds it for an installation (retry plugin on, its waits
 * shortened; POSTs sent once; a time limit per attempt), throttling off unless asked for.
 */
function client({ throttle = false } = {}): Octokit {
  const octokit = new ProbotOctokit({
    baseUrl: github.apiBase,
    auth: { token: INSTALLATION_TOKEN },
    throttle: { enabled: throttle },
    retry: { retryAfterBaseValue: 1 },
  }) as Octokit;
  return sendCreatesOnce(limitRequestTime(octokit, REQUEST_TIMEOUT_MS));
}

const answer = (policy: AnswerRetry, octokit = client()) =>
  answerProtectionRule(octokit, { callbackUrl: `${github.apiBase}${CALLBACK}`, ...ANSWER }, policy);

/** Fails the callback's first `faults.length` attempts, one fault each. */
function failAttempts(...faults: Fault[]): void {
  let seen = 0;
  github.injectFault((method, path) => (method === "POST" && path === CALLBACK ? faults[seen++] : undefined));
}

const attempts = () => github.calls((r) => r.method === "POST" && r.path === CALLBACK).length;
const held = () => repo.protectionRuleAnswers.map(({ runId, environment_name, state }) => ({ runId, environment_name, state }));
const ONE_ANSWER = [{ runId: RUN, environment_name: "production", state: "rejected" }];

test("answered at once: one attempt, no pause", async () => {
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).resolves.toBe("ours");
  expect([attempts(), paused]).toEqual([1, []]);
  expect(held()).toEqual(ONE_ANSWER);
});

test.each([
  ["a 500", SERVER_ERROR],
  ["a 502 from a proxy", { status: 502, body: { message: "Bad Gateway" } }],
  ["a hang past the attempt limit (never carried out)", { ...SERVER_ERROR, delayMs: ATTEMPT_MS * 2 }],
  ["a dropped connection (never carried out)", { drop: true as const, delayMs: 20 }],
])("%s once: answered on the second attempt, after a short pause", async (_what, fault) => {
  failAttempts(fault);
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).resolves.toBe("ours");
  expect([attempts(), paused]).toEqual([2, [ANSWER_RETRY.backoffMs]]);
  expect(held()).toEqual(ONE_ANSWER);
});

test.each([
  ["its answer lost in a hang", { ...SERVER_ERROR, delayMs: ATTEMPT_MS * 2, applied: true }],
  ["its connection dropped", { drop: true as const, delayMs: 20, applied: true }],
  ["a 502 in front of it", { status: 502, body: { message: "Bad Gateway" }, applied: true }],
])("an attempt GitHub carried out, %s: the retry's 422 means GitHub holds an answer, maybe ours", async (_what, fault) => {
  failAttempts(fault);
  const { policy } = fakeClock();
  await expect(answer(policy)).resolves.toBe("earlier-or-ours");
  expect(attempts()).toBe(2);
  expect(held()).toEqual(ONE_ANSWER);
});

test("a 422 on the first attempt keeps its meaning: answered earlier (it throws, as before)", async () => {
  repo.protectionRuleAnswers.push({ runId: RUN, environment_name: "production", state: "approved" });
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).rejects.toMatchObject({ status: 422 });
  expect([attempts(), paused]).toEqual([1, []]);
});

test("a 422 after a rate-limited attempt (one GitHub refused, so never carried out) also means answered earlier", async () => {
  repo.protectionRuleAnswers.push({ runId: RUN, environment_name: "production", state: "approved" });
  failAttempts({ status: 429, headers: { "retry-after": "1" }, body: { message: "Too many requests" } });
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).rejects.toMatchObject({ status: 422 });
  expect([attempts(), paused]).toEqual([2, [1000]]);
});

const SECONDARY = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };

test.each([
  ["403", 403],
  ["429", 429],
])("a secondary rate limit (%s) whose retry-after fits in what is left is waited out", async (_what, status) => {
  failAttempts({ status, headers: { "retry-after": "2" }, body: SECONDARY });
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).resolves.toBe("ours");
  expect([attempts(), paused]).toEqual([2, [2000]]);
  expect(held()).toEqual(ONE_ANSWER);
});

test.each([
  ["a retry-after longer than what is left", { status: 403, headers: { "retry-after": "60" }, body: SECONDARY }],
  ["a secondary rate limit without retry-after (a minute or more)", { status: 403, body: SECONDARY }],
  ["a 403 that is not a rate limit", { status: 403, body: { message: "Resource not accessible by integration" } }],
  ["a 404", { status: 404, body: { message: "Not Found" } }],
])("%s is not retried: the error is thrown at once", async (_what, fault) => {
  failAttempts(fault);
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).rejects.toMatchObject({ status: fault.status });
  expect([attempts(), paused]).toEqual([1, []]);
  expect(held()).toEqual([]);
});

test("failing every time: attempts stop inside the budget (pauses doubling), then the last error is thrown", async () => {
  github.fail((method, path) => method === "POST" && path === CALLBACK, SERVER_ERROR);
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).rejects.toMatchObject({ status: 500 });
  // 250 + 500 + 1000 + 2000 + 4000 = 7750 ms of pauses; a next one of 8000 would end past 8 s.
  expect([attempts(), paused]).toEqual([6, [250, 500, 1000, 2000, 4000]]);
  expect(paused.reduce((a, b) => a + b)).toBeLessThan(ANSWER_RETRY.budgetMs);
  expect(ANSWER_RETRY.budgetMs).toBeLessThan(10_000);
});

test("hanging every time: the hung attempts count against the budget too", async () => {
  github.fail((method, path) => method === "POST" && path === CALLBACK, { ...SERVER_ERROR, delayMs: 1_000 });
  const { policy, paused } = fakeClock({ attemptMs: 300, budgetMs: 2_000 }, { realTime: true });
  const started = Date.now();
  await expect(answer(policy)).rejects.toThrow();
  // 300 hung + 250 + 300 + 500 + 300 = 1650; a pause of 1000 would end past 2000.
  expect([attempts(), paused]).toEqual([3, [250, 500]]);
  expect(Date.now() - started).toBeLessThan(1_500);
});

test("the client's own retries (retry plugin on) add no attempt: the budget is the only one", async () => {
  failAttempts(SERVER_ERROR, SERVER_ERROR);
  const { policy, paused } = fakeClock();
  await expect(answer(policy)).resolves.toBe("ours");
  expect([attempts(), paused]).toEqual([3, [250, 500]]);
});

test("with Probot's throttling on (write spacing), a 500 once is still retried once, by the policy", async () => {
  failAttempts(SERVER_ERROR);
  const { policy } = fakeClock({ attemptMs: 3_000 });
  await expect(answer(policy, client({ throttle: true }))).resolves.toBe("ours");
  expect(attempts()).toBe(2);
});

test("an attempt the client holds back is not given up: its limit runs from when it goes out", async () => {
  const octokit = client();
  let requests = 0;
  // A client queue (Probot's write spacing, say) holding the first attempt for longer than its limit.
  octokit.hook.before("request", async () => {
    if (requests++ === 0) await new Promise((resolve) => setTimeout(resolve, ATTEMPT_MS * 2));
  });
  const { policy, paused } = fakeClock();
  const started = Date.now();
  await expect(answer(policy, octokit)).resolves.toBe("ours");
  expect(Date.now() - started).toBeGreaterThanOrEqual(ATTEMPT_MS * 2);
  expect([attempts(), paused]).toEqual([1, []]);
});

test("with Probot's write spacing, answers queued at once past the attempt limit all go out, each once", async () => {
  const octokit = client({ throttle: true });
  const { policy, paused } = fakeClock();
  const runs = [RUN + 1, RUN + 2, RUN + 3];
  // One write per second: the third waits about 2 s in the client, four times its attempt limit.
  const answered = await Promise.all(
    runs.map((run) => answerProtectionRule(octokit, { callbackUrl: `${github.apiBase}/repos/${OWNER}/${REPO}/actions/runs/${run}/deployment_protection_rule`, ...ANSWER }, policy)),
  );
  expect(answered).toEqual(["ours", "ours", "ours"]);
  expect(paused).toEqual([]);
  expect(repo.protectionRuleAnswers.map((a) => a.runId).sort()).toEqual(runs);
});

test("a callback URL that names no run is refused before any request", async () => {
  const { policy } = fakeClock();
  await expect(answerProtectionRule(client(), { callbackUrl: `${github.apiBase}/repos/${OWNER}/${REPO}/issues/1`, ...ANSWER }, policy)).rejects.toThrow(
    "not a deployment protection rule URL",
  );
  expect(github.log).toEqual([]);
});
