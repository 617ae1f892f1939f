import { Writable } from "node:stream";
import nock from "nock";
import { pino } from "pino";
import type { Probot } from "probot";
import { decisionLog } from "../../src/decision-log.js";
import { deploymentCreated, INSTALLATION_ID, OWNER, pullRequestEvent, SHA, validPayload, webhookRepository } from "../helpers/fixtures.js";
import { mockGitHub } from "../helpers/github-mock.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { openIssue } from "../helpers/github-server/issues.js";
import { renderRepository } from "../helpers/github-server/render.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { restCheckRun, restCheckRuns, restPullFiles, restPullOfCommit } from "../helpers/rest-objects.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";
import { loadTestApp, NOW, testProbot } from "../helpers/test-app.js";

/**
 * Every surface logs one structured info line per decision, with the same keys (delivery,
 * installation, repo, surface, outcome), each key once. The lines are read as the raw text pino
 * writes — a parsed object would hide a repeated key — from a root logger named "probot", as
 * `probot run` creates it.
 */
const REQUIRED = ["delivery", "installation", "repo", "event", "surface", "outcome", "msg"];

function rawLog() {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const log = pino({ level: "info", name: "probot" }, stream);
  const decisions = () => raw.filter((line) => "surface" in JSON.parse(line));
  return { log, raw, decisions };
}

/** The keys of a JSON object's top level, in order and with repeats, as written. */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === "}" || c === "]") depth--;
    else if (c === "," && depth === 1) expectKey = true;
  }
  return keys;
}

function repeatedKeys(json: string): string[] {
  const keys = topLevelKeys(json);
  return keys.filter((k, i) => keys.indexOf(k) !== i);
}

/** Each decision line: info level, the shared keys, no key twice, no payload. */
function expectWellFormed(lines: string[]) {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(repeatedKeys(line)).toEqual([]);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed.level).toBe(30);
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(REQUIRED));
    expect(parsed).not.toHaveProperty("payload");
    expect(parsed).not.toHaveProperty("id");
    expect(parsed.installation).toBe(INSTALLATION_ID);
  }
}

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe("decisionLog: the keys", () => {
  test("Probot's own lines repeat `name` (root, Probot, event); a decision line holds every key once", () => {
    const { log, raw } = rawLog();
    // What Probot 14 builds: getLog's root named "probot", `new Probot()`'s child, the webhook's child.
    const contextLog = log.child({ name: "probot" }).child({ name: "event", id: "d-7" });
    const context = { id: "d-7", name: "deployment" as const, log: contextLog as never, payload: { action: "created", installation: { id: 2 }, repository: { full_name: "o/r" } } };

    contextLog.info("a line as Probot writes it");
    decisionLog(context).decided("gate", "off-main", { sha: "2222222", environment: "production", repo: "ignored: the delivery's wins" }, "Refused.");

    expect(topLevelKeys(raw[0]!).filter((k) => k === "name")).toHaveLength(3);
    expect(repeatedKeys(raw[1]!)).toEqual([]);
    expect(parse(raw[1]!)).toMatchObject({
      name: "event",
      delivery: "d-7",
      installation: 2,
      repo: "ignored: the delivery's wins",
      event: "deployment.created",
      surface: "gate",
      outcome: "off-main",
      sha: "2222222",
      environment: "production",
      msg: "Refused.",
    });
    expect(parse(raw[1]!)).not.toHaveProperty("id");
  });

  test("a field the line sets replaces an inherited binding of the same name instead of repeating it", () => {
    const { log, raw } = rawLog();
    const contextLog = log.child({ name: "event", id: "d-8", repo: "stale", surface: "stale" });
    decisionLog({ id: "d-8", name: "issues" as const, log: contextLog as never, payload: { repository: { full_name: "o/r" } } }).decided("close-gate", "allowed", { issue: 7 }, "closed");
    expect(repeatedKeys(raw[0]!)).toEqual([]);
    expect(parse(raw[0]!)).toMatchObject({ repo: "o/r", surface: "close-gate", event: "issues" });
    expect(parse(raw[0]!)).not.toHaveProperty("installation");
  });

  test("the delivery's logger for errors carries the same keys once", () => {
    const { log, raw } = rawLog();
    const contextLog = log.child({ name: "probot" }).child({ name: "event", id: "d-9" });
    decisionLog({ id: "d-9", name: "push" as const, log: contextLog as never, payload: { installation: { id: 2 }, repository: { full_name: "o/r" } } }).log.error("failed");
    expect(repeatedKeys(raw[0]!)).toEqual([]);
    expect(parse(raw[0]!)).toMatchObject({ delivery: "d-9", installation: 2, repo: "o/r", event: "push", level: 50 });
  });
});

describe("one decision line per surface, against the loopback GitHub", () => {
  const ROOT = "f".repeat(40);
  const S = SHA.offMain;
  let github: GitHubTestServer;
  let repo: Repository;
  let probot: Probot;
  let logs: ReturnType<typeof rawLog>;
  let deliveries = 0;

  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(() => nock.enableNetConnect());

  beforeEach(async () => {
    github = new GitHubTestServer(PUBLIC_KEY);
    await github.start();
    github.clock = { now: () => NOW };
    repo = github.addRepo(OWNER, `Hello-World-logs-${++deliveries}`, "master");
    github.commit(repo, ROOT, null);
    github.commit(repo, SHA.onMain, ROOT, "master");
    github.commit(repo, S, ROOT, "hotfix/payments", "Retry payments");
    logs = rawLog();
    probot = testProbot(logs.log, github.apiBase);
    await loadTestApp(probot);
  });

  afterEach(async () => {
    await github.stop();
    expect(github.problems).toEqual([]);
  });

  const deliver = async ([name, payload]: readonly [string, unknown]) => {
    const id = `delivery-${++deliveries}`;
    const before = logs.decisions().length;
    await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
    return { id, lines: logs.decisions().slice(before) };
  };
  const full = () => `${repo.owner}/${repo.name}`;

  test("gate: a protection rule's refusal is one line, with the commit, environment, verdict and the full message", async () => {
    const { id, lines } = await deliver(storyWebhooks(github, repo).protectionRule(S, "production", 1, "deployer"));

    expectWellFormed(lines);
    expect(lines).toHaveLength(1);
    expect(parse(lines[0]!)).toMatchObject({
      delivery: id,
      repo: full(),
      event: "deployment_protection_rule.requested",
      surface: "gate",
      outcome: "off-main",
      verdict: "refuse",
      enforcedVerdict: "refuse",
      mode: "enforce",
      sha: S,
      environment: "production",
    });
    expect(parse(lines[0]!).msg).toMatch(/^Refused: 2222222 is not on master .* open an incident \(comment `\/incident`/);
  });

  test("gate: an API deployment is one line too, on main or not gated alike", async () => {
    const created = (sha: string, environment: string) => {
      const deployment = github.addDeployment(repo, { sha, environment, creator: "deployer" });
      const payload = { ...deploymentCreated({ sha, environment }), deployment: { ...deploymentCreated({ sha, environment }).deployment, id: deployment.id, sha, environment } };
      Object.assign(payload, { repository: webhookRepository(renderRepository(github, repo)), installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" } });
      return ["deployment", validPayload("deployment", payload)] as const;
    };

    const refused = await deliver(created(S, "production"));
    const onMain = await deliver(created(SHA.onMain, "production"));
    const notGated = await deliver(created(S, "staging"));

    for (const { lines } of [refused, onMain, notGated]) {
      expectWellFormed(lines);
      expect(lines).toHaveLength(1);
    }
    expect(parse(refused.lines[0]!)).toMatchObject({ surface: "gate", event: "deployment.created", outcome: "off-main", verdict: "refuse", repo: full() });
    expect(parse(onMain.lines[0]!)).toMatchObject({ surface: "gate", outcome: "on-main", verdict: "approve" });
    expect(parse(notGated.lines[0]!)).toMatchObject({ surface: "gate", outcome: "not-gated", verdict: "approve", environment: "staging" });
    // The failure status it wrote keeps the way forward in GitHub's 140 characters.
    const [status] = [...repo.deploymentStatuses.values()].flat();
    expect(status!.description).toBe("Refused: 2222222 is not on master. Merge a PR to master, or /incident, then a maintainer runs /hotfix allow 2222222 production -- <reason>");
  });

  test("command and close gate: each command line is one line; a close decision is one more", async () => {
    openIssue(repo, github.mint, github.user("tess"), { number: 1, title: "Payments fail", body: null, labels: [] });
    github.setRole(repo, "tess", "admin");
    const hooks = storyWebhooks(github, repo);

    const made = await deliver(hooks.comment(1, "tess", "/incident"));
    const help = await deliver(hooks.comment(1, "tess", "/mainline help"));
    const refusedClose = await deliver(hooks.comment(1, "tess", "/incident close"));
    const closed = await deliver(hooks.issueClosed(1, "tess"));

    for (const { lines } of [made, help, refusedClose, closed]) expectWellFormed(lines);
    expect(made.lines.map(parse)).toEqual([
      expect.objectContaining({ surface: "command", outcome: "done", command: "incident", issue: 1, actor: "tess", line: 1, event: "issue_comment.created", repo: full() }),
    ]);
    expect(help.lines.map(parse)).toEqual([expect.objectContaining({ surface: "command", outcome: "done", command: "mainline-help" })]);
    expect(refusedClose.lines.map(parse)).toEqual([
      expect.objectContaining({ surface: "close-gate", outcome: "refused", issue: 1, via: "/incident close", forced: false, blockers: 2 }),
      expect.objectContaining({ surface: "command", outcome: "refused", command: "incident-close", msg: expect.stringContaining("this incident cannot close yet") }),
    ]);
    expect(closed.lines.map(parse)).toEqual([
      expect.objectContaining({ surface: "close-gate", outcome: "reopened", issue: 1, via: "issues.closed", event: "issues.closed", blockers: 2, msg: expect.stringMatching(/^incident #1 reopened: RCA #2: /) }),
    ]);
  });

  test("command: a line that is not allowed, and one that does not parse, are a line each", async () => {
    openIssue(repo, github.mint, github.user("octocat"), { number: 1, title: "Question", body: null, labels: [] });
    const { lines } = await deliver(storyWebhooks(github, repo).comment(1, "drive-by", "/incident\n/hotfix allow"));

    expectWellFormed(lines);
    expect(lines.map(parse)).toEqual([
      expect.objectContaining({ surface: "command", outcome: "not-allowed", command: "incident", line: 1, actor: "drive-by" }),
      expect.objectContaining({ surface: "command", outcome: "invalid", command: "/hotfix", line: 2 }),
    ]);
  });
});

describe("one decision line per check run (nock)", () => {
  const REPO_PATH = "/repos/Codertocat/Hello-World";
  const HEAD = "a".repeat(40);
  const checkRuns = (name: string) => `${REPO_PATH}/commits/${HEAD}/check-runs?check_name=${encodeURIComponent(name)}&filter=latest&per_page=100`;

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  test("mainline/merge-first and mainline/config each log their conclusion", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(`${REPO_PATH}/commits/${HEAD}/pulls?per_page=100`).reply(200, [restPullOfCommit({ base: "master", head: "tune-mainline" })]);
    github.scope.get(checkRuns("mainline/merge-first")).reply(200, restCheckRuns([]));
    github.scope.post(`${REPO_PATH}/check-runs`, (body) => body.name === "mainline/merge-first").reply(201, restCheckRun({ id: 31, name: "mainline/merge-first", headSha: HEAD }));
    github.scope.get(`${REPO_PATH}/pulls/2/files?per_page=100`).reply(200, restPullFiles([{ filename: ".github/mainline.yml" }]));
    github.scope.get(`${REPO_PATH}/contents/.github%2Fmainline.yml?ref=${HEAD}`).reply(200, "mode: block\n", { "content-type": "text/plain; charset=utf-8" });
    github.scope.get(checkRuns("mainline/config")).reply(200, restCheckRuns([]));
    github.scope.post(`${REPO_PATH}/check-runs`, (body) => body.name === "mainline/config").reply(201, restCheckRun({ id: 32, name: "mainline/config", headSha: HEAD }));
    const logs = rawLog();
    const probot = testProbot(logs.log);
    await loadTestApp(probot);

    await probot.receive({ id: "pr-1", name: "pull_request", payload: pullRequestEvent("opened", { base: "master", head: "tune-mainline" }) as never });

    const lines = logs.decisions();
    expectWellFormed(lines);
    expect(lines.map(parse)).toEqual([
      expect.objectContaining({ delivery: "pr-1", repo: "Codertocat/Hello-World", event: "pull_request.opened", surface: "check", outcome: "success", check: "mainline/merge-first", pull: 2, sha: HEAD, base: "master" }),
      expect.objectContaining({ surface: "check", outcome: "failure", check: "mainline/config", pull: 2, problems: 1, msg: ".github/mainline.yml: 1 problem" }),
    ]);
    github.done();
  });
});
