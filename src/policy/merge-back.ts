import { containsChange } from "./change-contains.js";
import { shortSha } from "./text.js";

export type MainCommit = {
  sha: string;
  message: string;
  /** Undefined when the commit was not looked into; "" when it was and has no patch. */
  patchId?: string;
  /** Its diff in raw bytes, when it was read: what holds its cherry-pick notes to account. */
  diff?: Uint8Array;
};
export type MergedPull = {
  number: number;
  baseRef: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** The diff of its commit on main in raw bytes, when it was read: what the pull request put on main. */
  mergeDiff?: Uint8Array;
};

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
  /** None of `mainCommits` adds and removes as many lines as S (GitHub's counts): none can have S's patch, so it was not compared. */
  countsMatchNone?: true;
  /** Main has older commits of the window than `mainCommits` (the history read is bounded): they were not looked into. */
  historyCut?: true;
  patchIdOfS?: string;
  /** S's own diff in raw bytes, when it was read: what a noting commit or a merged pull request must contain. */
  diffOfS?: Uint8Array;
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
 *
 * Only git counts. A cherry-pick note is a claim anyone can write, and a pull request that held S
 * may have reverted it before it merged: both count only when the commit on main contains S's
 * change (`containsChange`). A diff that was not read (a bound stopped the read) verifies nothing,
 * and the explanation says it could not be verified.
 */
export function matchMergeBack(facts: MergeBackFacts): MergeBackMatch {
  return (
    matchReachable(facts) ??
    matchCherryPick(facts) ??
    matchMergedPull(facts) ??
    matchSamePatch(facts) ?? { done: false, explanation: notDoneExplanation(facts) }
  );
}

/**
 * The sha named by each `(cherry picked from commit <sha>)` note in a commit message (git cherry-pick
 * -x's trailer, also spelled `cherry-picked`), lowercased: full or abbreviated, 7 to 40 hex. Only
 * what it claims: `notesCherryPickOf` says whom, `containsChange` whether it holds.
 */
export function cherryPickedFrom(message: string): string[] {
  return message
    .split(/\r?\n/)
    .map((line) => /^[ \t]*\(cherry[ -]picked from commit ([0-9a-fA-F]{7,40})\)[ \t]*$/.exec(line)?.[1]?.toLowerCase())
    .filter((sha): sha is string => sha !== undefined);
}

/** Whether the message notes a cherry-pick of `sha`: a noted sha names S when S starts with it. */
export function notesCherryPickOf(message: string, sha: string): boolean {
  const s = sha.toLowerCase();
  return cherryPickedFrom(message).some((noted) => s.startsWith(noted));
}

type Verdict = "contains" | "does-not-contain" | "not-read";

/** Whether a commit on main whose diff is `diff` carries S's change, as far as what was read can tell. */
function verdict(diff: Uint8Array | undefined, facts: MergeBackFacts): Verdict {
  if (diff === undefined || facts.diffOfS === undefined) return "not-read";
  return containsChange(diff, facts.diffOfS) ? "contains" : "does-not-contain";
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

function notingCommits(facts: MergeBackFacts): MainCommit[] {
  return facts.mainCommits.filter((commit) => notesCherryPickOf(commit.message, facts.sha));
}

function matchCherryPick(facts: MergeBackFacts): MergeBackMatch | undefined {
  const pick = notingCommits(facts).find((commit) => verdict(commit.diff, facts) === "contains");
  if (!pick) return undefined;
  const s = shortSha(facts.sha);
  return {
    done: true,
    way: "cherry-pick",
    commitOnMain: pick.sha,
    explanation: `${s} reached ${facts.mainBranch} as a cherry-pick: ${shortSha(pick.sha)} notes that it was cherry-picked from ${s}, and its change contains ${s}'s.`,
  };
}

type PullMergedIntoMain = MergedPull & { mergedAt: string; mergeCommitSha: string };

/** Whether the pull request was merged into main, with its commit there to name. A merge without that commit cannot be named, so it does not count. */
export function isMergedInto<P extends MergedPull>(pull: P, mainBranch: string): pull is P & PullMergedIntoMain {
  return pull.baseRef === mainBranch && pull.mergedAt !== null && pull.mergeCommitSha !== null;
}

/** Pull requests with S merged into main, the first merged first. */
function mergedPulls(facts: MergeBackFacts): PullMergedIntoMain[] {
  return facts.pullsOfS.filter((p) => isMergedInto(p, facts.mainBranch)).sort((a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt));
}

/**
 * A merged pull request into main with S whose commit on main contains S's change; when several
 * do, the first merged is the one that brought S.
 */
function matchMergedPull(facts: MergeBackFacts): MergeBackMatch | undefined {
  const pull = mergedPulls(facts).find((p) => verdict(p.mergeDiff, facts) === "contains");
  if (!pull) return undefined;
  return {
    done: true,
    way: "squash-or-rebase",
    commitOnMain: pull.mergeCommitSha,
    explanation:
      `${shortSha(facts.sha)} reached ${facts.mainBranch} through pull request #${pull.number}, ` +
      `merged as ${shortSha(pull.mergeCommitSha)}, whose change contains ${shortSha(facts.sha)}'s.`,
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

/**
 * Lists what was looked at, and says plainly what was not, so nobody mistakes "not asked" for
 * "no", nor a claim for proof.
 */
function notDoneExplanation(facts: MergeBackFacts): string {
  const main = facts.mainBranch;
  const reachable =
    facts.reachableFromMain === false ? `it is not reachable from ${main}` : `whether it is reachable from ${main} was not checked`;
  const cut = facts.historyCut ? [`could not verify ${main}'s older commits of that time: more than were read`] : [];
  const clauses = [reachable, ...cherryPickClauses(facts), ...mergedPullClauses(facts), samePatchClause(facts), ...cut];
  return `${shortSha(facts.sha)} is not on ${main} yet: ${clauses.slice(0, -1).join(", ")}, and ${clauses.at(-1)}.`;
}

function cherryPickClauses(facts: MergeBackFacts): string[] {
  const noting = notingCommits(facts);
  if (noting.length === 0) return [`no commit on ${facts.mainBranch} is a cherry-pick of it`];
  const s = shortSha(facts.sha);
  const claims = noting.filter((commit) => verdict(commit.diff, facts) === "does-not-contain").map((commit) => shortSha(commit.sha));
  const unread = noting.filter((commit) => verdict(commit.diff, facts) === "not-read").map((commit) => shortSha(commit.sha));
  return [
    ...(claims.length === 0
      ? []
      : [
          claims.length === 1
            ? `a note is a claim: ${claims[0]} says it was cherry-picked from ${s} but its change does not contain ${s}'s`
            : `a note is a claim: ${named(claims)} say they were cherry-picked from ${s} but their changes do not contain ${s}'s`,
        ]),
    ...(unread.length === 0 ? [] : [`could not verify the cherry-pick note of ${named(unread)}: a change it compares was not read`]),
  ];
}

function mergedPullClauses(facts: MergeBackFacts): string[] {
  const merged = mergedPulls(facts);
  if (merged.length === 0) return [`no pull request with it was merged into ${facts.mainBranch}`];
  const s = shortSha(facts.sha);
  const label = (pull: PullMergedIntoMain) => `#${pull.number} (merged as ${shortSha(pull.mergeCommitSha)})`;
  const reverted = merged.filter((pull) => verdict(pull.mergeDiff, facts) === "does-not-contain").map(label);
  const unread = merged.filter((pull) => verdict(pull.mergeDiff, facts) === "not-read").map(label);
  return [
    ...(reverted.length === 0
      ? []
      : [
          `${pullRequests(reverted)} put on ${facts.mainBranch} no change that contains ${s}'s ` +
            `(a pull request that adds a change and then reverts it merges nothing of it)`,
        ]),
    ...(unread.length === 0 ? [] : [`could not verify what ${pullRequests(unread)} put on ${facts.mainBranch}: a change it compares was not read`]),
  ];
}

function samePatchClause(facts: MergeBackFacts): string {
  const main = facts.mainBranch;
  if (facts.countsMatchNone) return `no commit on ${main} adds and removes as many lines as it does`;
  if (facts.patchIdOfS === undefined) return `its patch was not compared with ${main}'s commits`;
  const unlooked = facts.mainCommits.filter((commit) => commit.patchId === undefined).length;
  if (unlooked === 0) return `no commit on ${main} has the same patch`;
  return `no commit on ${main} looked into has the same patch (could not verify ${unlooked} more: not looked into)`;
}

function pullRequests(labels: readonly string[]): string {
  return `${labels.length === 1 ? "pull request" : "pull requests"} ${named(labels)}`;
}

/** A few names, the rest counted, so that no number of commits or pull requests makes the text long. */
function named(names: readonly string[]): string {
  const shown = names.slice(0, 3);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}
