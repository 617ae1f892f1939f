import type { RepoClient } from "./client.js";

export type PullSummary = { number: number; baseRef: string; baseSha: string; headRef: string; headSha: string; merged: boolean };

export async function getPull({ octokit, owner, repo }: RepoClient, number: number): Promise<PullSummary> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: number });
  return { number: data.number, baseRef: data.base.ref, baseSha: data.base.sha, headRef: data.head.ref, headSha: data.head.sha, merged: data.merged };
}

export type ComparedCommit = { sha: string; message: string; parents: number };

/**
 * How many commits of a comparison are read at most: GitHub's own limit for listing one, and a
 * bound on what one delivery costs (SPEC 8: however many commits a user pushes).
 */
export const COMMIT_LIMIT = 250;

const PAGE = 100;

/** A comparison's commits, or only how many there are when they are more than the limit. */
export type CommitsBetween =
  | { complete: true; commits: ComparedCommit[]; mergeBase: string }
  | { complete: false; total: number; mergeBase: string };

/**
 * The commits in `base...head`, 100 a page, so N commits cost ceil(N / 100) reads; past `limit`
 * none are kept, and the first page (which counts them all) is the only read.
 */
export async function commitsBetween({ octokit, owner, repo }: RepoClient, base: string, head: string, limit = COMMIT_LIMIT): Promise<CommitsBetween> {
  const commits: ComparedCommit[] = [];
  for (let page = 1; ; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${base}...${head}`, per_page: PAGE, page });
    const mergeBase = data.merge_base_commit.sha;
    if (data.total_commits > limit) return { complete: false, total: data.total_commits, mergeBase };
    commits.push(...data.commits.map((c) => ({ sha: c.sha, message: c.commit.message, parents: c.parents.length })));
    if (data.commits.length < PAGE || commits.length >= data.total_commits) return { complete: true, commits, mergeBase };
  }
}

/**
 * Which of a pull request's commits are on main, the branch `refs/heads/<mainBranch>` (a tag of
 * that name changes nothing): those the compare of main with the head does not list. Undefined
 * when a bound stopped the reads.
 *
 * A long-lived release branch may hold more commits off main than are read. Then the commits of
 * the pull request on main are those main's merge base with the head brings over the base: never
 * more than the pull request's own, and each reachable from main.
 */
export async function pullCommitsOnMain(
  client: RepoClient,
  mainBranch: string,
  pull: Pick<PullSummary, "baseSha" | "headSha">,
  commits: readonly ComparedCommit[],
): Promise<Set<string> | undefined> {
  const offMain = await commitsBetween(client, `heads/${mainBranch}`, pull.headSha);
  if (offMain.complete) {
    const lacking = new Set(offMain.commits.map((c) => c.sha.toLowerCase()));
    return new Set(commits.map((c) => c.sha.toLowerCase()).filter((sha) => !lacking.has(sha)));
  }
  const broughtByMain = await commitsBetween(client, pull.baseSha, offMain.mergeBase);
  return broughtByMain.complete ? new Set(broughtByMain.commits.map((c) => c.sha.toLowerCase())) : undefined;
}

/** Whether the pull request changes a file (paging through up to GitHub's 3,000 files). */
export async function pullChangesFile({ octokit, owner, repo }: RepoClient, number: number, path: string): Promise<{ changed: boolean; removed: boolean }> {
  for await (const { data } of octokit.paginate.iterator("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner, repo, pull_number: number, per_page: 100 })) {
    const file = data.find((f) => f.filename === path || f.previous_filename === path);
    if (file) return { changed: true, removed: file.status === "removed" || file.filename !== path };
  }
  return { changed: false, removed: false };
}

/** A file's text at a commit, or undefined when it is not there. */
export async function fileAt({ octokit, owner, repo }: RepoClient, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path, ref, mediaType: { format: "raw" } });
    return String(data);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}
