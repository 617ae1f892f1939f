import { shortSha } from "./text.js";

export type MainCommit = { sha: string; message: string; patchId?: string };
export type MergedPull = { number: number; baseRef: string; mergedAt: string | null; mergeCommitSha: string | null };

/** What is known about a merge-back item's commit S and the main branch. */
export type MergeBackFacts = {
  /** S, full 40-hex. */
  sha: string;
  mainBranch: string;
  /** Undefined when GitHub was not asked (yet). */
  reachableFromMain: boolean | undefined;
  mainHead?: string;
  /** Commits on main that may carry S's change, e.g. the ones a push brought. */
  mainCommits: MainCommit[];
  patchIdOfS?: string;
  /** Pull requests known to contain S: the ones GitHub lists for S, or the ones a push merged that list S among their commits. */
  pullsOfS: MergedPull[];
};

export type MergeBackWay = "reachable" | "cherry-pick" | "squash-or-rebase" | "same-patch";

export type MergeBackMatch =
  | { done: true; way: MergeBackWay; commitOnMain: string; explanation: string }
  | { done: false; explanation: string };

/**
 * Whether S's change is on main, and which way it got there (SPEC section 5). The ways are tried
 * from the most to the least direct, so the answer names the strongest evidence there is.
 */
export function matchMergeBack(facts: MergeBackFacts): MergeBackMatch {
  return (
    matchReachable(facts) ??
    matchCherryPick(facts) ??
    matchMergedPull(facts) ??
    matchSamePatch(facts) ?? { done: false, explanation: notDoneExplanation(facts) }
  );
}

/** The SHA named by each `(cherry picked from commit <sha>)` trailer in a commit message (git cherry-pick -x), lowercased, full 40-hex only. */
export function cherryPickedFrom(message: string): string[] {
  return message
    .split(/\r?\n/)
    .map((line) => /^[ \t]*\(cherry picked from commit ([0-9a-fA-F]{40})\)[ \t]*$/.exec(line)?.[1]?.toLowerCase())
    .filter((sha): sha is string => sha !== undefined);
}

function matchReachable(facts: MergeBackFacts): MergeBackMatch | undefined {
  const s = facts.sha.toLowerCase();
  // A candidate commit on main that is S itself means S is on main, even before anyone asked GitHub.
  const listed = facts.mainCommits.some((commit) => commit.sha.toLowerCase() === s);
  if (facts.reachableFromMain !== true && !listed) return undefined;
  const from = facts.mainHead ? `${facts.mainBranch}'s head ${shortSha(facts.mainHead)}` : facts.mainBranch;
  return {
    done: true,
    way: "reachable",
    commitOnMain: facts.sha,
    explanation: `${shortSha(facts.sha)} is on ${facts.mainBranch}: it is reachable from ${from}.`,
  };
}

function matchCherryPick(facts: MergeBackFacts): MergeBackMatch | undefined {
  const s = facts.sha.toLowerCase();
  const pick = facts.mainCommits.find((commit) => cherryPickedFrom(commit.message).includes(s));
  if (!pick) return undefined;
  return {
    done: true,
    way: "cherry-pick",
    commitOnMain: pick.sha,
    explanation:
      `${shortSha(facts.sha)} reached ${facts.mainBranch} as a cherry-pick: ${shortSha(pick.sha)} carries ` +
      `\`(cherry picked from commit ${s})\`.`,
  };
}

type PullMergedIntoMain = MergedPull & { mergedAt: string; mergeCommitSha: string };

/** Whether the pull request was merged into main, with its commit there to name. A merge without that commit cannot be named, so it does not count. */
export function isMergedInto<P extends MergedPull>(pull: P, mainBranch: string): pull is P & PullMergedIntoMain {
  return pull.baseRef === mainBranch && pull.mergedAt !== null && pull.mergeCommitSha !== null;
}

/** A merged pull request into main that contains S; when several do, the first merged is the one that brought S. */
function matchMergedPull(facts: MergeBackFacts): MergeBackMatch | undefined {
  const pull = facts.pullsOfS
    .filter((p) => isMergedInto(p, facts.mainBranch))
    .sort((a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt))[0];
  if (!pull) return undefined;
  return {
    done: true,
    way: "squash-or-rebase",
    commitOnMain: pull.mergeCommitSha,
    explanation:
      `${shortSha(facts.sha)} reached ${facts.mainBranch} through pull request #${pull.number}, ` +
      `merged as ${shortSha(pull.mergeCommitSha)}.`,
  };
}

function matchSamePatch(facts: MergeBackFacts): MergeBackMatch | undefined {
  const { patchIdOfS } = facts;
  if (patchIdOfS === undefined) return undefined;
  const twin = facts.mainCommits.find((commit) => commit.patchId === patchIdOfS);
  if (!twin) return undefined;
  return {
    done: true,
    way: "same-patch",
    commitOnMain: twin.sha,
    explanation:
      `${shortSha(facts.sha)} reached ${facts.mainBranch} as the same change: ` +
      `${shortSha(twin.sha)} has the same patch (git patch-id).`,
  };
}

/** Lists what was looked at, and says plainly what was not, so nobody mistakes "not asked" for "no". */
function notDoneExplanation(facts: MergeBackFacts): string {
  const main = facts.mainBranch;
  const reachable =
    facts.reachableFromMain === false ? `it is not reachable from ${main}` : `whether it is reachable from ${main} was not checked`;
  const samePatch =
    facts.patchIdOfS === undefined ? `its patch was not compared with ${main}'s commits` : `no commit on ${main} has the same patch`;
  return (
    `${shortSha(facts.sha)} is not on ${main} yet: ${reachable}, no commit on ${main} is a cherry-pick of it, ` +
    `no pull request with it was merged into ${main}, and ${samePatch}.`
  );
}
