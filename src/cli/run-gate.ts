import { appendFileSync } from "node:fs";
import { ProbotOctokit } from "probot";
import { AncestryReader } from "../github/ancestry.js";
import type { RepoClient } from "../github/client.js";
import { limitRequestTime, REQUEST_TIMEOUT_MS } from "../github/request-timeout.js";
import { undecidedMessage } from "../policy/gate.js";
import { neutraliseMarkers } from "../policy/text.js";
import { decideGateFor, notGatedMessage, withConfigProblems } from "../procedures/gate-decision.js";
import { parseInvocation, USAGE, type GateInputs } from "./gate-inputs.js";
import { stderrLogger } from "./stderr-logger.js";

/** Exit codes, the step's answer to the workflow. */
export const EXIT = { allowed: 0, refused: 1, wrongInvocation: 2 } as const;

export type CommandIo = { out: (text: string) => void; err: (text: string) => void };

/** Octokit options for tests (e.g. shorter retry pauses); a workflow runs with Probot's defaults. */
export type CommandOptions = { octokit?: Record<string, unknown> };

/**
 * `mainline-gate`: the app's gate as a workflow step, for plans without custom deployment
 * protection rules. Same recipe, same records (this app's check runs only), same message.
 * 1. read and check the invocation (wrong → usage, exit 2)
 * 2. decide (procedures/gate-decision.ts)
 * 3. print the message (and write it to the job summary); exit 0 allowed, 1 refused or unverifiable
 */
export async function runCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CommandIo, options: CommandOptions = {}): Promise<number> {
  const invocation = parseInvocation(argv, env);
  if (invocation.kind === "help") return io.out(USAGE), EXIT.allowed;
  if (invocation.kind === "wrong") {
    io.err([...invocation.problems.map((problem) => `mainline-gate: ${problem}`), "", USAGE].join("\n"));
    return EXIT.wrongInvocation;
  }
  const { inputs } = invocation;
  const { allowed, message } = await decide(inputs, io, options);
  // The same text the app puts in a protection rule's answer, marker syntax neutralised as there.
  const shown = neutraliseMarkers(message);
  io.out(shown);
  writeSummary(env.GITHUB_STEP_SUMMARY, allowed, shown, io);
  return allowed ? EXIT.allowed : EXIT.refused;
}

async function decide(inputs: GateInputs, io: CommandIo, options: CommandOptions): Promise<{ allowed: boolean; message: string }> {
  const octokit = limitRequestTime(
    new ProbotOctokit({ baseUrl: inputs.apiUrl, auth: { token: inputs.token }, userAgent: "mainline-gate", ...options.octokit }),
    REQUEST_TIMEOUT_MS,
  );
  // One process, one decision: repoId keys the ancestry cache, which lives no longer than this run.
  const client: RepoClient = { octokit, owner: inputs.owner, repo: inputs.repo, repoId: 0 };
  const log = stderrLogger(io.err);
  // The step's view of the repository, as a delivery's: its client, the clock, and its log (stderr).
  const repository = {
    client,
    now: () => new Date(),
    log,
    fullName: `${inputs.owner}/${inputs.repo}`,
    defaultBranch: async () => (await octokit.request("GET /repos/{owner}/{repo}", { owner: inputs.owner, repo: inputs.repo })).data.default_branch,
  };
  try {
    // The workflow's token is not the app's: only the repository's own config file can be trusted to be the app's.
    const deps = { ancestry: new AncestryReader(), appId: inputs.appId };
    const result = await decideGateFor(repository, deps, inputs, { requireOwnConfigFile: true });
    if (!result.gated) return { allowed: true, message: withConfigProblems(notGatedMessage(inputs.environment), result.loaded) };
    const { decision } = result;
    const message = withConfigProblems(decision.message, result.loaded);
    if (decision.verdict !== "approve") return { allowed: false, message };
    return { allowed: true, message: decision.exception ? `${message}\n${exceptionNotYetRecorded(inputs, decision.exception.incident, decision.waived !== undefined)}` : message };
  } catch (error) {
    // As the app answers a protection rule when deciding fails: refused, never left open.
    log.error({ err: error }, "gate decision failed: refusing");
    return { allowed: false, message: undecidedMessage(inputs.sha) };
  }
}

/**
 * The app's message says the merge-back issue exists: through a protection rule it records the
 * deploy at once. A step's approval reaches the app only as a deployment of S: the one GitHub makes
 * for a job with `environment:` (recorded when it reports success), which GitHub makes for the
 * run's commit (GITHUB_SHA); when the step gated another commit, only a deployment of S created
 * through the API tells the app. A deploy it never sees is never recorded. A commit on main whose
 * promotion the exception waived needs no merge-back issue, and its success is no news to the app
 * (a commit on main may run anywhere): only the app's own gate records such a deploy.
 */
export function exceptionNotYetRecorded(inputs: Pick<GateInputs, "sha" | "environment" | "runSha">, incident: number, onMain = false): string {
  const { sha, environment, runSha } = inputs;
  if (onMain) {
    return (
      `mainline does not record this deploy in incident #${incident}: it records a deploy of a commit on main under an exception only when its own gate lets it through ` +
      "(a deployment protection rule, or a deployment created through the REST API)."
    );
  }
  const recorded = `the app records it in incident #${incident} and opens the merge-back issue for ${sha.slice(0, 7)}`;
  if (runSha && runSha !== sha) {
    return (
      `mainline has not recorded this deploy yet, and this run's deployments will not tell it: GitHub makes a job's deployment for the run's commit ` +
      `(GITHUB_SHA ${runSha.slice(0, 7)}), not ${sha.slice(0, 7)}. Create a deployment of ${sha} to ${environment} through the REST API and set its status ` +
      `to success once deployed: ${recorded}.`
    );
  }
  return `mainline has not recorded this deploy yet: ${recorded} when the deploy job's deployment to ${environment} reports success, so that job must run with \`environment: ${environment}\`.`;
}

/** The job summary is for people reading the run; failing to write it changes no decision. */
function writeSummary(path: string | undefined, allowed: boolean, message: string, io: CommandIo): void {
  if (!path) return;
  try {
    appendFileSync(path, `### mainline: ${allowed ? "approved" : "refused"}\n\n${message}\n\n`);
  } catch (error) {
    io.err(`mainline-gate warning: could not write the job summary to ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
