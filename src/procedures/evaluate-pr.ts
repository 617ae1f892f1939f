import { CONFIG_PATH, formatProblems, parseConfig } from "../config.js";
import type { DecisionLog } from "../decision-log.js";
import { upsertCheckRun } from "../github/checks.js";
import { readExceptionRuns } from "../github/exception-runs.js";
import { getIssueHere } from "../github/issues.js";
import { commitDiff, pullsOfCommit } from "../github/commits.js";
import { COMMIT_LIMIT, commitsBetween, fileAt, pullChangesFile, pullCommitsOnMain, type PullSummary } from "../github/pulls.js";
import { locateProblems } from "../policy/config-lines.js";
import { exceptionsInForce } from "../policy/exception-runs.js";
import { diffsToRead, NOTE_LIMIT } from "../policy/pick-notes.js";
import {
  couldNotVerify,
  decidePrCheck,
  judgesCommits,
  MERGE_FIRST_CHECK,
  notesToVerify,
  shasToAsk,
  type PrCheckDecision,
  type PrFacts,
  type Unverified,
} from "../policy/pr-check.js";
import { codeSpan } from "../policy/text.js";
import { parseYaml } from "../policy/yaml-text.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoContext } from "../delivery/repo-context.js";

export const CONFIG_CHECK = "mainline/config";

/**
 * Evaluates a pull request: `mainline/merge-first` (release branches carry only commits already
 * on main), and `mainline/config` when it changes `.github/mainline.yml`. Returns the decision and
 * the exception it relied on, so a merge can act on them (merge-back issues for commits let in).
 * Each check run written (or left out) is one decision line.
 */
export type CoveringException = NonNullable<PrFacts["exception"]> & { incidentOf: ReadonlyMap<string, number> };

export async function evaluatePullRequest(
  repo: RepoContext,
  pull: PullSummary,
  deps: Deps,
  decisions: DecisionLog,
): Promise<{ decision: PrCheckDecision; exception?: CoveringException }> {
  const facts = await gatherFacts(repo, pull, deps);
  const decision = decidePrCheck(facts);
  const shown = await strictestForHead(repo, pull, decision, deps);
  const about = { check: MERGE_FIRST_CHECK, pull: pull.number, sha: pull.headSha, base: pull.baseRef, mode: repo.config.mode };
  if (shown.kind === "check") {
    await upsertCheckRun(repo.client, deps.appId, MERGE_FIRST_CHECK, pull.headSha, {
      conclusion: shown.conclusion,
      title: shown.title,
      summary: withConfigNote(shown.summary, repo),
    });
    const offending = shown.offending.length > 0 ? { offending: shown.offending.map((o) => o.sha) } : {};
    decisions.decided("check", shown.conclusion, { ...about, ...offending, incident: facts.exception?.incident }, shown.title);
  } else {
    decisions.decided("check", "no-check", about, `${MERGE_FIRST_CHECK} is not written for this pull request (checks.otherPullRequests: none)`);
  }
  await checkConfigFile(repo, pull, deps, decisions);
  return { decision, ...(facts.exception ? { exception: facts.exception } : {}) };
}

const SEVERITY = { success: 0, neutral: 1, failure: 2 } as const;

/** How many other open pull requests into release branches with the same head are evaluated too: each costs an evaluation. */
const SIBLING_LIMIT = 5;

/** `pullsOfCommit` reads one page of 100: a full one may leave out the pull request that fails. */
const PULLS_PAGE = 100;

/**
 * A check run belongs to a commit, not to a pull request: when the same head is in several open
 * pull requests (a hotfix into main and into a release branch), the run shows the strictest of
 * their results, so an easy one can never overwrite a failing one. Where a bound stops the reads,
 * some of them are unknown: the run fails, "could not verify".
 */
async function strictestForHead(repo: RepoContext, pull: PullSummary, decision: PrCheckDecision, deps: Deps): Promise<PrCheckDecision> {
  const listed = await pullsOfCommit(repo.client, pull.headSha);
  if (listed.length >= PULLS_PAGE) return couldNotVerify(repo.config.mode, { what: "pulls", limit: PULLS_PAGE });
  const siblings = listed.filter((p) => p.number !== pull.number && p.state === "open" && p.headSha === pull.headSha);
  const judged = siblings.filter((p) => judgesCommits({ baseRef: p.baseRef, mainBranch: repo.mainBranch, releaseBranches: repo.config.releaseBranches }));
  if (judged.length > SIBLING_LIMIT) return couldNotVerify(repo.config.mode, { what: "siblings", limit: SIBLING_LIMIT });
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
  const unread = { commits: [], onMain: new Set<string>(), diffs: new Map<string, Uint8Array>() };
  if (!judgesCommits(base)) return { ...base, ...unread };
  const read = await readCommits(repo, pull, deps);
  if ("unverified" in read) return { ...base, ...unread, unverified: read.unverified };
  const facts = { ...base, ...read };
  // Only a pull request that would fail looks for exceptions: each offending commit costs a read.
  const preliminary = decidePrCheck(facts);
  if (preliminary.kind !== "check" || preliminary.offending.length === 0) return facts;
  const exception = await coveringException(repo, preliminary.offending.map((o) => o.sha), deps);
  return { ...facts, ...(exception ? { exception } : {}) };
}

/**
 * The pull request's commits, which are on main, and the diffs that hold their cherry-pick notes to
 * account; or the bound that stopped the reads. At most: the commits (COMMIT_LIMIT, 100 a page),
 * which of them main lacks (as many), and per note (NOTE_LIMIT) whether the commit it names is on
 * main and two diffs, each diff read once per process.
 */
async function readCommits(repo: RepoContext, pull: PullSummary, deps: Deps): Promise<Pick<PrFacts, "commits" | "onMain" | "diffs"> | { unverified: Unverified }> {
  const listed = await commitsBetween(repo.client, pull.baseSha, pull.headSha);
  if (!listed.complete) return { unverified: { what: "commits", limit: COMMIT_LIMIT } };
  const { commits } = listed;
  const pullOnMain = await pullCommitsOnMain(repo.client, repo.mainBranch, pull, commits);
  if (!pullOnMain) return { unverified: { what: "commits", limit: COMMIT_LIMIT } };
  const notes = notesToVerify(commits, pullOnMain);
  if (notes.length > NOTE_LIMIT) return { unverified: { what: "notes", limit: NOTE_LIMIT } };
  const onMain = new Set(pullOnMain);
  for (const sha of shasToAsk(notes, commits)) {
    if ((await deps.ancestry.read(repo.client, repo.mainBranch, sha)).kind === "on-main") onMain.add(sha);
  }
  const diffs = new Map<string, Uint8Array>();
  for (const sha of diffsToRead(notes, onMain)) diffs.set(sha, await commitDiff(repo.client, sha));
  return { commits, onMain, diffs };
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
async function checkConfigFile(repo: RepoContext, pull: PullSummary, deps: Deps, decisions: DecisionLog): Promise<void> {
  const { changed, removed } = await pullChangesFile(repo.client, pull.number, CONFIG_PATH);
  if (!changed) return;
  const about = { check: CONFIG_CHECK, pull: pull.number, sha: pull.headSha };
  const text = removed ? undefined : await fileAt(repo.client, CONFIG_PATH, pull.headSha);
  if (text === undefined) {
    const title = `${CONFIG_PATH} removed: the defaults (or the owner's .github repository) apply`;
    await upsertCheckRun(repo.client, deps.appId, CONFIG_CHECK, pull.headSha, {
      conclusion: "success",
      title,
      summary: `This pull request removes \`${CONFIG_PATH}\`.`,
    });
    decisions.decided("check", "success", { ...about, problems: 0 }, title);
    return;
  }
  const parsed = parseYaml(text);
  const problems = parsed.ok ? parseConfig(parsed.value).problems : [parsed.problem];
  const located = locateProblems(text, problems);
  const conclusion = located.length === 0 ? "success" : "failure";
  const title = located.length === 0 ? `${CONFIG_PATH} is valid` : `${CONFIG_PATH}: ${located.length} ${located.length === 1 ? "problem" : "problems"}`;
  await upsertCheckRun(repo.client, deps.appId, CONFIG_CHECK, pull.headSha, {
    conclusion,
    title,
    summary:
      located.length === 0
        ? `\`${CONFIG_PATH}\` at ${pull.headSha.slice(0, 7)} matches mainline's schema.`
        : formatProblems(located).map((line, i) => `- ${located[i]!.line ? `line ${located[i]!.line}: ` : ""}${line}`).join("\n") +
          "\n\nUntil this is fixed, mainline would use the defaults for these keys (the gate stays on).",
  });
  decisions.decided("check", conclusion, { ...about, problems: located.length }, title);
}

function withConfigNote(summary: string, repo: RepoContext): string {
  if (repo.loaded.problems.length === 0) return summary;
  return `${summary}\n\n> mainline's config on the default branch is invalid, so defaults were used for: ${formatProblems(repo.loaded.problems).join("; ")}`;
}
