import type { RepoClient } from "../github/client.js";
import { commitDiff, commitsOfPull, pullsOfCommit, type PullOfCommit } from "../github/commits.js";
import { isMergedInto, type MainCommit, type MergedPull } from "../policy/merge-back.js";
import { patchId } from "../policy/patch-id.js";

/** How many commits on main are looked into (their patch; a push's, their pull requests): each costs a read. */
const LOOKED_INTO = 20;

/**
 * Commits on main that may carry merge-back items' changes, and what GitHub says about them. What
 * depends only on these commits is read at most once, however many items are checked against them.
 */
export type MainEvidence = {
  commits: readonly MainCommit[];
  /** The commits, the ones looked into with their patch ids. */
  withPatches(): Promise<MainCommit[]>;
  /** The pull requests known to hold S (the policy counts those merged into main). */
  pullsWith(sha: string): Promise<MergedPull[]>;
};

/**
 * Main's recent history. Which of its pull requests hold S is asked about S itself
 * (`commits/{S}/pulls`): asking about each commit of the history would cost more.
 */
export function historyEvidence(client: RepoClient, commits: readonly MainCommit[]): MainEvidence {
  return { commits, withPatches: patchesOnce(client, commits), pullsWith: (sha) => pullsOfCommit(client, sha) };
}

/**
 * The commits a push brought to main. A squash- or rebase-merge shows as a pushed commit whose pull
 * request (`commits/{pushed}/pulls`: the merged one that introduced it) lists S among its own
 * commits, so those pull requests are read once per push and shared by every item, instead of
 * asking once per item which pull requests hold its commit. A pull request merged by an earlier
 * push is that push's to find; `/mainline status` and the close gate still ask about S itself.
 */
export function pushEvidence(client: RepoClient, mainBranch: string, pushed: readonly MainCommit[]): MainEvidence {
  let merged: Promise<PullOfCommit[]> | undefined;
  const mergedByPush = () =>
    (merged ??= Promise.all(pushed.slice(0, LOOKED_INTO).map((commit) => pullsOfCommit(client, commit.sha))).then((lists) =>
      distinctPulls(lists.flat().filter((pull) => isMergedInto(pull, mainBranch))),
    ));
  const commitsOf = new Map<number, Promise<string[]>>();
  const holds = async (pull: PullOfCommit, sha: string) => {
    if (pull.headSha.toLowerCase() === sha) return true;
    if (!commitsOf.has(pull.number)) commitsOf.set(pull.number, commitsOfPull(client, pull.number).then((shas) => shas.map((s) => s.toLowerCase())));
    return (await commitsOf.get(pull.number)!).includes(sha);
  };
  return {
    commits: pushed,
    withPatches: patchesOnce(client, pushed),
    async pullsWith(sha) {
      const holding: PullOfCommit[] = [];
      for (const pull of await mergedByPush()) if (await holds(pull, sha.toLowerCase())) holding.push(pull);
      return holding;
    },
  };
}

function patchesOnce(client: RepoClient, commits: readonly MainCommit[]): () => Promise<MainCommit[]> {
  let patched: Promise<MainCommit[]> | undefined;
  return () =>
    (patched ??= Promise.all(
      commits.slice(0, LOOKED_INTO).map(async (commit) => ({ ...commit, patchId: patchId(await commitDiff(client, commit.sha)) ?? "" })),
    ).then((looked) => [...looked, ...commits.slice(LOOKED_INTO)]));
}

/** A rebase-merge's commits all lead to the same pull request: it is read once. */
function distinctPulls(pulls: PullOfCommit[]): PullOfCommit[] {
  return [...new Map(pulls.map((pull) => [pull.number, pull])).values()];
}
