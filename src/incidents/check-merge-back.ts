import type { RepoClient } from "../github/client.js";
import { commitDiff } from "../github/commits.js";
import { createComment, listComments, setIssueState } from "../github/issues.js";
import { findOwnComment } from "../github/own-comments.js";
import type { MergeBackIssue } from "../github/incidents.js";
import { marker } from "../markers.js";
import { appBody } from "../policy/text.js";
import { isMergedInto, matchMergeBack, notesCherryPickOf, type MainCommit, type MergeBackFacts, type MergeBackMatch, type MergedPull } from "../policy/merge-back.js";
import { patchId } from "../policy/patch-id.js";
import { patchCandidates } from "../policy/patch-candidates.js";
import { mainHistory, type MainHistory } from "../github/main-history.js";
import type { Deps } from "../delivery/deps.js";
import { boundedDiffs, historyEvidence, type MainEvidence } from "./main-evidence.js";
import { reopenOnce } from "./reopen-once.js";

/** Main's history where a copy of S's change could be, as evidence about S. */
export type EvidenceOf = (sha: string) => Promise<MainEvidence>;

/**
 * Is S's change on main? The facts are gathered cheapest first (the commits already at hand, then
 * one compare, then the commits that note a cherry-pick of S, then the pull requests that hold S,
 * then patch identity) and the search stops at the first way that matches. A note or a merged
 * pull request counts only with the diffs that prove it (S's, and the commit's on main), so those
 * are read when a note or a pull request is found. Only the compare and S's own diff are read for
 * S alone; what the evidence knows about main's commits is read once, within its bound, and shared
 * by every item checked against it. Evidence from history (`EvidenceOf`) is asked only when S is
 * not reachable from main.
 */
export async function checkMergeBack(
  client: RepoClient,
  mainBranch: string,
  sha: string,
  evidenceOrHistory: MainEvidence | EvidenceOf,
  deps: Deps,
): Promise<MergeBackMatch> {
  const atHand = typeof evidenceOrHistory === "function" ? undefined : evidenceOrHistory;
  let facts: MergeBackFacts = { sha, mainBranch, reachableFromMain: undefined, mainCommits: [...(atHand?.commits ?? [])], pullsOfS: [] };
  let match = matchMergeBack(facts);
  if (match.done) return match;
  const ancestry = await deps.ancestry.read(client, mainBranch, sha);
  facts = { ...facts, reachableFromMain: ancestry.kind === "on-main", ...(ancestry.kind === "on-main" || ancestry.kind === "off-main" ? { mainHead: ancestry.mainHead } : {}) };
  match = matchMergeBack(facts);
  if (match.done) return match;
  // S's diff is read once (before the commits on main it is compared with), and only when some
  // way has a change on main to compare it with.
  let diffOfS: Promise<Uint8Array> | undefined;
  const readDiffOfS = () => (diffOfS ??= commitDiff(client, sha));
  const evidence = typeof evidenceOrHistory === "function" ? await evidenceOrHistory(sha) : evidenceOrHistory;
  if (evidence !== atHand) {
    facts = { ...facts, mainCommits: [...evidence.commits], ...(evidence.cut ? { historyCut: true as const } : {}) };
    match = matchMergeBack(facts);
    if (match.done) return match;
  }

  if (facts.mainCommits.some((commit) => notesCherryPickOf(commit.message, sha))) {
    const withNoteDiff = (commit: MainCommit) => (notesCherryPickOf(commit.message, sha) ? withDiff(commit, evidence) : commit);
    facts = { ...facts, diffOfS: await readDiffOfS() };
    facts = { ...facts, mainCommits: await Promise.all(facts.mainCommits.map(withNoteDiff)) };
    match = matchMergeBack(facts);
    if (match.done) return match;
  }
  const pullsOfS = await evidence.pullsWith(sha);
  if (pullsOfS.some((pull) => isMergedInto(pull, mainBranch))) facts = { ...facts, diffOfS: await readDiffOfS() };
  facts = { ...facts, pullsOfS: await Promise.all(pullsOfS.map((pull) => withMergeDiff(client, pull, mainBranch, evidence, deps))) };
  match = matchMergeBack(facts);
  if (match.done) return match;
  if (!evidence.mayHavePatch) return matchMergeBack({ ...facts, countsMatchNone: true });
  const diff = await readDiffOfS();
  return matchMergeBack({ ...facts, diffOfS: diff, patchIdOfS: patchId(diff), mainCommits: await evidence.withPatches() });
}

async function withDiff(commit: MainCommit, evidence: MainEvidence): Promise<MainCommit> {
  const diff = await evidence.diffOf(commit.sha);
  return diff === undefined ? commit : { ...commit, diff };
}

/**
 * A pull request merged into main, with the diff of the commit it put there (what a squash or
 * rebase merge brought), once git shows that commit on main now: GitHub's word that it merged one
 * is not where the commit is (main may have been rewound past it since). Known on main when it is
 * among the evidence's commits (main's history, a push's), else asked of git.
 */
async function withMergeDiff(client: RepoClient, pull: MergedPull, mainBranch: string, evidence: MainEvidence, deps: Deps): Promise<MergedPull> {
  if (!isMergedInto(pull, mainBranch)) return pull;
  const merge = pull.mergeCommitSha.toLowerCase();
  const listed = evidence.commits.some((commit) => commit.sha.toLowerCase() === merge);
  if (!listed && (await deps.ancestry.read(client, mainBranch, merge)).kind !== "on-main") return pull;
  const mergeDiff = await evidence.diffOf(pull.mergeCommitSha);
  return mergeDiff === undefined ? pull : { ...pull, mergeDiff };
}

/**
 * Main's commits since the items were opened (a cherry-pick cannot be older than the need for it),
 * as evidence about each item's S: all of them, whose notes are read (a note naming S is a claim to
 * judge and say, whatever it changed), and which of them may have S's patch by GitHub's counts of
 * the lines they and S add and remove: only their diffs are read for it. The history and the
 * counts of every item's S are read in one query, once in a delivery, however many items ask.
 */
export function mainHistorySince(client: RepoClient, mainBranch: string, items: ReadonlyArray<{ at: string; sha: string }>): EvidenceOf {
  const oldest = items.map((item) => item.at).sort()[0];
  // One bound on the diffs read for all the items (a writer can add items with `/merge-back`).
  const diffOf = boundedDiffs(client);
  let history: Promise<MainHistory> | undefined;
  return async (sha) => {
    if (oldest === undefined) return historyEvidence(client, [], [], diffOf);
    // A day of slack: a fix may be cherry-picked just before the deploy that needed it is recorded.
    const since = new Date(Date.parse(oldest) - 86_400_000).toISOString();
    const { commits, countsOf, cut } = await (history ??= mainHistory(client, mainBranch, since, items.map((item) => item.sha)));
    return historyEvidence(client, commits, patchCandidates(commits, sha, countsOf.get(sha.toLowerCase())), diffOf, cut);
  };
}

/** Closes a merge-back issue that is done, saying which commit on main and which way matched. */
export async function closeDoneMergeBack(client: RepoClient, issue: MergeBackIssue, match: MergeBackMatch & { done: true }, deps: Deps): Promise<void> {
  // A delivery that failed between this comment and the close left the comment: not twice. An
  // issue GitHub lists without comments cannot hold it, and costs no read.
  const said = Boolean(issue.comments) && findOwnComment(await listComments(client, issue.number), deps.appId, "merge-back-done") !== undefined;
  if (!said) await createComment(client, issue.number, appBody(`✅ Done: ${match.explanation}`, marker("merge-back-done", { sha: issue.mergeBack.sha, commit: match.commitOnMain, way: match.way })));
  await setIssueState(client, issue.number, "closed", "completed");
}

/**
 * A merge-back issue closed without the app's word that its change is on main (a person closed
 * it): confirmed when it is done after all, otherwise reopened with why. Returns whether it is done.
 */
export async function verifyClosedMergeBack(
  client: RepoClient,
  mainBranch: string,
  item: MergeBackIssue,
  deps: Deps,
  history: EvidenceOf = mainHistorySince(client, mainBranch, [{ at: item.created_at, sha: item.mergeBack.sha }]),
): Promise<boolean> {
  if (findOwnComment(await listComments(client, item.number), deps.appId, "merge-back-done")) return true;
  const match = await checkMergeBack(client, mainBranch, item.mergeBack.sha, history, deps);
  if (match.done) {
    await createComment(client, item.number, appBody(`✅ Confirmed: ${match.explanation}`, marker("merge-back-done", { sha: item.mergeBack.sha, commit: match.commitOnMain, way: match.way })));
    return true;
  }
  await reopenOnce(client, item.number, item.closed_at!, `🔁 Reopened: ${match.explanation} Merge it to \`${mainBranch}\` first; this issue closes by itself when it lands.`, deps.appId);
  return false;
}
