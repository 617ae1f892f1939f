import { LRUCache } from "lru-cache";
import type { RepoClient } from "./client.js";

// A commit's diff never changes, so it is fetched once per process (bounded by its size in bytes).
const diffs = new LRUCache<string, Uint8Array>({ max: 2_000, maxSize: 50_000_000, sizeCalculation: (d) => d.byteLength || 1 });

/**
 * The unified diff of one commit, as `git show` prints it, in raw bytes: a diff is not text in any
 * encoding, and patch identity and change containment compare the bytes git wrote. The body is
 * taken unparsed (`parseSuccessResponseBody: false` hands over the response stream), so Octokit
 * never decodes it as UTF-8.
 */
export async function commitDiff({ octokit, owner, repo }: RepoClient, sha: string): Promise<Uint8Array> {
  const key = `${owner}/${repo}@${sha}`;
  const cached = diffs.get(key);
  if (cached !== undefined) return cached;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", {
    owner,
    repo,
    ref: sha,
    mediaType: { format: "diff" },
    request: { parseSuccessResponseBody: false },
  });
  const body = data as unknown as ReadableStream<Uint8Array> | null;
  const diff = new Uint8Array(await new Response(body).arrayBuffer());
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

/**
 * This repository's pull requests that contain the commit: how a squash- or rebase-merge is
 * recognised. A commit is shared by every repository of its fork network, and a pull request merged
 * into a fork's `main` (by whoever owns the fork) must not pass for one merged into this one's.
 */
export async function pullsOfCommit({ octokit, owner, repo, repoId }: RepoClient, sha: string): Promise<PullOfCommit[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner, repo, commit_sha: sha, per_page: 100 });
  return data.filter((pull) => pull.base.repo.id === repoId).map((pull) => ({
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
