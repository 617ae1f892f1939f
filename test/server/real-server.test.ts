import { deploymentCreated, OWNER, protectionRuleRequested, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { secretsIn } from "../helpers/secrets.js";
import { credentialsFor, startApp, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

// The app as users run it: `npm start` (probot run on dist/), signed webhooks over loopback HTTP,
// and GitHub replaced by the loopback test server.
const ROOT = "a".repeat(40);
const ON_MAIN = "b".repeat(40);
const MAIN_HEAD = "c".repeat(40);
const SIDE = "d".repeat(40);

let github: GitHubTestServer;
let app: RunningApp;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  const repo = github.addRepo(OWNER, REPO, "master");
  github.commit(repo, ROOT, null, "master");
  github.commit(repo, ON_MAIN, ROOT, "master");
  github.commit(repo, MAIN_HEAD, ON_MAIN, "master");
  github.commit(repo, SIDE, ROOT, "hotfix/payments");
  app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

afterEach(() => expect(github.problems).toEqual([]));

const answers = () => github.repos.get(`${OWNER}/${REPO}`)!.protectionRuleAnswers;
/** What `calls` read beyond the config (`.github/mainline.yml` of the repository and the org). */
const readsOf = (calls: string[]) => calls.filter((c) => c.startsWith("GET ") && !c.includes("/contents/"));
/** What `calls` wrote (the token exchange aside). */
const writesOf = (calls: string[]) => calls.filter((c) => !c.startsWith("GET ") && !c.endsWith("/access_tokens"));
/** The gate's one read of an exception's state: this app's mainline/exception check runs on S. */
const exceptionRuns = (sha: string, owner = OWNER, repo = REPO) =>
  `GET /repos/${owner}/${repo}/commits/${sha}/check-runs?check_name=mainline%2Fexception&app_id=123&filter=all&per_page=100`;

test("GET /healthz answers 200 once the app is up", async () => {
  const res = await fetch(`${app.url}/healthz`);
  expect(res.status).toBe(200);
});

test("an off-main deploy is refused through the protection rule callback", async () => {
  const before = github.log.length;
  const res = await app.deliver("deployment_protection_rule", protectionRuleRequested({ sha: SIDE, runId: 1, apiBase: github.apiBase }));
  expect(res.status).toBe(200);
  expect(answers().find((a) => a.runId === 1)).toMatchObject({ environment_name: "production", state: "rejected" });
  expect(answers().find((a) => a.runId === 1)?.comment).toContain(`Refused: ddddddd is not on master (head ccccccc;`);
  const calls = github.calls().slice(before);
  expect(writesOf(calls)).toEqual(["POST /repos/Codertocat/Hello-World/actions/runs/1/deployment_protection_rule"]);
  // Beyond the config: where S stands (1), and its exceptions, this app's mainline/exception check runs on S (1).
  expect(readsOf(calls).length).toBeLessThanOrEqual(2);
});

test("an on-main deploy is approved; asked again, the cached answer saves the compare and the exception runs (on main, they cannot change the answer)", async () => {
  const first = github.log.length;
  const res = await app.deliver("deployment_protection_rule", protectionRuleRequested({ sha: ON_MAIN, runId: 2, apiBase: github.apiBase }));
  expect(res.status).toBe(200);
  expect(answers().find((a) => a.runId === 2)).toMatchObject({ state: "approved", comment: "bbbbbbb is on master (head ccccccc): approved for production." });
  const second = github.log.length;
  await app.deliver("deployment_protection_rule", protectionRuleRequested({ sha: ON_MAIN, runId: 5, apiBase: github.apiBase }));
  expect(answers().find((a) => a.runId === 5)).toMatchObject({ state: "approved" });

  const asked = github.calls().slice(first, second);
  const askedAgain = github.calls().slice(second);
  expect(writesOf(asked)).toEqual(["POST /repos/Codertocat/Hello-World/actions/runs/2/deployment_protection_rule"]);
  expect(writesOf(askedAgain)).toEqual(["POST /repos/Codertocat/Hello-World/actions/runs/5/deployment_protection_rule"]);
  // The first time: where the commit stands (1), its exception runs (1). Again: nothing beyond the config.
  expect(readsOf(asked)).toEqual(expect.arrayContaining([`GET /repos/Codertocat/Hello-World/compare/heads%2Fmaster...${ON_MAIN}?per_page=1`, exceptionRuns(ON_MAIN)]));
  expect(readsOf(asked).length).toBeLessThanOrEqual(2);
  expect(readsOf(askedAgain)).toEqual([]);
});

describe("Gate API calls, warm (the same on-main sha asked again): counted, and conditional (304, free on GitHub)", () => {
  const CONFIG = ".github/mainline.yml";

  test.each([
    {
      setup: "the repository has its own .github/mainline.yml",
      owner: "own-config",
      repoFile: "mode: enforce\n",
      orgFile: undefined,
      warm: [
        "304 GET /repos/own-config/service/contents/.github%2Fmainline.yml",
        "204 POST /repos/own-config/service/actions/runs/2/deployment_protection_rule",
      ],
      counted: 1,
    },
    {
      // A 404 carries no ETag, so an absent file is asked for in full every time.
      setup: "no file in the repository, and no .github repository in the org",
      owner: "no-config",
      repoFile: undefined,
      orgFile: undefined,
      warm: [
        "404 GET /repos/no-config/service/contents/.github%2Fmainline.yml",
        "404 GET /repos/no-config/.github/contents/.github%2Fmainline.yml",
        "204 POST /repos/no-config/service/actions/runs/2/deployment_protection_rule",
      ],
      counted: 3,
    },
    {
      setup: "no file in the repository; the org's .github repository has one",
      owner: "org-config",
      repoFile: undefined,
      orgFile: "environments: [production]\n",
      warm: [
        "404 GET /repos/org-config/service/contents/.github%2Fmainline.yml",
        "304 GET /repos/org-config/.github/contents/.github%2Fmainline.yml",
        "204 POST /repos/org-config/service/actions/runs/2/deployment_protection_rule",
      ],
      counted: 2,
    },
  ])("$setup: $counted counted", async ({ owner, repoFile, orgFile, warm, counted }) => {
    const repo = github.addRepo(owner, "service", "main");
    const root = github.commit(repo, "e".repeat(40), null, "main");
    github.commit(repo, "f".repeat(40), root, "main");
    if (repoFile) repo.files.set(CONFIG, repoFile);
    if (orgFile) github.addRepo(owner, ".github").files.set(CONFIG, orgFile);
    const hooks = storyWebhooks(github, repo);

    await app.deliver(...hooks.protectionRule(root, "production", 1, "deployer"));
    const cold = github.log.length;
    await app.deliver(...hooks.protectionRule(root, "production", 2, "deployer"));
    const calls = github.log.slice(cold);

    expect(repo.protectionRuleAnswers.map((a) => a.state)).toEqual(["approved", "approved"]);
    expect(calls.map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual(warm);
    expect(calls.filter((r) => r.status !== 304)).toHaveLength(counted);
  });
});

test("an API-made deployment of an off-main commit gets a failure status", async () => {
  const res = await app.deliver("deployment", deploymentCreated({ sha: SIDE, deploymentId: 77 }));
  expect(res.status).toBe(200);
  const [status] = github.repos.get(`${OWNER}/${REPO}`)!.deploymentStatuses.get(77)!;
  expect(status).toMatchObject({ state: "failure", environment: "production" });
  expect(status!.description.length).toBeLessThanOrEqual(140);
});

test("the app's log never shows the private key, the webhook secret or an installation token", () => {
  const log = app.output();
  expect(log).toContain("INFO (event): Refused: ddddddd is not on master");
  expect(secretsIn(log)).toEqual([]);
});

test("without credentials, npm start serves Probot's setup page", async () => {
  const setup = await startApp({ APP_ID: "", PRIVATE_KEY: "", WEBHOOK_SECRET: "" }, "/probot");
  try {
    const page = await (await fetch(`${setup.url}/probot`)).text();
    expect(page).toContain("Register GitHub App");
  } finally {
    await setup.stop();
  }
}, 30_000);
