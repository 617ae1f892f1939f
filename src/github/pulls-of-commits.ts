import type { RepoClient } from "./client.js";
import type { PullOfCommit } from "./commits.js";
import { commitsAsked, queryGitHub } from "./graphql.js";

/** The pull requests GitHub associates with each commit asked about, by lower-case sha. */
export type PullsOfCommits = ReadonlyMap<string, readonly PullOfCommit[]>;

/**
 * What REST's `commits/{sha}/pulls` lists (pullsOfCommit), for many commits in one GraphQL query:
 * one aliased `object(oid:)` per commit, with its `associatedPullRequests`. The two mean the same:
 * REST, "the merged pull request that introduced the commit to the repository; if the commit is
 * not present in the default branch, … merged and open pull requests associated with the commit"
 * (@octokit/openapi, operation repos/list-pull-requests-associated-with-commit); GraphQL's
 * `Commit.associatedPullRequests`, "the merged Pull Request that introduced the commit to the
 * repository. If the commit is not present in the default branch, additionally returns open Pull
 * Requests associated with the commit" (docs.github.com/graphql/reference/commits). The first 100
 * of each, as REST's first page of 100.
 */
const document = (declared: string, fields: string) => `query PullsOfCommits($owner: String!, $name: String!${declared}) {
  repository(owner: $owner, name: $name) {${fields}
  }
}
fragment PullsOfCommit on Commit {
  associatedPullRequests(first: 100) {
    nodes { number state merged mergedAt baseRepository { databaseId } baseRefName baseRefOid headRefName headRefOid mergeCommit { oid } }
  }
}`;

type PullNode = {
  number: number;
  state: "OPEN" | "CLOSED" | "MERGED";
  merged: boolean;
  mergedAt: string | null;
  baseRepository: { databaseId: number | null } | null;
  baseRefName: string;
  baseRefOid: string;
  headRefName: string;
  headRefOid: string;
  mergeCommit: { oid: string } | null;
};
type Answer = { repository: Record<string, { associatedPullRequests?: { nodes: Array<PullNode | null> | null } | null } | null> | null };

/**
 * The pull requests of each commit (full shas), asked in one query: this repository's only. A
 * commit is shared by every repository of its fork network, and a pull request merged into a fork's
 * `main` (by whoever owns the fork) must not pass for one merged into this repository's. A commit GitHub does not know
 * (yet: a push's webhook can come before every replica holds its objects) fails the delivery, to be
 * redelivered, as REST's 422 for it does: an empty list would say that no pull request merged it.
 */
export async function pullsOfCommits({ octokit, owner, repo, repoId }: RepoClient, shas: readonly string[]): Promise<PullsOfCommits> {
  const asked = [...new Set(shas.map((sha) => sha.toLowerCase()))];
  if (asked.length === 0) return new Map();
  const commits = commitsAsked(asked, "...PullsOfCommit");
  const { repository } = await queryGitHub<Answer>(octokit, document(commits.declared, commits.fields), { owner, name: repo, ...commits.values });
  return new Map(
    asked.map((sha, i) => {
      const commit = repository?.[`c${i}`];
      if (!commit) throw new Error(`GitHub knows no commit ${sha} in ${owner}/${repo}`);
      const nodes = commit.associatedPullRequests?.nodes ?? [];
      const ours = nodes.filter((pull): pull is PullNode => pull !== null && pull.baseRepository?.databaseId === repoId);
      return [sha, ours.map(pullOfCommit)] as const;
    }),
  );
}

/** A pull request as pullsOfCommit gives it (REST's state: a merged one is closed). */
function pullOfCommit(pull: PullNode): PullOfCommit {
  return {
    number: pull.number,
    state: pull.state === "OPEN" ? "open" : "closed",
    baseRef: pull.baseRefName,
    baseSha: pull.baseRefOid,
    headRef: pull.headRefName,
    headSha: pull.headRefOid,
    mergedAt: pull.merged ? pull.mergedAt : null,
    mergeCommitSha: pull.mergeCommit?.oid ?? null,
  };
}

/** The pull requests of a push's commits, read the first time anyone asks, then shared (one query per push). */
export function pullsOfCommitsOnce(client: RepoClient, shas: readonly string[]): () => Promise<PullsOfCommits> {
  let read: Promise<PullsOfCommits> | undefined;
  return () => (read ??= pullsOfCommits(client, shas));
}
