import nock from "nock";
import { pullRequestEvent } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHub } from "../helpers/github-mock.js";
import { restCheckRun, restCheckRuns, restPullFiles, restPullOfCommit } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const HEAD = "a".repeat(40);
const CONFIG_CHECK = "mainline/config";
const PULL = { base: "master", head: "tune-mainline" };

const GET = {
  /** The pull requests of the head commit: this one alone. */
  headPulls: `${REPO_PATH}/commits/${HEAD}/pulls?per_page=100`,
  checkRuns: (name: string) => `${REPO_PATH}/commits/${HEAD}/check-runs?check_name=${encodeURIComponent(name)}&filter=latest&per_page=100`,
  files: `${REPO_PATH}/pulls/2/files?per_page=100`,
  /** The file as the pull request's head has it. */
  atHead: `${REPO_PATH}/contents/.github%2Fmainline.yml?ref=${HEAD}`,
};
/**
 * What the pull request's own check reads (into main: no commit is judged): the head's pull
 * requests, its `mainline/merge-first` run, the files (does it change `.github/mainline.yml`?).
 */
const MERGE_FIRST_READS = 3;
const FALLBACK = "Until this is fixed, mainline would use the defaults for these keys (the gate stays on).";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** A pull request into main that changes `.github/mainline.yml` (`status`) to `text` at its head. */
function pullChangingConfig(github: ReturnType<typeof mockGitHub>, files: Parameters<typeof restPullFiles>[0], text?: string) {
  github.token();
  github.config();
  github.scope.get(GET.headPulls).reply(200, [restPullOfCommit(PULL)]);
  github.scope.get(GET.checkRuns("mainline/merge-first")).reply(200, restCheckRuns([]));
  github.scope.post(`${REPO_PATH}/check-runs`, (body) => body.name === "mainline/merge-first").reply(201, restCheckRun({ id: 31, name: "mainline/merge-first", headSha: HEAD }));
  github.scope.get(GET.files).reply(200, restPullFiles(files));
  if (text !== undefined) github.scope.get(GET.atHead).reply(200, text, { "content-type": "text/plain; charset=utf-8" });
}

function configCheckCreated(github: ReturnType<typeof mockGitHub>) {
  github.scope.get(GET.checkRuns(CONFIG_CHECK)).reply(200, restCheckRuns([]));
  github.scope.post(`${REPO_PATH}/check-runs`, (body) => body.name === CONFIG_CHECK).reply(201, restCheckRun({ id: 32, name: CONFIG_CHECK, headSha: HEAD }));
}

async function deliver() {
  const { probot } = await testApp();
  await probot.receive({ id: "pr-1", name: "pull_request", payload: pullRequestEvent("opened", PULL) as never });
}

/** What the delivery read beyond its start (the token, `.github/mainline.yml` on main); each mock answers once, so `github.done()` proves each was read once. */
function reads(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => c.startsWith("GET ") && !CONFIG_READS.includes(c));
}

/** The check runs the delivery wrote, by name. */
function checksWritten(github: ReturnType<typeof mockGitHub>): string[] {
  return github.requests.filter((r) => r.method !== "GET" && r.path.includes("/check-runs")).map((r) => (r.body as { name: string }).name);
}

function configCheck(github: ReturnType<typeof mockGitHub>) {
  const post = github.requests.find((r) => r.method === "POST" && (r.body as { name?: string } | undefined)?.name === CONFIG_CHECK);
  const { conclusion, output } = post?.body as { conclusion: string; output: { title: string; summary: string } };
  return { conclusion, title: output.title, summary: output.summary };
}

describe("pull_request changing .github/mainline.yml: mainline/config", () => {
  test("a valid file passes, read at the pull request's head", async () => {
    const github = mockGitHub();
    pullChangingConfig(github, [{ filename: "README.md" }, { filename: ".github/mainline.yml" }], "mode: shadow\nreleaseBranches:\n  - release/*\n  - support/*\n");
    configCheckCreated(github);

    await deliver();

    expect(reads(github)).toContain(`GET ${GET.atHead}`);
    // The file at the head (1), and its run (1).
    expect(reads(github).length).toBeLessThanOrEqual(MERGE_FIRST_READS + 2);
    expect(configCheck(github)).toEqual({ conclusion: "success", title: ".github/mainline.yml is valid", summary: "`.github/mainline.yml` at aaaaaaa matches mainline's schema." });
    github.done();
  });

  test.each([
    {
      what: "a wrong enum value",
      text: "environments:\n  - production\noverride:\n  permission: owner\n",
      lines: ['- line 4: .github/mainline.yml: `override.permission`: expected one of "write", "maintain", "admin", got string "owner"'],
    },
    {
      what: "an unknown key",
      text: "mode: enforce\nlabels:\n  incident: incident\n  hotfx: hotfix\n",
      lines: ["- line 4: .github/mainline.yml: `labels.hotfx`: expected no such key (known: incident, mergeBack, rca, cascade, postMergeReview), got an unknown key"],
    },
    {
      what: "a misspelt key of the hotfix and promotion settings",
      text: "mode: enforce\npromotion:\n  production:\n    after: staging\n    soakMinute: 30\nhotfix:\n  maxChangedLine: 200\n",
      lines: [
        "- line 5: .github/mainline.yml: `promotion.production.soakMinute`: expected no such key (known: after, soakMinutes), got an unknown key",
        "- line 7: .github/mainline.yml: `hotfix.maxChangedLine`: expected no such key (known: criteria, maxChangedLines, budget), got an unknown key",
      ],
    },
    {
      what: "a wrong type in a list",
      text: "mode: enforce\nenvironments:\n  - production\n  - 42\n",
      lines: ["- line 4: .github/mainline.yml: `environments[1]`: expected string, got number 42"],
    },
    {
      what: "invalid YAML syntax",
      text: "mode: enforce\nlabels: [incident\nrca:\n  dueDays: 5\n",
      lines: ["- line 3: .github/mainline.yml: `(file)`: expected a YAML mapping (see .github/mainline.yml in the README), got invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:"],
    },
    {
      what: "several problems at once",
      text: "# mainline\nmode: block\nmergeBack:\n  dueHours: -1\nrca:\n  requiredSections: Timeline\n",
      lines: [
        '- line 2: .github/mainline.yml: `mode`: expected one of "enforce", "shadow", got string "block"',
        "- line 4: .github/mainline.yml: `mergeBack.dueHours`: expected a number greater than 0, got number -1",
        '- line 6: .github/mainline.yml: `rca.requiredSections`: expected a list, got string "Timeline"',
      ],
    },
  ])("$what fails, each problem on its line with the key path, what was expected and what was found", async ({ text, lines }) => {
    const github = mockGitHub();
    pullChangingConfig(github, [{ filename: ".github/mainline.yml" }], text);
    configCheckCreated(github);

    await deliver();

    expect(configCheck(github)).toEqual({
      conclusion: "failure",
      title: `.github/mainline.yml: ${lines.length} ${lines.length === 1 ? "problem" : "problems"}`,
      summary: `${lines.join("\n")}\n\n${FALLBACK}`,
    });
    github.done();
  });

  test("a pull request that deletes the file passes, saying the defaults apply, without reading it", async () => {
    const github = mockGitHub();
    pullChangingConfig(github, [{ filename: ".github/mainline.yml", status: "removed" }]);
    configCheckCreated(github);

    await deliver();

    expect(reads(github)).not.toContain(`GET ${GET.atHead}`);
    // Its run (1).
    expect(reads(github).length).toBeLessThanOrEqual(MERGE_FIRST_READS + 1);
    expect(configCheck(github)).toEqual({
      conclusion: "success",
      title: ".github/mainline.yml removed: the defaults (or the owner's .github repository) apply",
      summary: "This pull request removes `.github/mainline.yml`.",
    });
    github.done();
  });

  test("a pull request that renames the file away counts as deleting it", async () => {
    const github = mockGitHub();
    pullChangingConfig(github, [{ filename: ".github/mainline.yml.bak", status: "renamed", previous: ".github/mainline.yml" }]);
    configCheckCreated(github);

    await deliver();

    expect(configCheck(github).title).toBe(".github/mainline.yml removed: the defaults (or the owner's .github repository) apply");
    github.done();
  });

  test("a pull request not touching the file gets no mainline/config check", async () => {
    const github = mockGitHub();
    pullChangingConfig(github, [{ filename: ".github/workflows/ci.yml" }, { filename: "mainline.yml" }]);

    await deliver();

    expect(checksWritten(github)).toEqual(["mainline/merge-first"]);
    expect(reads(github).length).toBeLessThanOrEqual(MERGE_FIRST_READS);
    github.done();
  });
});
