import { fileChanges } from "../diff.js";
import { history } from "../graph.js";
import type { Commit, Repository } from "../model.js";
import type { GraphQLOperation } from "./graphql.js";

/**
 * `MainHistorySince` (src/github/main-history.ts): a page of a branch's history since a moment,
 * newest first as `git log` (and GitHub) lists it, filtered on the commit's date as REST's `since`
 * is, paged by an opaque cursor; and the commits the query names as `$c0`, `$c1`… under aliases
 * of the same names (`c0: object(oid: $c0)`), null for an object the repository does not have.
 * Each commit's counts are GitHub's: the lines of its diff's hunks that start with `+` or `-`
 * (not the `+++`/`---` file headers), as the REST commit's `stats` count them.
 */
export const mainHistorySince: GraphQLOperation = (site, variables) => {
  const repo = site.repoFor({ owner: String(variables.owner), repo: String(variables.name) });
  if (!repo) return { repository: null };
  const aliases = Object.entries(variables).filter(([name]) => /^c\d+$/.test(name));
  const objects = Object.fromEntries(aliases.map(([alias, oid]) => [alias, commitCounts(repo.commits.get(String(oid)))]));
  const head = branchHead(repo, String(variables.branch));
  if (!head) return { repository: { ref: null, ...objects } };
  const since = Date.parse(String(variables.since));
  const listed = history(repo, head).filter((c) => Date.parse(c.date) >= since);
  const start = typeof variables.after === "string" ? Number(Buffer.from(variables.after, "base64").toString("utf8")) + 1 : 0;
  const page = listed.slice(start, start + 100);
  const end = start + page.length - 1;
  return {
    repository: {
      ref: {
        target: {
          history: {
            pageInfo: { hasNextPage: end + 1 < listed.length, endCursor: page.length === 0 ? null : Buffer.from(String(end)).toString("base64") },
            nodes: page.map((c) => ({ oid: c.sha, message: c.message, ...commitCounts(c) })),
          },
        },
      },
      ...objects,
    },
  };
};

/** `ref(qualifiedName:)`: a branch or a tag by its full name, nothing else. */
function branchHead(repo: Repository, qualifiedName: string): string | undefined {
  if (qualifiedName.startsWith("refs/heads/")) return repo.branches.get(qualifiedName.slice("refs/heads/".length));
  if (qualifiedName.startsWith("refs/tags/")) return repo.tags.get(qualifiedName.slice("refs/tags/".length));
  return undefined;
}

function commitCounts(commit: Commit | undefined) {
  if (!commit) return null;
  const files = fileChanges(commit.diff);
  return {
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changedFilesIfAvailable: new Set(files.map((f) => f.filename)).size,
    parents: { totalCount: commit.parents.length },
  };
}
