import nock from "nock";
import { ProbotOctokit } from "probot";
import { GLOB_ENVIRONMENTS_SEARCHED, rollbackCandidates } from "../../src/github/rollback.js";
import type { Ancestry } from "../../src/policy/gate.js";
import { mockGitHub } from "../helpers/github-mock.js";

const REPO = "/repos/Codertocat/Hello-World";
const BOT = { login: "deploy-tool[bot]", id: 41898282, type: "Bot" };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 12, minute)).toISOString();
const sha = (n: number) => n.toString(16).padStart(40, "a");
const deployment = (id: number, environment: string) => ({ id, environment, sha: sha(id), ref: "main", task: "deploy", created_at: at(id % 60), creator: BOT, performed_via_github_app: null });

let github: ReturnType<typeof mockGitHub>;
beforeAll(() => nock.disableNetConnect());
beforeEach(() => (github = mockGitHub()));
afterEach(() => nock.cleanAll());

test("the ledger searches every environment the config names, and only the most recently deployed few a glob names: whoever creates deployments names those", async () => {
  // 30 newest deployments: 20 preview environments a writer made (`pr-*` is gated), then production.
  const newest = [...Array.from({ length: 20 }, (_, i) => deployment(100 - i, `pr-${i}`)), ...Array.from({ length: 10 }, (_, i) => deployment(50 - i, "production"))];
  github.scope.get(`${REPO}/deployments?per_page=30`).reply(200, newest);
  const searched: string[] = [];
  github.scope
    .get(`${REPO}/deployments`)
    .query((q) => q.per_page === "5" && typeof q.environment === "string")
    .times(10)
    .reply((uri) => {
      const environment = new URL(uri, "https://api.github.com").searchParams.get("environment")!;
      searched.push(environment);
      return [200, newest.filter((d) => d.environment === environment).slice(0, 5)];
    });
  github.scope
    .get(/\/deployments\/\d+\/statuses/)
    .times(50)
    .reply(200, [{ id: 1, state: "success", created_at: at(59), creator: BOT, performed_via_github_app: null }]);
  const onMain = async (): Promise<Ancestry> => ({ kind: "on-main", mainHead: sha(1) });
  const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });

  const found = await rollbackCandidates({ octokit, owner: "Codertocat", repo: "Hello-World", repoId: 1 }, ["production", "pr-*"], onMain, 777);

  expect(GLOB_ENVIRONMENTS_SEARCHED).toBe(3);
  expect(searched.sort()).toEqual(["pr-0", "pr-1", "pr-2", "production"]);
  expect(found.map((c) => c.environment)).toEqual(["pr-0", "pr-1", "pr-2", "production"]);
  // 1 list of the newest, then per environment: its deployments and one status list for each (here 1 + 5).
  expect(github.requests.length).toBe(1 + 3 * 2 + (1 + 5));
});
