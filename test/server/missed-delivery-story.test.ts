import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * Nothing lost while the app was down: a protection rule is requested while mainline is stopped
 * (GitHub records the delivery as failed), mainline starts, its sweep asks GitHub to redeliver,
 * and the waiting deployment gets its answer.
 */
const SIDE = "d".repeat(40);

let github: GitHubTestServer;
let repo: Repository;
let app: RunningApp | undefined;

beforeAll(async () => {
  github = new GitHubTestServer({ appPublicKey: PUBLIC_KEY, appId: 123 });
  await github.start();
  repo = github.addRepo(OWNER, REPO, "main");
  github.commit(repo, "a".repeat(40), null, "main");
  github.commit(repo, SIDE, "a".repeat(40), "feature");
});

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

test("a protection rule requested while mainline was down is answered once it is back", async () => {
  const [event, payload] = storyWebhooks(github, repo).protectionRule(SIDE, "production", 77, "bob");
  // GitHub tried to deliver while mainline was down: the attempt failed.
  github.deliveries.seed({ event, action: "requested", status_code: 502, guid: "guid-down-1" });
  github.deliveries.receiver = async (delivery) => (await app!.deliver(event, payload, { id: `redelivery-${delivery.id}` })).status;

  app = await startApp({
    ...credentialsFor(github.host),
    MAINLINE_REDELIVERY: "on",
    LOG_LEVEL: "info",
  });

  // The redelivery is recorded once the app has answered it, as GitHub records an attempt's status.
  const redelivered = () => github.deliveries.rows.some((r) => r.guid === "guid-down-1" && r.redelivery);
  const deadline = Date.now() + 20_000;
  while (!redelivered() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(repo.protectionRuleAnswers.filter((a) => a.runId === 77)).toEqual([expect.objectContaining({ environment_name: "production", state: "rejected" })]);
  expect(github.deliveries.rows.filter((r) => r.guid === "guid-down-1").map((r) => [r.redelivery, r.status_code])).toEqual([
    [false, 502],
    [true, 200],
  ]);
  expect(app.output()).toMatch(/redeliver/i);
  expect(github.problems).toEqual([]);
});
