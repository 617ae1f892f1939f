import { pullsWithCommit } from "../graph.js";
import type { Site } from "../model.js";
import type { GraphQLOperation } from "./graphql.js";
import { repositoryNotFound } from "./graphql-refs.js";

/**
 * `PullsOfCommits` (src/github/pulls-of-commits.ts): each variable other than the repository's is a
 * commit's oid, asked under an alias of the variable's own name; `object(oid:)` is null for a commit
 * the repository does not hold, else its `associatedPullRequests` (the first 100), the pull requests
 * REST's `commits/{sha}/pulls` lists for it.
 */
export const pullsOfCommits: GraphQLOperation = (site: Site, variables) => {
  const repo = site.repoFor({ owner: String(variables.owner), repo: String(variables.name) });
  if (!repo) return repositoryNotFound(variables);
  const { owner: _owner, name: _name, ...commits } = variables;
  const node = (sha: string) =>
    pullsWithCommit(repo, sha)
      .slice(0, 100)
      .map((pull) => {
        const issue = repo.issues.get(pull.number)!;
        return {
          number: pull.number,
          state: pull.merged_at !== null ? "MERGED" : issue.state === "open" ? "OPEN" : "CLOSED",
          merged: pull.merged_at !== null,
          mergedAt: pull.merged_at,
          baseRepository: { databaseId: repo.id },
          baseRefName: pull.base,
          baseRefOid: repo.branches.get(pull.base) ?? "",
          headRefName: pull.head,
          headRefOid: pull.commits.at(-1) ?? repo.branches.get(pull.head) ?? "",
          mergeCommit: pull.merged_at !== null && pull.merge_commit_sha !== null ? { oid: pull.merge_commit_sha } : null,
        };
      });
  return {
    repository: Object.fromEntries(
      Object.entries(commits).map(([alias, oid]) => [alias, repo.commits.has(String(oid)) ? { associatedPullRequests: { nodes: node(String(oid)) } } : null]),
    ),
  };
};
