import { parseArgs } from "node:util";
import { z } from "zod";

/** What `mainline-gate` needs to ask the gate, all checked before a single request goes out. */
export type GateInputs = {
  environment: string;
  sha: string;
  owner: string;
  repo: string;
  apiUrl: string;
  token: string;
  appId: number;
  /** GITHUB_SHA: the commit GitHub names this run's deployments after, whatever --sha says. */
  runSha?: string;
};

export const USAGE = `Usage: mainline-gate --environment <name> [--sha <commit>] [--repository <owner/name>]

Asks mainline's gate, as the mainline app would, whether <commit> may deploy to <name>.
Exit 0: allowed (or the environment is not gated). Exit 1: refused, or GitHub could not be asked.
Exit 2: the command is written wrong.

  --environment <name>       the environment this job deploys to (required)
  --sha <commit>             the full 40-character sha of the commit this job checked out and deploys
                             (default: $GITHUB_SHA, only on push, workflow_dispatch, deployment or release)
  --repository <owner/name>  the repository (default, and the only one allowed when set: $GITHUB_REPOSITORY)
  --help                     show this text

Environment variables:
  GITHUB_TOKEN         a token that can read the repository's contents, checks, issues and deployments (required)
  MAINLINE_APP_ID      the mainline app's id: only its check runs hold exceptions (required)
  GITHUB_API_URL       the REST API base (default: https://api.github.com)
  GITHUB_EVENT_NAME    the run's event: GITHUB_SHA stands for --sha only on the events named above
  GITHUB_STEP_SUMMARY  when set, the message is also written to the job's summary`;

const schema = z.object({
  environment: z.string({ error: "--environment <name> is required: the environment this job deploys to" }).trim().min(1, "--environment must not be empty"),
  sha: z
    .string({ error: "--sha is required when GITHUB_SHA is not set" })
    .trim()
    .regex(/^[0-9a-fA-F]{40}$/, "--sha must be a full 40-character commit sha (a branch, tag or short sha is not checked against main)")
    .transform((sha) => sha.toLowerCase()),
  repository: z
    .string({ error: "--repository <owner/name> is required when GITHUB_REPOSITORY is not set" })
    .trim()
    .regex(/^[\w.-]+\/[\w.-]+$/, "--repository must be written owner/name"),
  apiUrl: z.url({ protocol: /^https?$/, error: "GITHUB_API_URL must be an http(s) URL, e.g. https://api.github.com" }).transform((url) => url.replace(/\/+$/, "")),
  token: z.string({ error: "GITHUB_TOKEN is not set: give the step `env: GITHUB_TOKEN: ${{ github.token }}`" }).min(1, "GITHUB_TOKEN is empty"),
  appId: z
    .string({ error: "MAINLINE_APP_ID is not set: the mainline app's id (its settings page shows it), so that only its check runs count" })
    .trim()
    .regex(/^[1-9]\d{0,15}$/, "MAINLINE_APP_ID must be the mainline app's numeric id")
    .transform(Number),
});

/**
 * The events whose GITHUB_SHA is the commit the run checks out by default: push ("Tip commit
 * pushed to the ref"), workflow_dispatch ("Last commit on the GITHUB_REF branch or tag"),
 * deployment ("Commit to be deployed"), release ("Last commit in the tagged release"), per
 * GitHub's "Events that trigger workflows". Elsewhere it is another commit: workflow_run,
 * schedule, issue_comment, repository_dispatch, check_run… give the default branch's last commit,
 * pull_request a test merge, so a default there would gate a commit that is not deployed.
 */
export const SHA_DEFAULT_EVENTS: readonly string[] = ["push", "workflow_dispatch", "deployment", "release"];

export type ParsedInvocation = { kind: "run"; inputs: GateInputs } | { kind: "help" } | { kind: "wrong"; problems: string[] };

/** Reads the command line and the workflow's environment; an empty variable counts as unset, as in a workflow's `env:`. */
export function parseInvocation(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedInvocation {
  let values: { environment?: string | undefined; sha?: string | undefined; repository?: string | undefined; help?: boolean | undefined };
  try {
    const options = { environment: { type: "string" }, sha: { type: "string" }, repository: { type: "string" }, help: { type: "boolean", short: "h" } } as const;
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // Node's own error (not always `instanceof` this realm's Error): its message says which option.
    const message = (error as { message?: unknown }).message;
    return { kind: "wrong", problems: [typeof message === "string" ? message : String(error)] };
  }
  if (values.help) return { kind: "help" };
  const set = (value: string | undefined) => (value === "" ? undefined : value);
  const sha = values.sha ?? defaultSha(set(env.GITHUB_SHA), set(env.GITHUB_EVENT_NAME));
  if (typeof sha === "object") return { kind: "wrong", problems: [sha.problem] };
  const ownRepository = set(env.GITHUB_REPOSITORY);
  const parsed = schema.safeParse({
    environment: values.environment,
    sha,
    repository: values.repository ?? ownRepository,
    apiUrl: set(env.GITHUB_API_URL) ?? "https://api.github.com",
    token: set(env.GITHUB_TOKEN),
    appId: set(env.MAINLINE_APP_ID),
  });
  if (!parsed.success) return { kind: "wrong", problems: parsed.error.issues.map((issue) => issue.message) };
  const { repository, ...rest } = parsed.data;
  const foreign = foreignRepository(repository, ownRepository);
  if (foreign) return { kind: "wrong", problems: [foreign] };
  const [owner, repo] = repository.split("/") as [string, string];
  const runSha = set(env.GITHUB_SHA)?.trim().toLowerCase();
  return { kind: "run", inputs: { ...rest, owner, repo, ...(runSha ? { runSha } : {}) } };
}

/** GITHUB_SHA, where the event makes it the commit this run checked out; otherwise why --sha must be given. */
function defaultSha(githubSha: string | undefined, eventName: string | undefined): string | undefined | { problem: string } {
  if (githubSha === undefined) return undefined;
  if (eventName !== undefined && SHA_DEFAULT_EVENTS.includes(eventName)) return githubSha;
  const event = eventName === undefined ? "GITHUB_EVENT_NAME is not set" : `this run's event is ${eventName}`;
  return {
    problem:
      `--sha is required: ${event}, and GITHUB_SHA is the commit being deployed only on ${SHA_DEFAULT_EVENTS.join(", ")}. ` +
      `Pass --sha with the exact commit this job checked out and deploys.`,
  };
}

/**
 * A step gates its own repository only: GITHUB_TOKEN is scoped to it, and an answer about
 * another repository would approve this job's deploy on facts that are not its own.
 */
function foreignRepository(repository: string, ownRepository: string | undefined): string | undefined {
  if (ownRepository === undefined || repository.toLowerCase() === ownRepository.toLowerCase()) return undefined;
  return `--repository ${repository} is not this workflow's repository (${ownRepository}): a step gates only the repository it runs in; leave --repository out.`;
}
