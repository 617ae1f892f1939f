import { LRUCache } from "lru-cache";
import { isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";

/** The full SHA of a 7–40 hex prefix, or undefined when GitHub knows no such commit in the repository. */
export async function resolveSha({ octokit, owner, repo }: RepoClient, ref: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner, repo, ref, per_page: 1 });
    return data.sha;
  } catch (error) {
    if (isApiError(error) && (error.status === 404 || error.status === 422)) return undefined;
    throw error;
  }
}

// A commit's diff never changes, so it is fetched once per process.
const diffs = new LRUCache<string, string>({ max: 2_000, maxSize: 50_000_000, sizeCalculation: (d) => d.length || 1 });

/** The unified diff of one commit, as `git show` prints it (for patch identity). */
export async function commitDiff({ octokit, owner, repo }: RepoClient, sha: string): Promise<string> {
  const key = `${owner}/${repo}@${sha}`;
  const cached = diffs.get(key);
  if (cached !== undefined) return cached;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", {
    owner,
    repo,
    ref: sha,
    mediaType: { format: "diff" },
  });
  const diff = String(data);
  diffs.set(key, diff);
  return diff;
}

export type PullOfCommit = {
  number: number;
  state: string;
  baseRef: string;
  baseSha: string;
  headRef: string;
  headSha: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
};

/** Pull requests that contain the commit: how a squash- or rebase-merge is recognised. */
export async function pullsOfCommit({ octokit, owner, repo }: RepoClient, sha: string): Promise<PullOfCommit[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner, repo, commit_sha: sha, per_page: 100 });
  return data.map((pull) => ({
    number: pull.number,
    state: pull.state,
    baseRef: pull.base.ref,
    baseSha: pull.base.sha,
    headRef: pull.head.ref,
    headSha: pull.head.sha,
    mergedAt: pull.merged_at,
    mergeCommitSha: pull.merge_commit_sha,
  }));
}

/**
 * The SHAs of a pull request's own commits, as they were pushed to its branch (a squash or rebase
 * merge leaves them off the base branch). GitHub lists at most 250, 100 to a page.
 */
export async function commitsOfPull({ octokit, owner, repo }: RepoClient, number: number): Promise<string[]> {
  const shas: string[] = [];
  for await (const { data } of octokit.paginate.iterator("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", { owner, repo, pull_number: number, per_page: 100 })) {
    shas.push(...data.map((c) => c.sha));
  }
  return shas;
}

export type MainCommit = { sha: string; message: string };

/** Commits on `branch` since a moment, newest first, at most `limit` (bounded: this runs per push). */
export async function commitsSince({ octokit, owner, repo }: RepoClient, branch: string, since: string, limit = 300): Promise<MainCommit[]> {
  const found: MainCommit[] = [];
  for await (const { data } of octokit.paginate.iterator("GET /repos/{owner}/{repo}/commits", { owner, repo, sha: branch, since, per_page: 100 })) {
    found.push(...data.map((c) => ({ sha: c.sha, message: c.commit.message })));
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}
