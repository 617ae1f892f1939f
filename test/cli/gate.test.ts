import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Probot } from "probot";
import { pino } from "pino";
import { EXIT, exceptionNotYetRecorded, runCommand } from "../../src/cli/run-gate.js";
import { SHA_DEFAULT_EVENTS, USAGE } from "../../src/cli/gate-inputs.js";
import { EXCEPTION_CHECK } from "../../src/public-names.js";
import { marker } from "../../src/markers.js";
import { decideDeployment } from "../../src/policy/gate.js";
import { configNotVerifiable, notGatedMessage } from "../../src/procedures/gate-decision.js";
import { exceptionRunState } from "../helpers/exception-fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";
import { loadTestApp, testProbot } from "../helpers/test-app.js";

// `mainline-gate` as a deploy workflow runs it, against the loopback GitHub: the app's decision,
// message and records (this app's exception runs, incidents open here), told by exit code.
const OWNER = "acme";
const NAME = "shop";
const ROOT = "a".repeat(40);
const S = "b".repeat(40);
const MAIN_HEAD = "c".repeat(40);
const OFF_MAIN = "d".repeat(40);
// Far ahead of both clocks that judge it: the command's real one and the in-process app's fixed one.
const EXPIRES = "2099-01-01T00:00:00.000Z";
const CONFIG = ".github/mainline.yml";

let github: GitHubTestServer;
let repo: Repository;

beforeEach(async () => {
  github = new GitHubTestServer();
  await github.start();
  repo = github.addRepo(OWNER, NAME, "main");
  // GitHub's repository endpoint, which the command asks for the default branch (a webhook carries it).
  github.route("GET", "/repos/:owner/:repo", ({ params }) => {
    const found = github.repoFor(params);
    if (!found) return { status: 404, body: { message: "Not Found" } };
    const body = { id: found.id, name: found.name, full_name: `${found.owner}/${found.name}`, default_branch: found.defaultBranch, owner: { login: found.owner } };
    return { status: 200, body };
  });
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, S, ROOT, "main");
  github.commit(repo, MAIN_HEAD, S, "main");
  github.commit(repo, OFF_MAIN, ROOT, "hotfix/payments");
  // The repository's own config, which the step requires (a workflow's token may not read another's).
  repo.files.set(CONFIG, "environments: [production]\n");
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

/** What a workflow step's environment holds (GITHUB_TOKEN given through the step's `env:`). */
function workflowEnv(sha: string, extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_SHA: sha, GITHUB_EVENT_NAME: "push", GITHUB_REPOSITORY: `${OWNER}/${NAME}`, GITHUB_API_URL: github.apiBase, GITHUB_TOKEN: "ghs_workflow", MAINLINE_APP_ID: String(github.app.id), ...extra };
}

/** Runs the command in this process; retries keep their number but pause milliseconds, not seconds. */
async function gate(args: string[], env: Record<string, string>) {
  let out = "";
  let err = "";
  const io = { out: (text: string) => void (out += `${text}\n`), err: (text: string) => void (err += `${text}\n`) };
  const code = await runCommand(args, env, io, { octokit: { retry: { retryAfterBaseValue: 1 } } });
  return { code, out, err };
}

/** An incident opened by a person, with this app's exception run for (sha, production) in it, as `/hotfix allow` leaves it. */
function exceptionFor(sha: string): number {
  const incident = github.userIssue(repo, { title: "Checkout is down", labels: ["incident"], login: "alice" }).number;
  const state = exceptionRunState({ incident, sha, at: new Date().toISOString(), expires: EXPIRES, source: "101:1" });
  github.otherAppCheckRun(repo, { appId: github.app.id, name: EXCEPTION_CHECK, headSha: sha, text: marker("exception-run", state) });
  return incident;
}

/**
 * The policy's refusal of `sha` (one commit off main's root, main two ahead): the wording is the
 * policy's (test/policy covers it), the facts in it are checked here.
 */
function refusal(sha: string): string {
  const ancestry = { kind: "off-main", mainHead: MAIN_HEAD, aheadBy: 1, behindBy: 2 } as const;
  const { message } = decideDeployment({ sha, environment: "production", mainBranch: "main", mode: "enforce", onApiError: "reject", grantRole: "maintain", ancestry, exceptions: [], now: new Date() });
  expect(message).toContain(`Refused: ${sha.slice(0, 7)} is not on main (head ${MAIN_HEAD.slice(0, 7)};`);
  expect(message).toContain(`/hotfix allow ${sha.slice(0, 7)} production`);
  return `${message}\n`;
}

describe("mainline-gate", () => {
  test("a commit on main: exit 0, and the app's approval", async () => {
    const result = await gate(["--environment", "production"], workflowEnv(S));
    expect(result).toEqual({ code: EXIT.allowed, out: `bbbbbbb is on main (head ccccccc): approved for production.\n`, err: "" });
  });

  test("a commit off main: exit 1, and the refusal names S, main's head and both ways forward", async () => {
    expect(await gate(["--environment", "production"], workflowEnv(OFF_MAIN))).toEqual({ code: EXIT.refused, out: refusal(OFF_MAIN), err: "" });
  });

  test("a commit off main with this app's exception, its incident open: exit 0, approved under that incident, and when the app records it", async () => {
    const incident = exceptionFor(OFF_MAIN);
    const result = await gate(["--environment", "production"], workflowEnv(OFF_MAIN));
    expect(result.code).toBe(EXIT.allowed);
    // The app's message, then the line saying it is not true yet: the app records the deploy when its deployment succeeds.
    expect(result.out).toBe(
      `ddddddd is not on main, but @alice granted an exception for production in incident #${incident} (expires ${EXPIRES}): approved. ` +
        `A merge-back issue tracks bringing ddddddd to main.\n` +
        `mainline has not recorded this deploy yet: the app records it in incident #${incident} and opens the merge-back issue for ddddddd ` +
        "when the deploy job's deployment to production reports success, so that job must run with `environment: production`.\n",
    );
    // The step writes nothing: no merge-back issue yet, no record in the incident.
    expect(github.calls((call) => call.method !== "GET")).toEqual([]);
  });

  test("an exception's approval for --sha other than the run's commit: the job's deployment would name GITHUB_SHA, so it says to create one for S", async () => {
    const incident = exceptionFor(OFF_MAIN);
    // workflow_dispatch from main, deploying `inputs.sha`: GitHub makes the job's deployment for main's head.
    const result = await gate(["--environment", "production", "--sha", OFF_MAIN], workflowEnv(MAIN_HEAD, { GITHUB_EVENT_NAME: "workflow_dispatch" }));
    expect(result.code).toBe(EXIT.allowed);
    expect(result.out).toBe(
      `ddddddd is not on main, but @alice granted an exception for production in incident #${incident} (expires ${EXPIRES}): approved. ` +
        `A merge-back issue tracks bringing ddddddd to main.\n` +
        `mainline has not recorded this deploy yet, and this run's deployments will not tell it: GitHub makes a job's deployment for the run's commit ` +
        `(GITHUB_SHA ccccccc), not ddddddd. Create a deployment of ${OFF_MAIN} to production through the REST API and set its status to success once deployed: ` +
        `the app records it in incident #${incident} and opens the merge-back issue for ddddddd.\n`,
    );
  });

  test("an approval because S is on main adds no line", async () => {
    exceptionFor(S);
    expect(await gate(["--environment", "production"], workflowEnv(S))).toEqual({ code: EXIT.allowed, out: `bbbbbbb is on main (head ccccccc): approved for production.\n`, err: "" });
  });

  test("the same exception once its incident is closed: exit 1, refused", async () => {
    github.userClose(repo, exceptionFor(OFF_MAIN), "alice");
    expect(await gate(["--environment", "production"], workflowEnv(OFF_MAIN))).toEqual({ code: EXIT.refused, out: refusal(OFF_MAIN), err: "" });
  });

  test("an exception run of another app counts for nothing: exit 1", async () => {
    const incident = github.userIssue(repo, { title: "Checkout is down", labels: ["incident"], login: "alice" }).number;
    const state = exceptionRunState({ incident, sha: OFF_MAIN, at: new Date().toISOString(), expires: EXPIRES, source: "101:1" });
    github.otherAppCheckRun(repo, { appId: 666, name: EXCEPTION_CHECK, headSha: OFF_MAIN, text: marker("exception-run", state) });
    expect((await gate(["--environment", "production"], workflowEnv(OFF_MAIN))).code).toBe(EXIT.refused);
  });

  test("compare answering 500 after every retry: exit 1, and the message says it could not verify, not that S is off main", async () => {
    github.fail((method, path) => method === "GET" && path.includes("/compare/"), { status: 500, body: { message: "Server Error" } });
    const result = await gate(["--environment", "production"], workflowEnv(S));
    expect(result.code).toBe(EXIT.refused);
    expect(result.out).toBe(
      `mainline could not verify that bbbbbbb is on main: GitHub did not answer (HTTP 500: Server Error). Refused because onApiError is "reject"; ` +
        `this says nothing about whether bbbbbbb is on main. Re-run the deployment to ask again.\n`,
    );
    // Probot's client retried it as the app's would: the first attempt and three more.
    expect(github.calls((r) => r.path.includes("/compare/"))).toHaveLength(4);
  });

  test("an environment that is not gated: exit 0 after reading config alone", async () => {
    expect(await gate(["--environment", "staging"], workflowEnv(OFF_MAIN))).toEqual({ code: EXIT.allowed, out: `${notGatedMessage("staging")}\n`, err: "" });
    expect(github.calls().every((call) => call.includes("/contents/"))).toBe(true);
  });

  test("shadow mode: exit 0, and the message says enforce mode would refuse", async () => {
    repo.files.set(".github/mainline.yml", "mode: shadow\n");
    const result = await gate(["--environment", "production"], workflowEnv(OFF_MAIN));
    expect(result.code).toBe(EXIT.allowed);
    expect(result.out).toBe(`[shadow mode: approved; enforce mode would refuse] ${refusal(OFF_MAIN)}`);
  });

  test.each([
    ["no --environment", [], {}, "--environment <name> is required"],
    ["a short sha", ["--environment", "production", "--sha", "bbbbbbb"], {}, "--sha must be a full 40-character commit sha"],
    ["no sha at all", ["--environment", "production"], { GITHUB_SHA: "" }, "--sha is required when GITHUB_SHA is not set"],
    ["a repository without owner", ["--environment", "production", "--repository", "shop"], {}, "--repository must be written owner/name"],
    ["an unknown option", ["--environment", "production", "--force"], {}, "Unknown option '--force'"],
    ["no MAINLINE_APP_ID", ["--environment", "production"], { MAINLINE_APP_ID: "" }, "MAINLINE_APP_ID is not set"],
    ["no GITHUB_TOKEN", ["--environment", "production"], { GITHUB_TOKEN: "" }, "GITHUB_TOKEN is not set"],
  ])("a wrong invocation (%s): exit 2, what is wrong and how to write it, and no request", async (_case, args, unset, problem) => {
    // The workflow's environment with the named variables empty, as an unset `${{ }}` leaves them.
    const result = await gate(args, workflowEnv(S, unset));
    expect(result.code).toBe(EXIT.wrongInvocation);
    expect(result.out).toBe("");
    expect(result.err).toContain(`mainline-gate: ${problem}`);
    expect(result.err).toContain(USAGE);
    expect(github.log).toEqual([]);
  });

  test("prints exactly what the app answers a protection rule for the same facts (excepted, refused)", async () => {
    const incident = exceptionFor(OFF_MAIN);
    const FEATURE = github.commit(repo, "e".repeat(40), ROOT, "feature");
    const commands = [];
    for (const sha of [OFF_MAIN, FEATURE]) commands.push(await gate(["--environment", "production"], workflowEnv(sha)));
    // Then the app, in process, for the same commits: its answers go to the protection rule's callback.
    const probot: Probot = testProbot(pino({ level: process.env.DEBUG_GATE ? "debug" : "silent" }), github.apiBase);
    await loadTestApp(probot);
    const hooks = storyWebhooks(github, repo);
    for (const [runId, sha] of [OFF_MAIN, FEATURE].entries()) {
      const [name, payload] = hooks.protectionRule(sha, "production", runId + 1, "deployer");
      await probot.receive({ id: `d-${runId}`, name, payload: payload as never });
    }
    // The step adds one line after an exception's approval (when the app records it); the app's message is the same.
    const note = `${exceptionNotYetRecorded({ sha: OFF_MAIN, environment: "production" }, incident)}\n`;
    expect(commands[0]!.out.endsWith(note)).toBe(true);
    const appMessages = commands.map((command) => command.out.replace(note, ""));
    expect(repo.protectionRuleAnswers.map((answer) => `${answer.comment}\n`)).toEqual(appMessages);
    expect(commands.map((command) => command.code)).toEqual([EXIT.allowed, EXIT.refused]);
    expect(commands[0]!.out).toContain(`incident #${incident}`);
  });
});

describe("mainline-gate: promotion (SPEC 10), the app's rule in a step", () => {
  const ACTIONS = { login: "github-actions[bot]", id: 41898282, type: "Bot" as const };
  /** S reached staging `minutes` ago, as GitHub Actions reports a deploy job's success. */
  function reachedStaging(minutes: number) {
    const at = new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const { id } = github.addDeployment(repo, { sha: S, environment: "staging" });
    // Actions creates the deployment it reports on: only its own `success` counts.
    repo.deployments.get(Number(id))!.creator = ACTIONS;
    repo.deploymentStatuses.set(Number(id), [{ id: github.nextId(), deployment_id: Number(id), state: "success", description: "", environment: "staging", log_url: "", environment_url: "", creator: ACTIONS, created_at: at, updated_at: at }]);
  }

  beforeEach(() => repo.files.set(CONFIG, "environments: [production]\npromotion:\n  production: { after: staging, soakMinutes: 30 }\n"));

  test("a commit on main that never reached staging: exit 1, naming the missing step", async () => {
    const result = await gate(["--environment", "production"], workflowEnv(S));
    expect(result.code).toBe(EXIT.refused);
    expect(result.out).toContain(
      "Refused: bbbbbbb is on main (head ccccccc). bbbbbbb has not reached staging yet: production takes a commit from main only once it succeeded in staging at least 30 minutes before, so deploy bbbbbbb to staging first.",
    );
  });

  test("soaked in staging: exit 0", async () => {
    reachedStaging(31);
    expect(await gate(["--environment", "production"], workflowEnv(S))).toEqual({
      code: EXIT.allowed,
      out: "bbbbbbb is on main (head ccccccc). bbbbbbb reached staging 31 minutes ago (production needs 30): approved for production.\n",
      err: "",
    });
  });

  test("an exception waives the rule for a commit on main: exit 0, and the step says the app records no merge-back for it", async () => {
    const incident = exceptionFor(S);
    const result = await gate(["--environment", "production"], workflowEnv(S));
    expect(result.code).toBe(EXIT.allowed);
    expect(result.out).toBe(
      `bbbbbbb is on main (head ccccccc), and @alice granted an exception for production in incident #${incident} (expires ${EXPIRES}): ` +
        "approved without the promotion through staging that production asks for. It is on main, so nothing needs merging back.\n" +
        `mainline does not record this deploy in incident #${incident}: it records a deploy of a commit on main under an exception only when its own gate lets it through ` +
        "(a deployment protection rule, or a deployment created through the REST API).\n",
    );
    // The exception decides: only S's staging deployments were listed, asked with where S stands before the exception was known.
    expect(github.calls().filter((call) => call.includes("/deployments"))).toEqual([`GET /repos/acme/shop/deployments?sha=${S}&environment=staging&per_page=10`]);
  });
});

describe("mainline-gate: which commit, which repository", () => {
  // GitHub's "Events that trigger workflows": on these GITHUB_SHA is the default branch's last commit
  // (or a test merge), not the commit the job checked out and deploys.
  test.each(["workflow_run", "issue_comment", "repository_dispatch", "schedule", "check_run", "check_suite", "pull_request_target", "pull_request", "create"])(
    "on %s, GITHUB_SHA is not taken for --sha: exit 2, saying to pass --sha, and no request",
    async (event) => {
      const result = await gate(["--environment", "production"], workflowEnv(S, { GITHUB_EVENT_NAME: event }));
      expect(result.code).toBe(EXIT.wrongInvocation);
      expect(result.out).toBe("");
      expect(result.err).toContain(
        `mainline-gate: --sha is required: this run's event is ${event}, and GITHUB_SHA is the commit being deployed only on push, workflow_dispatch, deployment, release. ` +
          `Pass --sha with the exact commit this job checked out and deploys.\n`,
      );
      expect(github.log).toEqual([]);
    },
  );

  test("without GITHUB_EVENT_NAME, GITHUB_SHA is not taken either: exit 2", async () => {
    const result = await gate(["--environment", "production"], workflowEnv(S, { GITHUB_EVENT_NAME: "" }));
    expect(result.code).toBe(EXIT.wrongInvocation);
    expect(result.err).toContain("mainline-gate: --sha is required: GITHUB_EVENT_NAME is not set, and GITHUB_SHA is the commit being deployed only on");
    expect(github.log).toEqual([]);
  });

  test.each(SHA_DEFAULT_EVENTS)("on %s, GITHUB_SHA is the deployed commit: it is gated", async (event) => {
    // GITHUB_SHA is off main: a refusal shows it was the commit asked about.
    expect(await gate(["--environment", "production"], workflowEnv(OFF_MAIN, { GITHUB_EVENT_NAME: event }))).toEqual({ code: EXIT.refused, out: refusal(OFF_MAIN), err: "" });
  });

  test("on workflow_run with --sha: the given commit is gated, not GITHUB_SHA", async () => {
    const result = await gate(["--environment", "production", "--sha", OFF_MAIN], workflowEnv(S, { GITHUB_EVENT_NAME: "workflow_run" }));
    expect(result).toEqual({ code: EXIT.refused, out: refusal(OFF_MAIN), err: "" });
  });

  test("--repository naming another repository than GITHUB_REPOSITORY: exit 2, and no request", async () => {
    github.addRepo(OWNER, "payments", "main");
    const result = await gate(["--environment", "production", "--repository", `${OWNER}/payments`], workflowEnv(S));
    expect(result.code).toBe(EXIT.wrongInvocation);
    expect(result.err).toContain(
      `mainline-gate: --repository ${OWNER}/payments is not this workflow's repository (${OWNER}/${NAME}): a step gates only the repository it runs in; leave --repository out.\n`,
    );
    expect(github.log).toEqual([]);
  });

  test("--repository naming its own repository (in any case): gated as usual", async () => {
    expect((await gate(["--environment", "production", "--repository", `${OWNER}/${NAME}`], workflowEnv(S))).code).toBe(EXIT.allowed);
    const { code, err } = await gate(["--environment", "production", "--repository", `${OWNER}/${NAME}`], workflowEnv(S, { GITHUB_REPOSITORY: `ACME/Shop` }));
    expect({ code, err }).toEqual({ code: EXIT.allowed, err: "" });
  });
});

describe("mainline-gate: config the step can trust", () => {
  let org: Repository;
  beforeEach(() => {
    // The organisation's config gates `prod`; the app reads it with its installation token.
    org = github.addRepo(OWNER, ".github", "main");
    org.files.set(CONFIG, "environments: [prod]\n");
    repo.files.delete(CONFIG);
  });

  /** The refusal for config that is not the repository's own file, whatever the commit. */
  function unverifiable(sha: string, environment: string, why: Parameters<typeof configNotVerifiable>[2]): string {
    const { message } = configNotVerifiable(`${OWNER}/${NAME}`, { sha, environment }, why);
    return `${message}\n`;
  }

  test("no file in the repository, the org's .github answering 404 to the step's token: exit 1, not 'not gated'", async () => {
    github.fail((method, path) => method === "GET" && path.startsWith(`/repos/${OWNER}/.github/`), { status: 404, body: { message: "Not Found" } });
    const result = await gate(["--environment", "prod"], workflowEnv(OFF_MAIN));
    expect(result).toEqual({ code: EXIT.refused, out: unverifiable(OFF_MAIN, "prod", { kind: "no-own-file" }), err: "" });
    expect(result.out).toBe(
      `Refused: mainline cannot verify its config from this step, so it cannot tell whether prod is gated for ddddddd. ` +
        `${OWNER}/${NAME} has no .github/mainline.yml that this step can read, and the config the app reads may come from elsewhere (${OWNER}/.github). ` +
        `GitHub answers 404 both for a missing file and for one this step's token may not read, so the app, with its own token, may read other settings. ` +
        "Put mainline's config in .github/mainline.yml of acme/shop itself, without `_extends`.\n",
    );
  });

  test("no file in the repository: every environment and commit is refused, even on main and even when the org file is readable", async () => {
    org.files.set(CONFIG, "mode: shadow\nenvironments: [prod]\n");
    for (const environment of ["prod", "staging"]) {
      expect(await gate(["--environment", environment], workflowEnv(S))).toEqual({ code: EXIT.refused, out: unverifiable(S, environment, { kind: "no-own-file" }), err: "" });
    }
    // Config only: nothing else was asked.
    expect(github.calls().every((call) => call.includes("/contents/"))).toBe(true);
  });

  test("the repository's file extends another repository: exit 1, naming it", async () => {
    repo.files.set(CONFIG, "_extends: .github\nmode: enforce\n");
    github.fail((method, path) => method === "GET" && path.startsWith(`/repos/${OWNER}/.github/`), { status: 404, body: { message: "Not Found" } });
    const result = await gate(["--environment", "prod"], workflowEnv(OFF_MAIN));
    expect(result).toEqual({ code: EXIT.refused, out: unverifiable(OFF_MAIN, "prod", { kind: "extends", repository: `${OWNER}/.github` }), err: "" });
    expect(result.out).toContain("acme/shop's .github/mainline.yml extends acme/.github (`_extends`).");
  });

  test("the repository's own file: decided as before (prod gated by it, staging not)", async () => {
    repo.files.set(CONFIG, "environments: [prod]\n");
    expect(await gate(["--environment", "prod"], workflowEnv(S))).toEqual({ code: EXIT.allowed, out: "bbbbbbb is on main (head ccccccc): approved for prod.\n", err: "" });
    const refused = await gate(["--environment", "prod"], workflowEnv(OFF_MAIN));
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.out).toContain(`Refused: ddddddd is not on main (head ${MAIN_HEAD.slice(0, 7)};`);
    expect(await gate(["--environment", "staging"], workflowEnv(OFF_MAIN))).toEqual({ code: EXIT.allowed, out: `${notGatedMessage("staging")}\n`, err: "" });
  });

  test("the app still reads the org's config (its own token): with no file in the repository it refuses an off-main commit to prod", async () => {
    const probot: Probot = testProbot(pino({ level: process.env.DEBUG_GATE ? "debug" : "silent" }), github.apiBase);
    await loadTestApp(probot);
    const [name, payload] = storyWebhooks(github, repo).protectionRule(OFF_MAIN, "prod", 1, "deployer");
    await probot.receive({ id: "d-org", name, payload: payload as never });
    expect(repo.protectionRuleAnswers).toHaveLength(1);
    expect(repo.protectionRuleAnswers[0]).toMatchObject({ state: "rejected" });
    expect(repo.protectionRuleAnswers[0]!.comment).toContain("Refused: ddddddd is not on main");
  });
});

describe("node dist/cli/gate.js, as a workflow step runs it", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mainline-gate-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Async, not spawnSync: the loopback GitHub answers from this process's event loop. */
  function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["dist/cli/gate.js", ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  test("refused: exit code 1, the message on stdout and in the job summary", async () => {
    const summary = join(dir, "summary.md");
    const result = await run(["--environment", "production"], workflowEnv(OFF_MAIN, { GITHUB_STEP_SUMMARY: summary }));
    expect(result).toEqual({ code: 1, stdout: refusal(OFF_MAIN), stderr: "" });
    expect(readFileSync(summary, "utf8")).toBe(`### mainline: refused\n\n${refusal(OFF_MAIN)}\n`);
  });

  test("on main: exit code 0", async () => {
    const result = await run(["--environment=production"], workflowEnv(S));
    expect(result).toEqual({ code: 0, stdout: "bbbbbbb is on main (head ccccccc): approved for production.\n", stderr: "" });
  });
});
