import { Redis } from "ioredis";
import { pino } from "pino";
import { RedisRepositoryLock } from "../../src/coordination/repository-lock.js";
import { ProbotOctokit } from "probot";
import { defaultConfig } from "../../src/config.js";
import { AncestryReader } from "../../src/github/ancestry.js";
import type { RepoClient } from "../../src/github/client.js";
import { RepositoryQueue } from "../../src/delivery/one-at-a-time.js";
import { installationClients } from "../../src/github/installation-client.js";
import { REQUEST_TIMEOUT_MS } from "../../src/github/request-timeout.js";
import { getIssue } from "../../src/github/issues.js";
import type { AppDeps } from "../../src/delivery/deps.js";
import type { RepoScope } from "../../src/delivery/repo-context.js";
import { ensureMergeBackIssue } from "../../src/incidents/open-merge-back.js";
import { remindOverdue } from "../../src/incidents/remind-overdue.js";
import { Metrics } from "../../src/metrics.js";
import { sweepOnce } from "../../src/reminder-sweep.js";
import { readRecord } from "../../src/records.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Repository } from "../helpers/github-server.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { TEST_RECORD_KEY, testProbot } from "../helpers/test-app.js";

// Overdue reminders against the loopback GitHub: each reminder is a signed record (kind reminder,
// written on the merge-back issue, naming its incident), so a new process (or a second replica)
// sends nothing that was already sent.
const T0 = Date.parse("2026-11-02T09:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const S = "5".repeat(40);

let github: GitHubTestServer;
let repo: Repository;
let client: RepoClient;
let item: number;

const depsAt = (ms: number): AppDeps => ({
  ancestry: new AncestryReader(),
  clientFor: installationClients(testProbot(pino({ level: "silent" }), github.apiBase), REQUEST_TIMEOUT_MS),
  queue: new RepositoryQueue(), now: () => new Date(ms), appId: 123, records: { appId: 123, key: TEST_RECORD_KEY }, botLogin: async () => "mainline[bot]", metrics: new Metrics() });
/** The repository as a sweep at `ms` sees it: the clock it reads is the scope's. */
const scopeAt = (ms: number): RepoScope => ({ client, config: defaultConfig, mainBranch: "main", now: () => new Date(ms), log: pino({ level: "silent" }) });
/** One sweep of the repository at `ms`. */
const remindAt = (ms: number) => remindOverdue(scopeAt(ms), depsAt(ms));
/** The reminders on the merge-back issue: this app's comments holding a valid reminder record of incident #1 for that issue. */
const reminders = () =>
  [...repo.comments.values()].filter((c) => {
    const record = c.issue_number === item && c.user.login === github.app.bot.login ? readRecord(TEST_RECORD_KEY, c.body) : undefined;
    return record?.kind === "reminder" && record.repo === repo.id && record.incident === 1 && (record.fields as { issue: number }).issue === item;
  });
/** What people read in a reminder: the text below the record's signed line. */
const text = (body: string) => body.split("\n")[2] ?? "";
/** The interval a reminder's record names (1, 2, 4, … days overdue as its power of two). */
const days = (body: string) => 2 ** (readRecord(TEST_RECORD_KEY, body)!.fields as { interval: number }).interval;

beforeAll(async () => {
  github = new GitHubTestServer();
  await github.start();
  repo = github.addRepo("acme", "shop", "main");
  github.clock = { now: () => new Date(T0) };
  const incident = github.userIssue(repo, { title: "Checkout down", labels: ["incident"], login: "bob" });
  repo.issues.get(incident.number)!.assignees = [github.user("alice"), github.user("bob")];
  // alice has left the team: GitHub refuses her as an assignee, and the item is opened without.
  github.setRole(repo, "bob", "write");
  const octokit = new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
  client = { octokit, owner: "acme", repo: "shop", repoId: repo.id };
  item = (await ensureMergeBackIssue(scopeAt(T0), await getIssue(client, incident.number), S, "was deployed under an exception", depsAt(T0))).number;
});

afterAll(() => github?.stop());
afterEach(() => expect(github.problems).toEqual([]));

test("the merge-back issue is opened even when an incident assignee can no longer be assigned", () => {
  expect(repo.issues.get(item)!.labels).toEqual(["merge-back"]);
});

test("nothing is sent before the item is a day overdue", async () => {
  expect(await remindAt(T0 + 24 * HOUR + DAY - 1)).toBe(0);
  expect(reminders()).toEqual([]);
});

test("a day overdue, the incident's assignees are reminded on the merge-back issue", async () => {
  expect(await remindAt(T0 + 24 * HOUR + DAY)).toBe(1);
  expect(reminders().map((c) => text(c.body))).toEqual([
    "⏰ @alice @bob — this merge-back is 1 day overdue: `5555555` is still not on main, and incident #1 cannot close until it is.",
  ]);
});

test("the same interval is never reminded twice, also by a new process", async () => {
  expect(await remindAt(T0 + 24 * HOUR + DAY + 5 * HOUR)).toBe(0);
  expect(await remindAt(T0 + 24 * HOUR + 2 * DAY - 1)).toBe(0);
  expect(reminders()).toHaveLength(1);
});

test("then at 2 and 4 days overdue, and not at 3", async () => {
  expect(await remindAt(T0 + 24 * HOUR + 2 * DAY)).toBe(1);
  expect(await remindAt(T0 + 24 * HOUR + 3 * DAY)).toBe(0);
  expect(await remindAt(T0 + 24 * HOUR + 4 * DAY)).toBe(1);
  expect(reminders().map((c) => /(\d+) days? overdue/.exec(text(c.body))?.[1])).toEqual(["1", "2", "4"]);
  expect(reminders().map((c) => days(c.body))).toEqual([1, 2, 4]);
});

test("two replicas sweeping at the same moment leave one reminder", async () => {
  const at = T0 + 24 * HOUR + 8 * DAY;
  await Promise.all([remindAt(at), remindAt(at)]);
  expect(reminders().map((c) => /(\d+) days? overdue/.exec(text(c.body))?.[1])).toEqual(["1", "2", "4", "8"]);
  expect(reminders().map((c) => days(c.body))).toEqual([1, 2, 4, 8]);
});

test("the periodic sweep walks every installation's repositories and sends what is due", async () => {
  github.route("GET", "/app/installations", () => ({ status: 200, body: [{ id: 2, account: { login: "acme" } }] }));
  github.route("GET", "/installation/repositories", () => ({
    status: 200,
    body: { total_count: 1, repositories: [{ id: repo.id, name: "shop", full_name: "acme/shop", owner: { login: "acme" } }] },
  }));
  const probot = testProbot(pino({ level: "silent" }), github.apiBase);
  await sweepOnce(probot, depsAt(T0 + 24 * HOUR + 16 * DAY));
  expect(reminders().map((c) => /(\d+) days? overdue/.exec(text(c.body))?.[1])).toEqual(["1", "2", "4", "8", "16"]);
});

test("two replicas sharing a real Redis sweep at the same moment: one reminder is posted (one @-mention), the other replica waits its turn and finds it", async () => {
  const server = await startRedisServer();
  const connections: Redis[] = [];
  try {
    const replica = async (): Promise<AppDeps> => {
      const connection = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      connections.push(connection);
      await new Promise((resolve) => connection.once("ready", resolve));
      return { ...depsAt(T0 + 24 * HOUR + 32 * DAY), queue: new RepositoryQueue({ across: new RedisRepositoryLock(connection) }) };
    };
    const [first, second] = [await replica(), await replica()];
    const probot = testProbot(pino({ level: "silent" }), github.apiBase);
    const posts = () => github.calls().filter((call) => call === `POST /repos/acme/shop/issues/${item}/comments`).length;
    const before = posts();
    await Promise.all([sweepOnce(probot, first), sweepOnce(probot, second)]);
    expect(posts() - before).toBe(1);
    expect(reminders().map((c) => days(c.body))).toEqual([1, 2, 4, 8, 16, 32]);
  } finally {
    for (const connection of connections) connection.disconnect();
    await server.stop();
  }
});

test("an item that is done (closed) is not reminded", async () => {
  github.userClose(repo, item, "bob");
  expect(await remindAt(T0 + 24 * HOUR + 32 * DAY)).toBe(0);
});
