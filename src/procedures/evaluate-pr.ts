import { formatProblems, parseConfig, type ConfigProblem } from "../config.js";
import { CONFIG_CHECK, CONFIG_PATH, MERGE_FIRST_CHECK } from "../public-names.js";
import type { DecisionLog } from "../decision-log.js";
import { upsertCheckRun } from "../github/checks.js";
import { readExceptionRuns } from "../github/exception-runs.js";
import { getIssueHere } from "../github/issues.js";
import { commitDiff, pullsOfCommit } from "../github/commits.js";
import { COMMIT_LIMIT, commitsBetween, fileAt, pullChangesFile, pullCommitsOnMain, type PullSummary } from "../github/pulls.js";
import { configCheck } from "../policy/config-check.js";
import { locateProblems } from "../policy/config-lines.js";
import { diffsToRead, NOTE_LIMIT } from "../policy/pick-notes.js";
import {
  decidePrCheck,
  judgesCommits,
  notesToVerify,
  shasToAsk,
  type PrCheckDecision,
  type PrFacts,
  type Unverified,
} from "../policy/pr-check.js";
import { coveringException, exceptionsForCommit, offendersToLookUp, type CoveringException } from "../policy/pr-exceptions.js";
import { siblingsToEvaluate, strictestResult, type SiblingResult } from "../policy/pr-head.js";
import { parseYaml } from "../policy/yaml-text.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoContext } from "../delivery/repo-context.js";

/**
 * Evaluates a pull request: `mainline/merge-first` (release branches carry only commits already
 * on main), and `mainline/config` when it changes `.github/mainline.yml`. Returns the decision and
 * the exception it relied on, so a merge can act on them (merge-back issues for commits let in).
 * Each check run written (or left out) is one decision line.
 */
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

/**
 * The result the head commit's run shows: the strictest of this pull request's and its open
 * siblings' (policy/pr-head.ts). Where a bound stops the reads, some of them are unknown: the run
 * fails, "could not verify".
 */
async function strictestForHead(repo: RepoContext, pull: PullSummary, decision: PrCheckDecision, deps: Deps): Promise<PrCheckDecision> {
  const listed = await pullsOfCommit(repo.client, pull.headSha);
  const found = siblingsToEvaluate(pull, listed, { mainBranch: repo.mainBranch, releaseBranches: repo.config.releaseBranches, mode: repo.config.mode });
  if ("decision" in found) return found.decision;
  const results: SiblingResult[] = [];
  for (const sibling of found.siblings) {
    results.push({ number: sibling.number, baseRef: sibling.baseRef, decision: decidePrCheck(await gatherFacts(repo, { ...sibling, merged: false }, deps)) });
  }
  return strictestResult(decision, results);
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
  const exception = await readCoveringException(repo, preliminary.offending.map((o) => o.sha), deps);
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

/**
 * The exception that lets the pull request in (policy/pr-exceptions.ts): per offending commit, the
 * first exception its check runs hold in force whose incident is an open issue here.
 */
async function readCoveringException(repo: RepoContext, offenders: string[], deps: Deps): Promise<CoveringException | undefined> {
  const now = repo.now();
  const perOffender = await Promise.all(
    offendersToLookUp(offenders).map(async (sha) => {
      const candidates = exceptionsForCommit(await readExceptionRuns(repo.client, deps.appId, sha), sha, now);
      for (const exception of candidates) if ((await getIssueHere(repo.client, exception.incident))?.state === "open") return exception;
      return undefined;
    }),
  );
  return coveringException(perOffender);
}

/** `mainline/config`: the file at the PR's head, validated with the same schema the app runs on. */
async function checkConfigFile(repo: RepoContext, pull: PullSummary, deps: Deps, decisions: DecisionLog): Promise<void> {
  const { changed, removed } = await pullChangesFile(repo.client, pull.number, CONFIG_PATH);
  if (!changed) return;
  const about = { check: CONFIG_CHECK, pull: pull.number, sha: pull.headSha };
  const text = removed ? undefined : await fileAt(repo.client, CONFIG_PATH, pull.headSha);
  const located = text === undefined ? undefined : locateProblems(text, problemsIn(text));
  const check = configCheck(located, pull.headSha);
  await upsertCheckRun(repo.client, deps.appId, CONFIG_CHECK, pull.headSha, check);
  decisions.decided("check", check.conclusion, { ...about, problems: located?.length ?? 0 }, check.title);
}

/** The file's problems as the app would meet them: YAML it cannot parse, or keys the schema refuses. */
function problemsIn(text: string): ConfigProblem[] {
  const parsed = parseYaml(text);
  return parsed.ok ? parseConfig(parsed.value).problems : [parsed.problem];
}

function withConfigNote(summary: string, repo: RepoContext): string {
  if (repo.loaded.problems.length === 0) return summary;
  return `${summary}\n\n> mainline's config on the default branch is invalid, so defaults were used for: ${formatProblems(repo.loaded.problems).join("; ")}`;
}
