import { createHmac } from "node:crypto";
import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, INSTALLATION_TOKEN, type Repository } from "../helpers/github-server.js";
import { PRIVATE_KEY, PUBLIC_KEY } from "../helpers/keys.js";
import { secretsIn } from "../helpers/secrets.js";
import { credentialsFor, sign, startApp, WEBHOOK_SECRET, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";
import { MAX_PAYLOAD_BYTES } from "../../src/signature-gate.js";

// Webhook signatures against the app as users run it (`npm start`), with every log line on
// (LOG_LEVEL=trace: each webhook and each GitHub request is logged), so the log can be searched for secrets.
const ROOT = "a".repeat(40);
const SIDE = "d".repeat(40);

let github: GitHubTestServer;
let app: RunningApp;
let repo: Repository;
let hooks: ReturnType<typeof storyWebhooks>;
let incident: number;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  repo = github.addRepo(OWNER, REPO, "master");
  github.commit(repo, ROOT, null, "master");
  github.commit(repo, SIDE, ROOT, "hotfix/payments");
  incident = github.userIssue(repo, { title: "Payments down", labels: ["incident"], login: "alice" }).number;
  hooks = storyWebhooks(github, repo);
  app = await startApp({ ...credentialsFor(github.host), LOG_LEVEL: "trace" });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

afterEach(() => expect(github.problems).toEqual([]));

const deliveryId = () => `signature-${Math.random().toString(16).slice(2)}`;

/** Posts `body` as a webhook with exactly these signature headers. */
async function post(event: string, body: string, signatures: Record<string, string>, delivery = deliveryId()): Promise<number> {
  const headers = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": delivery, ...signatures };
  return (await fetch(`${app.url}/api/github/webhooks`, { method: "POST", headers, body })).status;
}

/** The log lines that mention a delivery, once the app has had time to write all it would. */
async function linesAbout(delivery: string): Promise<string[]> {
  const lines = () => app.output().split("\n").filter((line) => line.includes(delivery));
  for (const deadline = Date.now() + 5_000; lines().length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
  // A second line (Probot's own refusal, say) would follow within this.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return lines();
}

const hmac = (algorithm: string, body: string, secret = WEBHOOK_SECRET) => createHmac(algorithm, secret).update(body).digest("hex");

const MISSING = "no X-Hub-Signature-256 header";
const MISMATCH = "X-Hub-Signature-256 does not sign the body with WEBHOOK_SECRET";

/** Each way a signature can be wrong: the headers sent for a body, and the reason logged. */
const BAD_SIGNATURES: Array<[string, (body: string) => Record<string, string>, string]> = [
  ["no signature", () => ({}), MISSING],
  ["an empty signature", () => ({ "x-hub-signature-256": "" }), MISSING],
  ["a wrong signature", () => ({ "x-hub-signature-256": `sha256=${"0".repeat(64)}` }), MISMATCH],
  ["a signature made with another secret", (body) => ({ "x-hub-signature-256": sign(body, "another-secret") }), MISMATCH],
  ["the signature of another body (one byte more)", (body) => ({ "x-hub-signature-256": sign(`${body} `) }), MISMATCH],
  ["the right digest without its sha256= prefix", (body) => ({ "x-hub-signature-256": hmac("sha256", body) }), MISMATCH],
  ["only the legacy SHA-1 signature, correct", (body) => ({ "x-hub-signature": `sha1=${hmac("sha1", body)}` }), MISSING],
  ["a SHA-1 signature in the SHA-256 header", (body) => ({ "x-hub-signature-256": `sha1=${hmac("sha1", body)}` }), MISMATCH],
];

const answersTo = (runId: number) => repo.protectionRuleAnswers.filter((a) => a.runId === runId);
const repliesOn = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");

describe.each([
  {
    event: "deployment_protection_rule",
    // An off-main deploy: were it let through unsigned, it would be answered.
    make: () => hooks.protectionRule(SIDE, "production", 41, "mallory")[1],
    handled: () => answersTo(41).length,
  },
  {
    event: "issue_comment",
    make: () => hooks.comment(incident, "mallory", "/mainline help")[1],
    handled: () => repliesOn(incident).length,
  },
])("$event", ({ event, make, handled }) => {
  let body: string;
  beforeAll(() => {
    body = JSON.stringify(make());
  });

  test.each(BAD_SIGNATURES)("with %s is refused with 4xx before any handler runs: no request to GitHub, one log line without the body", async (_case, signatures, reason) => {
    const before = github.log.length;
    const delivery = deliveryId();
    // A mark found only in this body: wherever the body were logged, the mark would be too.
    const mark = `unsigned-body-${Math.random().toString(16).slice(2)}`;
    const unsigned = JSON.stringify({ ...(JSON.parse(body) as object), mark });
    const status = await post(event, unsigned, signatures(unsigned), delivery);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    // Within this wait a handler started anyway would have made its first request (the installation token).
    const lines = await linesAbout(delivery);
    expect(github.calls().slice(before)).toEqual([]);
    expect(handled()).toBe(0);
    expect(lines).toEqual([`WARN (probot): webhook refused: ${reason} (delivery "${delivery}", event "${event}", ${Buffer.byteLength(unsigned)} bytes)`]);
    expect(app.output()).not.toContain(mark);
  });

  test("the same payload correctly signed is handled: it asks GitHub and answers once", async () => {
    const before = github.log.length;
    expect(await post(event, body, { "x-hub-signature-256": sign(body) })).toBe(200);
    expect(github.calls().slice(before).length).toBeGreaterThan(2);
    expect(handled()).toBe(1);
  });
});

test("a body over GitHub's 25 MB cap is refused with 413 even when signed, in one line and without keeping it", async () => {
  const before = github.log.length;
  const delivery = deliveryId();
  const huge = JSON.stringify({ pad: "x".repeat(MAX_PAYLOAD_BYTES) });
  expect(await post("issue_comment", huge, { "x-hub-signature-256": sign(huge) }, delivery)).toBe(413);
  expect(await linesAbout(delivery)).toEqual([`WARN (probot): webhook refused: body over ${MAX_PAYLOAD_BYTES} bytes (delivery "${delivery}", event "issue_comment", ${huge.length} bytes)`]);
  expect(github.calls().slice(before)).toEqual([]);
});

test("with every log line on, the log never shows the private key, the webhook secret or the installation token", () => {
  const log = app.output();
  // The log did record where a leak would be: each webhook, each refusal, and the token request.
  expect(log).toContain("DEBUG (probot): issue_comment event received");
  expect(log).toContain("WARN (probot): webhook refused: X-Hub-Signature-256 does not sign the body");
  // …and Probot's own refusal (at error level, with the whole payload) never ran.
  expect(log).not.toContain("signature does not match");
  expect(log).not.toContain("ERROR");
  expect(log).toMatch(/DEBUG \(github\): GitHub request: POST \S+\/app\/installations\/2\/access_tokens - 201/);
  expect(secretsIn(log)).toEqual([]);
  // …and the search would have found each of them.
  const leaked = [PRIVATE_KEY.split("\n")[3], WEBHOOK_SECRET, INSTALLATION_TOKEN].join(" ");
  expect(secretsIn(leaked)).toEqual(['"test-webhook-secret"', '"ghs_testserver"', "the private key"]);
});
