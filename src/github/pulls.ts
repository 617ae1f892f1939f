import type { RepoClient } from "./client.js";

export type PullSummary = { number: number; baseRef: string; baseSha: string; headRef: string; headSha: string; merged: boolean };

export async function getPull({ octokit, owner, repo }: RepoClient, number: number): Promise<PullSummary> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: number });
  return { number: data.number, baseRef: data.base.ref, baseSha: data.base.sha, headRef: data.head.ref, headSha: data.head.sha, merged: data.merged };
}

export type ComparedCommit = { sha: string; message: string; parents: number };

/**
 * Every commit in `base...head`, page by page (the pull request commits endpoint stops at 250;
 * compare pages on). 100 per page, so a pull request of N commits costs ceil(N / 100) reads.
 */
export async function commitsBetween({ octokit, owner, repo }: RepoClient, base: string, head: string): Promise<ComparedCommit[]> {
  const commits: ComparedCommit[] = [];
  for (let page = 1; ; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${base}...${head}`, per_page: 100, page });
    commits.push(...data.commits.map((c) => ({ sha: c.sha, message: c.commit.message, parents: c.parents.length })));
    if (data.commits.length < 100 || commits.length >= data.total_commits) return commits;
  }
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
