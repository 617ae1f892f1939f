import { deploymentCreated, OWNER, protectionRuleRequested, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer } from "../helpers/github-server.js";
import { PRIVATE_KEY, PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WEBHOOK_SECRET, type RunningApp } from "../helpers/start-app.js";

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
  app = await startApp(credentialsFor(github.host));
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

afterEach(() => expect(github.problems).toEqual([]));

const answers = () => github.repos.get(`${OWNER}/${REPO}`)!.protectionRuleAnswers;

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
  expect(github.calls().slice(before)).toEqual([
    "POST /app/installations/2/access_tokens",
    "GET /repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml",
    "GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml",
    `GET /repos/Codertocat/Hello-World/compare/master...${SIDE}?per_page=1`,
    "GET /repos/Codertocat/Hello-World/issues?labels=incident&state=open&per_page=100",
    "POST /repos/Codertocat/Hello-World/actions/runs/1/deployment_protection_rule",
  ]);
});

test("an on-main deploy is approved; asked again, the cached answer saves the compare", async () => {
  const first = github.log.length;
  const res = await app.deliver("deployment_protection_rule", protectionRuleRequested({ sha: ON_MAIN, runId: 2, apiBase: github.apiBase }));
  expect(res.status).toBe(200);
  expect(answers().find((a) => a.runId === 2)).toMatchObject({ state: "approved", comment: "bbbbbbb is on master (head ccccccc): approved for production." });
  const second = github.log.length;
  await app.deliver("deployment_protection_rule", protectionRuleRequested({ sha: ON_MAIN, runId: 5, apiBase: github.apiBase }));
  expect(answers().find((a) => a.runId === 5)).toMatchObject({ state: "approved" });

  const config = ["GET /repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml", "GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml"];
  expect(github.calls().slice(first, second)).toEqual([
    ...config,
    `GET /repos/Codertocat/Hello-World/compare/master...${ON_MAIN}?per_page=1`,
    "POST /repos/Codertocat/Hello-World/actions/runs/2/deployment_protection_rule",
  ]);
  expect(github.calls().slice(second)).toEqual([...config, "POST /repos/Codertocat/Hello-World/actions/runs/5/deployment_protection_rule"]);
});

test("an API-made deployment of an off-main commit gets a failure status", async () => {
  const res = await app.deliver("deployment", deploymentCreated({ sha: SIDE, deploymentId: 77 }));
  expect(res.status).toBe(200);
  const [status] = github.repos.get(`${OWNER}/${REPO}`)!.deploymentStatuses.get(77)!;
  expect(status).toMatchObject({ state: "failure", environment: "production" });
  expect(status!.description.length).toBeLessThanOrEqual(140);
});

test.each([
  ["a wrong signature", "sha256=" + "0".repeat(64)],
  ["a signature made with another secret", null as string | null],
  ["no signature", undefined as string | undefined],
])("a webhook with %s is refused with 4xx and makes no API call", async (_name, signature) => {
  const before = github.log.length;
  const payload = protectionRuleRequested({ sha: SIDE, runId: 3, apiBase: github.apiBase });
  const body = JSON.stringify(payload);
  const { sign } = await import("../helpers/start-app.js");
  const sent = signature === null ? sign(body, "another-secret") : signature === undefined ? null : signature;
  const res = await app.deliver("deployment_protection_rule", payload, { signature: sent });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  await new Promise((r) => setTimeout(r, 200));
  expect(github.log.length).toBe(before);
  expect(answers().find((a) => a.runId === 3)).toBeUndefined();
});

test("the app's log never shows the private key, the webhook secret or an installation token", () => {
  const log = app.output();
  expect(log).toContain("deployment_protection_rule");
  const keyBody = PRIVATE_KEY.split("\n")[1]!;
  for (const secret of [keyBody, WEBHOOK_SECRET, "ghs_testserver"]) expect(log).not.toContain(secret);
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
