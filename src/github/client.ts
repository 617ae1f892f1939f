import type { ProbotOctokit } from "probot";

export type Octokit = InstanceType<typeof ProbotOctokit>;

/**
 * Everything an adapter needs to speak about one repository, for one delivery (whose client
 * reads each thing once: delivery-reads.ts).
 */
export type RepoClient = { octokit: Octokit; owner: string; repo: string; repoId: number };

export type IssueLike = {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  labels: Array<string | { name?: string }>;
  created_at: string;
  closed_at: string | null;
  html_url: string;
  assignees?: Array<{ login: string }> | null;
  /** How many comments the issue has, as GitHub lists it. */
  comments?: number;
  pull_request?: unknown;
  /** The app that opened it, when one did. */
  performed_via_github_app?: { id: number } | null;
};


export type CommentLike = {
  id: number;
  body?: string;
  created_at: string;
  updated_at: string;
  html_url: string;
  user: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
  /** GitHub's count of each reaction on it, as it lists the comment. */
  reactions?: { "+1"?: number };
};

export function labelNames(issue: Pick<IssueLike, "labels">): string[] {
  return issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
}

export function hasLabel(issue: Pick<IssueLike, "labels">, label: string): boolean {
  return labelNames(issue).some((name) => name.toLowerCase() === label.toLowerCase());
}
