import type { Commit, Pull, Repository } from "./model.js";

/**
 * The commit graph as GitHub reads it: refs to shas, reachability, compare and history order.
 */

/** Every ref of the repository, by its full name: the branches, the tags, and the others. */
export function refsOf(repo: Repository): Map<string, string> {
  return new Map([
    ...[...repo.branches].map(([name, sha]) => [`refs/heads/${name}`, sha] as const),
    ...[...repo.tags].map(([name, sha]) => [`refs/tags/${name}`, sha] as const),
    ...repo.otherRefs,
  ]);
}

/**
 * What a revision names, as git's rev-parse (and so GitHub) reads it: a full sha; else the first ref
 * of `<ref>`, `refs/<ref>`, `refs/tags/<ref>`, `refs/heads/<ref>`, `refs/remotes/<ref>`,
 * `refs/remotes/<ref>/HEAD` (git's `ref_rev_parse_rules`: a bare name is a tag before a branch;
 * `heads/<name>` is the branch alone); else a unique abbreviation of 7+ hex digits.
 */
export function resolveRef(repo: Repository, ref: string): string | undefined {
  if (repo.commits.has(ref)) return ref;
  const refs = refsOf(repo);
  const named = [ref, `refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`, `refs/remotes/${ref}`, `refs/remotes/${ref}/HEAD`].find((candidate) => refs.has(candidate));
  if (named) return refs.get(named);
  if (!/^[0-9a-f]{7,39}$/i.test(ref)) return undefined;
  const matches = [...repo.commits.keys()].filter((sha) => sha.startsWith(ref.toLowerCase()));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * The pull requests GitHub associates with a commit (REST `commits/{sha}/pulls`, GraphQL
 * `Commit.associatedPullRequests`): here every one that holds it or merged as it.
 */
export function pullsWithCommit(repo: Repository, sha: string): Pull[] {
  return [...repo.pulls.values()].filter((p) => p.commits.includes(sha) || p.merge_commit_sha === sha);
}

export function ancestors(repo: Repository, sha: string): Set<string> {
  const seen = new Set<string>();
  const queue = [sha];
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(repo.commits.get(next)?.parents ?? []));
  }
  return seen;
}

/**
 * Every commit reachable from `head`, newest first and never a parent before its child
 * (`git log` order): among the commits whose children are all listed, the latest by date,
 * and for equal dates the one added to the model last.
 */
export function history(repo: Repository, head: string): Commit[] {
  const reachable = ancestors(repo, head);
  const order = new Map([...repo.commits.keys()].map((sha, i) => [sha, i]));
  const pendingChildren = new Map<string, number>([...reachable].map((sha) => [sha, 0]));
  for (const sha of reachable) {
    for (const parent of repo.commits.get(sha)?.parents ?? []) {
      if (pendingChildren.has(parent)) pendingChildren.set(parent, pendingChildren.get(parent)! + 1);
    }
  }
  const newestFirst = (a: Commit, b: Commit) => b.date.localeCompare(a.date) || order.get(b.sha)! - order.get(a.sha)!;
  const ready = [repo.commits.get(head)].filter((c): c is Commit => c !== undefined);
  const listed: Commit[] = [];
  while (ready.length > 0) {
    ready.sort(newestFirst);
    const next = ready.shift()!;
    listed.push(next);
    for (const parent of next.parents) {
      const left = pendingChildren.get(parent)! - 1;
      pendingChildren.set(parent, left);
      const commit = repo.commits.get(parent);
      if (left === 0 && commit) ready.push(commit);
    }
  }
  return listed;
}

export type Comparison = {
  status: "identical" | "behind" | "ahead" | "diverged";
  ahead_by: number;
  behind_by: number;
  mergeBase: string | undefined;
  /** The commits in head that base lacks, oldest first, as GitHub lists them. */
  commits: Commit[];
};

export function compare(repo: Repository, base: string, head: string): Comparison {
  const fromBase = ancestors(repo, base);
  const fromHead = ancestors(repo, head);
  const ahead = history(repo, head).filter((c) => !fromBase.has(c.sha));
  const behindBy = [...fromBase].filter((sha) => !fromHead.has(sha)).length;
  const status = ahead.length === 0 && behindBy === 0 ? "identical" : ahead.length === 0 ? "behind" : behindBy === 0 ? "ahead" : "diverged";
  const mergeBase = history(repo, head).find((c) => fromBase.has(c.sha))?.sha;
  return { status, ahead_by: ahead.length, behind_by: behindBy, mergeBase, commits: ahead.reverse() };
}

/**
 * A file's contents at a commit, from what the commits on its first-parent line wrote (`Commit.files`):
 * undefined when none wrote it or the latest deleted it. Enough for the linear histories tests tell.
 */
export function fileAt(repo: Repository, sha: string, path: string): string | undefined {
  for (let commit = repo.commits.get(sha); commit; commit = repo.commits.get(commit.parents[0] ?? "")) {
    if (commit.files && path in commit.files) return commit.files[path] ?? undefined;
  }
  return undefined;
}
