import type { RepoClient } from "../github/client.js";
import { commitDiff, commitsSince, pullsOfCommit } from "../github/commits.js";
import { createComment, listComments, setIssueState } from "../github/issues.js";
import { findOwnComment } from "../github/own-comments.js";
import type { MergeBackIssue } from "../github/incidents.js";
import { marker } from "../markers.js";
import { matchMergeBack, type MainCommit, type MergeBackFacts, type MergeBackMatch } from "../policy/merge-back.js";
import { patchId } from "../policy/patch-id.js";
import type { Deps } from "./deps.js";
import { reopenOnce } from "./reopen-once.js";

/** How many candidate commits on main get their patch compared: each costs one diff read the first time. */
const PATCH_CANDIDATES = 20;

/**
 * Is S's change on main? The facts are gathered cheapest first (the candidates already at hand,
 * then one compare, then S's pull requests, then patch identity) and the search stops at the
 * first way that matches.
 */
export async function checkMergeBack(
  client: RepoClient,
  mainBranch: string,
  sha: string,
  candidates: readonly MainCommit[],
  deps: Deps,
): Promise<MergeBackMatch> {
  let facts: MergeBackFacts = { sha, mainBranch, reachableFromMain: undefined, mainCommits: [...candidates], pullsOfS: [] };
  let match = matchMergeBack(facts);
  if (match.done) return match;
  const ancestry = await deps.ancestry.read(client, mainBranch, sha);
  facts = { ...facts, reachableFromMain: ancestry.kind === "on-main", ...(ancestry.kind === "on-main" || ancestry.kind === "off-main" ? { mainHead: ancestry.mainHead } : {}) };
  match = matchMergeBack(facts);
  if (match.done) return match;
  facts = { ...facts, pullsOfS: await pullsOfCommit(client, sha) };
  match = matchMergeBack(facts);
  if (match.done || candidates.length === 0) return match;
  const patchIdOfS = patchId(await commitDiff(client, sha));
  if (!patchIdOfS) return match;
  const withPatches = await Promise.all(
    candidates.slice(0, PATCH_CANDIDATES).map(async (c) => ({ ...c, patchId: patchId(await commitDiff(client, c.sha)) ?? "" })),
  );
  return matchMergeBack({ ...facts, patchIdOfS, mainCommits: [...withPatches, ...candidates.slice(PATCH_CANDIDATES)] });
}

/** Commits on main since the item was opened (a cherry-pick cannot be older than the need for it). */
export async function mainHistorySince(client: RepoClient, mainBranch: string, issues: readonly MergeBackIssue[]): Promise<MainCommit[]> {
  if (issues.length === 0) return [];
  const oldest = issues.map((i) => i.created_at).sort()[0]!;
  // A day of slack: a fix may be cherry-picked just before the deploy that needed it is recorded.
  const since = new Date(Date.parse(oldest) - 86_400_000).toISOString();
  return commitsSince(client, mainBranch, since);
}

/** Closes a merge-back issue that is done, saying which commit on main and which way matched. */
export async function closeDoneMergeBack(client: RepoClient, issue: MergeBackIssue, match: MergeBackMatch & { done: true }): Promise<void> {
  await createComment(
    client,
    issue.number,
    [`✅ Done: ${match.explanation}`, marker("merge-back-done", { sha: issue.mergeBack.sha, commit: match.commitOnMain, way: match.way })].join("\n\n"),
  );
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
  history: () => Promise<readonly MainCommit[]> = () => mainHistorySince(client, mainBranch, [item]),
): Promise<boolean> {
  if (findOwnComment(await listComments(client, item.number), deps.appId, "merge-back-done")) return true;
  const candidates = await history();
  const match = await checkMergeBack(client, mainBranch, item.mergeBack.sha, candidates, deps);
  if (match.done) {
    await createComment(client, item.number, `✅ Confirmed: ${match.explanation}\n\n${marker("merge-back-done", { sha: item.mergeBack.sha, commit: match.commitOnMain, way: match.way })}`);
    return true;
  }
  await reopenOnce(client, item.number, item.closed_at!, `🔁 Reopened: ${match.explanation} Merge it to \`${mainBranch}\` first; this issue closes by itself when it lands.`, deps.appId);
  return false;
}
