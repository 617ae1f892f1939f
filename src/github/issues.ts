import { isApiError } from "./api-error.js";
import { DONE_REACTION } from "../public-names.js";
import type { CommentLike, IssueLike, RepoClient } from "./client.js";

/** How many labelled issues one listing reads at most: labels are views anyone with triage (or an issue template) can add. */
export const LABELLED_ISSUE_LIMIT = 300;

/** Issues (not pull requests) with a label, newest first, at most `limit`. */
export async function listIssuesWithLabel(
  { octokit, owner, repo }: RepoClient,
  label: string,
  options: { state: "open" | "closed" | "all"; since?: string },
  limit = LABELLED_ISSUE_LIMIT,
): Promise<IssueLike[]> {
  const issues: IssueLike[] = [];
  for await (const { data } of octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues", {
    owner,
    repo,
    labels: label,
    state: options.state,
    per_page: 100,
    ...(options.since ? { since: options.since } : {}),
  })) {
    issues.push(...(data as IssueLike[]).filter((issue) => !issue.pull_request));
    if (issues.length >= limit) break;
  }
  return issues.slice(0, limit);
}

/** How many of the app's own issues one listing reads at most (100 a request). */
export const OWN_ISSUE_LIMIT = 300;

/**
 * Issues (not pull requests) `creator` opened, touched since `since` when given, newest first, at
 * most `limit`. By creator, which no one can change: how the app finds issues of its own whose
 * label a triager may have taken off.
 */
export async function listOwnIssues({ octokit, owner, repo }: RepoClient, creator: string, since: string | undefined, limit = OWN_ISSUE_LIMIT): Promise<IssueLike[]> {
  const issues: IssueLike[] = [];
  for await (const { data } of octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues", { owner, repo, creator, state: "all", ...(since ? { since } : {}), per_page: 100 })) {
    issues.push(...(data as IssueLike[]).filter((issue) => !issue.pull_request));
    if (issues.length >= limit) break;
  }
  return issues.slice(0, limit);
}

export async function getIssue({ octokit, owner, repo }: RepoClient, number: number): Promise<IssueLike> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: number });
  return data as IssueLike;
}

/**
 * The issue with this number in this repository, or undefined when it is not here any more:
 * deleted (404, 410) or transferred (GitHub redirects to the issue in its new repository, which
 * takes no record, item or exception along).
 */
export async function getIssueHere(client: RepoClient, number: number): Promise<IssueLike | undefined> {
  try {
    const issue = await getIssue(client, number);
    return isInRepository(issue, client) ? issue : undefined;
  } catch (error) {
    if (isApiError(error) && [301, 404, 410].includes(error.status)) return undefined;
    throw error;
  }
}

function isInRepository(issue: IssueLike, { owner, repo }: RepoClient): boolean {
  const url = (issue as { repository_url?: string }).repository_url;
  return url === undefined || url.toLowerCase().endsWith(`/repos/${owner}/${repo}`.toLowerCase());
}

/**
 * Opens an issue. Assignees are a courtesy: when GitHub refuses one (422, e.g. someone who lost
 * access since being assigned to the incident), the issue is opened without them rather than not at all.
 */
export async function createIssue(
  { octokit, owner, repo }: RepoClient,
  issue: { title: string; body: string; labels: string[]; assignees?: string[] },
): Promise<IssueLike> {
  try {
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", { owner, repo, ...issue });
    return data as IssueLike;
  } catch (error) {
    if (!(isApiError(error) && error.status === 422 && issue.assignees?.length)) throw error;
    const { assignees: _refused, ...withoutAssignees } = issue;
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", { owner, repo, ...withoutAssignees });
    return data as IssueLike;
  }
}

export async function setIssueState(
  { octokit, owner, repo }: RepoClient,
  number: number,
  state: "open" | "closed",
  stateReason?: "completed" | "not_planned" | "reopened",
): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    owner,
    repo,
    issue_number: number,
    state,
    ...(stateReason ? { state_reason: stateReason } : {}),
  });
}

export async function updateIssueTitle({ octokit, owner, repo }: RepoClient, number: number, title: string): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: number, title });
}

export async function addLabels({ octokit, owner, repo }: RepoClient, number: number, labels: string[]): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner, repo, issue_number: number, labels });
}

/**
 * Comments of an issue, oldest first, paging until `limit` (a record can be anywhere; a thread
 * is as long as its readers make it, so one delivery's reads stop somewhere).
 */
export async function listComments({ octokit, owner, repo }: RepoClient, number: number, limit = 3_000): Promise<CommentLike[]> {
  const comments: CommentLike[] = [];
  for await (const { data } of octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: number, per_page: 100 })) {
    comments.push(...(data as CommentLike[]));
    if (comments.length >= limit) break;
  }
  return comments;
}

/**
 * Comments on an issue. A lock never silences a record (SPEC section 8): when GitHub refuses
 * because the issue is locked, the app unlocks it, writes, and locks it again with its reason.
 */
export async function createComment(client: RepoClient, number: number, body: string): Promise<CommentLike> {
  const { octokit, owner, repo } = client;
  const post = async () =>
    (await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: number, body })).data as CommentLike;
  try {
    return await post();
  } catch (error) {
    if (!(isApiError(error) && error.status === 403)) throw error;
    const issue = (await getIssue(client, number)) as IssueLike & { locked?: boolean; active_lock_reason?: string | null };
    if (!issue.locked) throw error;
    await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/lock", { owner, repo, issue_number: number });
    try {
      return await post();
    } finally {
      const reason = issue.active_lock_reason;
      await octokit.request("PUT /repos/{owner}/{repo}/issues/{issue_number}/lock", {
        owner,
        repo,
        issue_number: number,
        ...(reason === "off-topic" || reason === "too heated" || reason === "resolved" || reason === "spam" ? { lock_reason: reason } : {}),
      });
    }
  }
}

export async function updateComment({ octokit, owner, repo }: RepoClient, commentId: number, body: string): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { owner, repo, comment_id: commentId, body });
}

/** 👍 on a command comment. GitHub answers 200 with the existing reaction when it is already there. */
export async function reactDone({ octokit, owner, repo }: RepoClient, commentId: number): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { owner, repo, comment_id: commentId, content: DONE_REACTION });
}

/** Whether `login` already put 👍 on the comment: how a handled command comment is recognised. */
export async function hasReactedDone({ octokit, owner, repo }: RepoClient, commentId: number, login: string): Promise<boolean> {
  const reactions = await octokit.paginate("GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
    owner,
    repo,
    comment_id: commentId,
    content: DONE_REACTION,
    per_page: 100,
  });
  return reactions.some((reaction) => reaction.user?.login === login);
}

export async function deleteComment({ octokit, owner, repo }: RepoClient, commentId: number): Promise<void> {
  await octokit.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", { owner, repo, comment_id: commentId });
}

/**
 * Retires an issue that lost a creation race to `keep`: its markers are removed (so nothing
 * reads it back as a record) and it is closed as not planned, pointing at the one kept.
 */
export async function retireDuplicate({ octokit, owner, repo }: RepoClient, number: number, keep: number): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    owner,
    repo,
    issue_number: number,
    body: `Duplicate of #${keep}, opened twice by concurrent events; #${keep} is the one that counts.`,
    state: "closed",
    state_reason: "not_planned",
  });
}
