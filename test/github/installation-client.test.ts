import { Probot } from "probot";
import { installationClients } from "../../src/github/installation-client.js";
import { INSTALLATION_ID, OWNER } from "../helpers/fixtures.js";
import { GitHubTestServer } from "../helpers/github-server.js";
import { PRIVATE_KEY, PUBLIC_KEY } from "../helpers/keys.js";
import { capturedLogger } from "../helpers/log-capture.js";

// The client handlers get, as the app builds it: app authentication, Probot's plugins on, a
// GitHub Enterprise-style base (/api/v3), and a time limit on each attempt of a request.
const TIME_LIMIT_MS = 300;

let github: GitHubTestServer;
beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  github.addRepo(OWNER, "direct", "main");
});
afterAll(() => github.stop());

test("a read that hangs is cut at the time limit and sent again through the client, which gets its answer", async () => {
  const probot = new Probot({ appId: 123, privateKey: PRIVATE_KEY, baseUrl: github.apiBase, log: capturedLogger().log });
  const octokit = await installationClients(probot, TIME_LIMIT_MS)(INSTALLATION_ID);
  let hung = 0;
  const heal = github.injectFault((method, path) => (method === "GET" && path.endsWith("/issues") && hung++ === 0 ? { drop: true, delayMs: 5_000 } : undefined));
  const before = github.log.length;
  const started = Date.now();

  const { status } = await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "direct" });
  heal();

  expect(status).toBe(200);
  expect(Date.now() - started).toBeGreaterThanOrEqual(TIME_LIMIT_MS);
  expect(Date.now() - started).toBeLessThan(5_000);
  // The installation token came through the whole client, under the same base as the reads.
  expect(github.calls().slice(before)).toEqual([
    `POST /app/installations/${INSTALLATION_ID}/access_tokens`,
    `GET /repos/${OWNER}/direct/issues`,
    `GET /repos/${OWNER}/direct/issues`,
  ]);
});
