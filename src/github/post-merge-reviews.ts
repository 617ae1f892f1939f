import { looksLikeRecord, readRecord, recordBody, type RecordFields } from "../records.js";
import type { CommentLike, IssueLike, RepoClient } from "./client.js";
import { threadRecords, type RecordReader } from "./own-comments.js";

export type ReviewRecord = RecordFields<"post-merge-review">;

/**
 * What heads a post-merge review issue's body: the app's signed record naming this repository and
 * this issue (`record`); a record of this app that names another place (a body copied from another
 * review, an issue transferred here): `elsewhere`; or one that no longer is as written (an edit of
 * the body voids it): `changed`. Undefined for a body that holds no review record.
 */
export function reviewRecordOf(key: string, repoId: number, issue: Pick<IssueLike, "number" | "body">): { record: ReviewRecord } | "elsewhere" | "changed" | undefined {
  const body = issue.body ?? "";
  if (!(looksLikeRecord(body) && body.startsWith("<!-- mainline:record kind=post-merge-review "))) return undefined;
  const record = readRecord(key, body);
  if (record?.kind !== "post-merge-review") return "changed";
  return record.repo === repoId && record.incident === issue.number ? { record: record.fields as ReviewRecord } : "elsewhere";
}

/**
 * Whether the close the issue is in now was found to be a review (a person other than the pusher
 * with write role): its `post-merge-reviewed` record names that close. How a close is recorded once,
 * and what counts a review as done.
 */
export function closeRecordedDone(issue: Pick<IssueLike, "number" | "state" | "closed_at">, comments: readonly CommentLike[], reader: RecordReader, repoId: number): boolean {
  if (issue.state !== "closed" || !issue.closed_at) return false;
  return threadRecords(comments, reader, { repo: repoId, incident: issue.number })
    .of("post-merge-reviewed")
    .some((done) => done.closed === issue.closed_at);
}

/**
 * Puts the signed record at the head of the review issue's body, above `text` (the body people
 * read): one edit, which GitHub does not pace as it paces new issues and comments.
 */
export async function writeReviewRecord({ octokit, owner, repo, repoId }: RepoClient, key: string, number: number, fields: ReviewRecord, text: string): Promise<void> {
  const body = recordBody(key, "post-merge-review", { repo: repoId, incident: number }, fields, text);
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: number, body });
}
