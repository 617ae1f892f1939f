import { OWNER, REPO, INSTALLATION_ID } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

// GET /metrics as an operator's Prometheus scrapes it: the app started as users start it
// (`npm start`), signed webhooks over loopback HTTP, GitHub replaced by the loopback test server
// (which here sends GitHub's x-ratelimit-remaining).
const ROOT = "a".repeat(40);
const MAIN_HEAD = "b".repeat(40);
const HOTFIX = "c".repeat(40);

let github: GitHubTestServer;
let repo: Repository;
let app: RunningApp;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  github.rateLimitRemaining = 5000;
  await github.start();
  repo = github.addRepo(OWNER, REPO, "main");
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, HOTFIX, ROOT, "hotfix/payments");
  // A config file of its own: read again by the second gate request with its ETag, and answered 304.
  repo.files.set(".github/mainline.yml", "mode: enforce\n");
  app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

afterEach(() => expect(github.problems).toEqual([]));

/** The sample lines of a scrape that begin with `name` (its HELP and TYPE lines left out). */
const series = (text: string, name: string) => text.split("\n").filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

test("after two gate requests (an off-main commit, then on main) and a comment, /metrics shows each delivery, each decision, the requests, the 304s and the rate limit left", async () => {
  const hooks = storyWebhooks(github, repo);
  const issue = github.userIssue(repo, { title: "Checkout is slow", body: "Since this morning.", login: "bob" }).number;
  const webhooks = [hooks.protectionRule(HOTFIX, "production", 1, "deployer"), hooks.protectionRule(MAIN_HEAD, "production", 2, "deployer"), hooks.comment(issue, "bob", "Looking into it.")];
  for (const [event, payload] of webhooks) expect([event, (await app.deliver(event, payload)).status]).toEqual([event, 200]);
  expect(repo.protectionRuleAnswers.map((a) => a.state)).toEqual(["rejected", "approved"]);

  const res = await fetch(`${app.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();

  expect(series(text, "mainline_deliveries_total")).toEqual([
    'mainline_deliveries_total{event="deployment_protection_rule.requested",outcome="ok"} 2',
    'mainline_deliveries_total{event="issue_comment.created",outcome="ok"} 1',
  ]);
  expect(series(text, "mainline_gate_decisions_total")).toEqual(['mainline_gate_decisions_total{result="off-main"} 1', 'mainline_gate_decisions_total{result="on-main"} 1']);
  // What GitHub answered the installation (the app's own token requests under /app/ aside): the
  // second gate read the config file conditionally, and GitHub answered 304.
  const answered = github.log.filter((r) => !r.path.startsWith("/app"));
  const notModified = answered.filter((r) => r.status === 304).length;
  expect(notModified).toBeGreaterThan(0);
  expect(series(text, "mainline_github_requests_total")).toEqual([
    `mainline_github_requests_total{kind="counted"} ${answered.length - notModified}`,
    `mainline_github_requests_total{kind="not_modified"} ${notModified}`,
  ]);
  expect(series(text, "mainline_rate_limit_remaining")).toEqual([`mainline_rate_limit_remaining{installation="${INSTALLATION_ID}"} ${github.rateLimitRemaining}`]);
  expect(github.rateLimitRemaining).toBe(5000 - (answered.length - notModified));
  // The sweep is off in these tests (MAINLINE_REDELIVERY=off): its outcomes stand at 0.
  expect(series(text, "mainline_redeliveries_total")).toEqual([
    'mainline_redeliveries_total{outcome="ok"} 0',
    'mainline_redeliveries_total{outcome="failed"} 0',
    'mainline_redeliveries_total{outcome="abandoned"} 0',
  ]);
  expect(text).toContain("# TYPE mainline_lock_wait_seconds histogram");
  expect(series(text, "mainline_lock_wait_seconds_count")).toEqual([expect.stringMatching(/^mainline_lock_wait_seconds_count \d+$/)]);
  // The process's own series, under the same prefix.
  expect(series(text, "mainline_process_resident_memory_bytes")).toEqual([expect.stringMatching(/^mainline_process_resident_memory_bytes \d+$/)]);
});

test("a malformed delivery is counted as dropped under its event, and scraping asks GitHub nothing", async () => {
  const res = await app.deliver("issues", { action: "labeled", installation: { id: INSTALLATION_ID } });
  expect(res.status).toBe(200);
  const before = github.log.length;
  const text = await (await fetch(`${app.url}/metrics`)).text();
  expect(series(text, "mainline_deliveries_total")).toContain('mainline_deliveries_total{event="issues.labeled",outcome="dropped"} 1');
  expect(github.log.length).toBe(before);
});
