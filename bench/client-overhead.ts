import { performance } from "node:perf_hooks";
import { ProbotOctokit } from "probot";
import { GitHubTestServer, INSTALLATION_TOKEN } from "../test/helpers/github-server.js";
import { OWNER, sha } from "./scenario.js";

export type ClientCost = { client: string; msPerRequest: number };

const REQUESTS = 100;

/**
 * What Probot's Octokit adds to one request apart from any spacing: one read after another
 * against the loopback server, with its throttling and retry plugins on and off, and with
 * plain fetch. Runs in the bench process, not the app's.
 */
export async function measureClientCost(): Promise<ClientCost[]> {
  const github = new GitHubTestServer();
  await github.start();
  const repo = github.addRepo(OWNER, "client", "main");
  github.commit(repo, sha("client root"), null, "main");
  const read = { owner: OWNER, repo: repo.name };
  const octokit = (throttle: boolean, retry: boolean) =>
    new ProbotOctokit({ auth: { token: INSTALLATION_TOKEN }, baseUrl: github.apiBase, throttle: { enabled: throttle, id: "1" }, retry: { enabled: retry } });
  const clients: Array<[string, () => Promise<unknown>]> = [
    ["Probot's Octokit as shipped (throttling and retry plugins)", withClient(octokit(true, true), read)],
    ["throttling plugin off", withClient(octokit(false, true), read)],
    ["retry plugin off", withClient(octokit(true, false), read)],
    ["both off", withClient(octokit(false, false), read)],
    ["plain fetch", () => fetch(`${github.apiBase}/repos/${OWNER}/${repo.name}/deployments`, { headers: { authorization: `token ${INSTALLATION_TOKEN}` } }).then((r) => r.text())],
  ];
  try {
    const costs: ClientCost[] = [];
    for (const [client, request] of clients) {
      for (let i = 0; i < 10; i++) await request();
      const start = performance.now();
      for (let i = 0; i < REQUESTS; i++) await request();
      costs.push({ client, msPerRequest: (performance.now() - start) / REQUESTS });
    }
    return costs;
  } finally {
    await github.stop();
  }
}

function withClient(octokit: InstanceType<typeof ProbotOctokit>, read: { owner: string; repo: string }) {
  return () => octokit.request("GET /repos/{owner}/{repo}/deployments", read);
}
