import { CONFIG_PATH, formatProblems, parseConfig } from "../config.js";
import { upsertCheckRun } from "../github/checks.js";
import { readExceptionRuns } from "../github/exception-runs.js";
import { getIssueHere } from "../github/issues.js";
import { pullsOfCommit } from "../github/commits.js";
import { commitsBetween, fileAt, pullChangesFile, type PullSummary } from "../github/pulls.js";
import { locateProblems } from "../policy/config-lines.js";
import { exceptionsInForce } from "../policy/exception-runs.js";
import { decidePrCheck, judgesCommits, MERGE_FIRST_CHECK, shasToVerify, type PrCheckDecision, type PrFacts } from "../policy/pr-check.js";
import { codeSpan } from "../policy/text.js";
import { parseYaml } from "../policy/yaml-text.js";
import type { Deps } from "./deps.js";
import type { RepoContext } from "./repo-context.js";

export const CONFIG_CHECK = "mainline/config";

/**
 * Evaluates a pull request: `mainline/merge-first` (release branches carry only commits already
 * on main), and `mainline/config` when it changes `.github/mainline.yml`. Returns the decision and
 * the exception it relied on, so a merge can act on them (merge-back issues for commits let in).
 */
export type CoveringException = NonNullable<PrFacts["exception"]> & { incidentOf: ReadonlyMap<string, number> };

export async function evaluatePullRequest(repo: RepoContext, pull: PullSummary, deps: Deps): Promise<{ decision: PrCheckDecision; exception?: CoveringException }> {
  const facts = await gatherFacts(repo, pull, deps);
  const decision = decidePrCheck(facts);
  const shown = await strictestForHead(repo, pull, decision, deps);
  if (shown.kind === "check") {
    await upsertCheckRun(repo.client, deps.appId, MERGE_FIRST_CHECK, pull.headSha, {
      conclusion: shown.conclusion,
      title: shown.title,
      summary: withConfigNote(shown.summary, repo),
    });
  }
  await checkConfigFile(repo, pull, deps);
  return { decision, ...(facts.exception ? { exception: facts.exception } : {}) };
}

const SEVERITY = { success: 0, neutral: 1, failure: 2 } as const;

/**
 * A check run belongs to a commit, not to a pull request: when the same head is in several open
 * pull requests (a hotfix into main and into a release branch), the run shows the strictest of
 * their results, so an easy one can never overwrite a failing one.
 */
async function strictestForHead(repo: RepoContext, pull: PullSummary, decision: PrCheckDecision, deps: Deps): Promise<PrCheckDecision> {
  const siblings = (await pullsOfCommit(repo.client, pull.headSha)).filter((p) => p.number !== pull.number && p.state === "open" && p.headSha === pull.headSha);
  let strictest = decision;
  for (const sibling of siblings) {
    const other = decidePrCheck(await gatherFacts(repo, { ...sibling, merged: false }, deps));
    if (other.kind !== "check") continue;
    if (strictest.kind !== "check" || SEVERITY[other.conclusion] > SEVERITY[strictest.conclusion]) {
      strictest = { ...other, summary: `This commit is also the head of pull request #${sibling.number} into ${codeSpan(sibling.baseRef, 100)}; its result is the strictest, so it is shown.\n\n${other.summary}` };
    }
  }
  return strictest;
}

async function gatherFacts(repo: RepoContext, pull: PullSummary, deps: Deps): Promise<PrFacts & { exception?: CoveringException }> {
  const base = {
    baseRef: pull.baseRef,
    headRef: pull.headRef,
    mainBranch: repo.mainBranch,
    releaseBranches: repo.config.releaseBranches,
    mode: repo.config.mode,
    otherPrs: repo.config.checks.otherPullRequests,
  };
  if (!judgesCommits(base)) return { ...base, commits: [], onMain: new Set() };
  const commits = await commitsBetween(repo.client, pull.baseSha, pull.headSha);
  // One compare says which of the PR's commits main lacks; cherry-pick sources are asked one by one (cached once on main).
  const notOnMain = new Set((await commitsBetween(repo.client, repo.mainBranch, pull.headSha)).map((c) => c.sha));
  const inPull = new Set(commits.map((c) => c.sha));
  const onMain = new Set<string>();
  for (const sha of shasToVerify(commits)) {
    if (inPull.has(sha) ? !notOnMain.has(sha) : (await deps.ancestry.read(repo.client, repo.mainBranch, sha)).kind === "on-main") onMain.add(sha);
  }
  const facts = { ...base, commits, onMain };
  // Only a pull request that would fail looks for exceptions: reading incidents costs a page or more.
  const preliminary = decidePrCheck(facts);
  if (preliminary.kind !== "check" || preliminary.offending.length === 0) return facts;
  const exception = await coveringException(repo, preliminary.offending.map((o) => o.sha), deps);
  return { ...facts, ...(exception ? { exception } : {}) };
}

/** How many offending commits are looked up for exceptions: each costs a read; past it the check fails ("could not verify"). */
const EXCEPTION_LOOKUPS = 20;

/**
 * The exception that lets the pull request in: every offending commit must have one in force
 * (its check run says so, and its incident is an open issue here); one covered commit does not
 * carry the others. Into a release branch, any gated environment's exception counts.
 */
async function coveringException(repo: RepoContext, offenders: string[], deps: Deps) {
  if (offenders.length === 0 || offenders.length > EXCEPTION_LOOKUPS) return undefined;
  const now = deps.now();
  const covering = await Promise.all(
    offenders.map(async (sha) => {
      const runs = await readExceptionRuns(repo.client, deps.appId, sha);
      const inForce = [...new Set(runs.map((r) => r.state.env))].flatMap((env) => exceptionsInForce(runs, sha, env, now));
      for (const exception of inForce) if ((await getIssueHere(repo.client, exception.incident))?.state === "open") return exception;
      return undefined;
    }),
  );
  if (!covering.every((e): e is NonNullable<typeof e> => e !== undefined)) return undefined;
  return { incident: covering[0]!.incident, grantedBy: covering[0]!.grantedBy, incidentOf: new Map(covering.map((e) => [e.sha, e.incident])) };
}

/** `mainline/config`: the file at the PR's head, validated with the same schema the app runs on. */
async function checkConfigFile(repo: RepoContext, pull: PullSummary, deps: Deps): Promise<void> {
  const { changed, removed } = await pullChangesFile(repo.client, pull.number, CONFIG_PATH);
  if (!changed) return;
  const text = removed ? undefined : await fileAt(repo.client, CONFIG_PATH, pull.headSha);
  if (text === undefined) {
    await upsertCheckRun(repo.client, deps.appId, CONFIG_CHECK, pull.headSha, {
      conclusion: "success",
      title: `${CONFIG_PATH} removed: the defaults (or the owner's .github repository) apply`,
      summary: `This pull request removes \`${CONFIG_PATH}\`.`,
    });
    return;
  }
  const parsed = parseYaml(text);
  const problems = parsed.ok ? parseConfig(parsed.value).problems : [parsed.problem];
  const located = locateProblems(text, problems);
  await upsertCheckRun(repo.client, deps.appId, CONFIG_CHECK, pull.headSha, {
    conclusion: located.length === 0 ? "success" : "failure",
    title: located.length === 0 ? `${CONFIG_PATH} is valid` : `${CONFIG_PATH}: ${located.length} ${located.length === 1 ? "problem" : "problems"}`,
    summary:
      located.length === 0
        ? `\`${CONFIG_PATH}\` at ${pull.headSha.slice(0, 7)} matches mainline's schema.`
        : formatProblems(located).map((line, i) => `- ${located[i]!.line ? `line ${located[i]!.line}: ` : ""}${line}`).join("\n") +
          "\n\nUntil this is fixed, mainline would use the defaults for these keys (the gate stays on).",
  });
}

function withConfigNote(summary: string, repo: RepoContext): string {
  if (repo.loaded.problems.length === 0) return summary;
  return `${summary}\n\n> mainline's config on the default branch is invalid, so defaults were used for: ${formatProblems(repo.loaded.problems).join("; ")}`;
}
