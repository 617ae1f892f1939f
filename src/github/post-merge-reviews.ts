import { marker, readMarker } from "../markers.js";
import { postMergeReviewTitle } from "../policy/post-merge-review.js";
import { appBody } from "../policy/text.js";
import { looksLikeRecord, readRecord, recordBody, type RecordFields } from "../records.js";
import type { CommentLike, IssueLike, RepoClient } from "./client.js";
import { ensureOnce } from "./ensure-once.js";
import { createIssue, listOwnIssues, retireDuplicate } from "./issues.js";
import { isOwnIssue, threadRecords, type RecordReader } from "./own-comments.js";

export type ReviewRecord = RecordFields<"post-merge-review">;

/** How a review's record begins. */
const RECORD_START = "<!-- mainline:record kind=post-merge-review ";

/**
 * What heads a post-merge review issue's body: the app's signed record naming this repository and
 * this issue (`record`); a record of this app that names another place (a body copied from another
 * review, an issue transferred here): `elsewhere`; or one that no longer is as written (an edit of
 * the body voids it): `changed`. Undefined for a body that holds no review record.
 */
export function reviewRecordOf(key: string, repoId: number, issue: Pick<IssueLike, "number" | "body">): { record: ReviewRecord } | "elsewhere" | "changed" | undefined {
  const body = issue.body ?? "";
  if (!(looksLikeRecord(body) && body.startsWith(RECORD_START))) return undefined;
  const record = readRecord(key, body);
  if (record?.kind !== "post-merge-review") return "changed";
  return record.repo === repoId && record.incident === issue.number ? { record: record.fields as ReviewRecord } : "elsewhere";
}

/** How the app titles every review ("Post-merge review:"), whatever the head. */
const REVIEW_TITLE_START = postMergeReviewTitle("").replace("…", "").trim().toLowerCase();

/**
 * Whether this app opened the issue as a post-merge review, whatever became of its record since:
 * GitHub says the app opened it (nobody can change that), and it still shows any one of the views
 * the app gave it: a review record or marker in its body, the label, the title. A writer can change
 * each view, so one is enough: deleting the record line, or pasting another review's body over it,
 * must not end the review.
 */
export function isOwnReviewIssue(issue: Pick<IssueLike, "title" | "body" | "labels" | "performed_via_github_app">, appId: number, label: string): boolean {
  if (!isOwnIssue(issue, appId)) return false;
  const labelled = issue.labels.some((l) => (typeof l === "string" ? l : l.name)?.toLowerCase() === label.toLowerCase());
  return (
    labelled ||
    issue.title.trim().toLowerCase().startsWith(REVIEW_TITLE_START) ||
    (issue.body ?? "").includes(RECORD_START) ||
    readMarker(issue.body, "post-merge-review") !== undefined
  );
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

/** The review to find or open: its record (the push's head, who pushed, when), the text people read, its label. */
export type ReviewToOpen = { record: ReviewRecord; text: string; label: string };

/**
 * The push's review in this repository (`record.after` names the push): found, or opened. Found
 * among the issues the app created touched since `since` (no review of the push is older), never
 * by label: a triager can take the label off, and a redelivery must not open a second review then.
 * Else opened with the push's marker and looked for again: a concurrent delivery of the same push
 * may have opened one too, and the oldest counts (a newer one is retired). The record heads the
 * body of the one kept, once. `opened`: this call opened the one kept.
 */
export async function ensureReviewIssue(client: RepoClient, reader: RecordReader, botLogin: string, since: string | undefined, review: ReviewToOpen): Promise<{ issue: IssueLike; opened: boolean }> {
  const { after } = review.record;
  const { kept, made } = await ensureOnce<FoundReview>({
    create: async () => ({
      issue: await createIssue(client, { title: postMergeReviewTitle(after), body: appBody(review.text, marker("post-merge-review", { after })), labels: [review.label] }),
      recorded: false,
    }),
    findAll: () => reviewIssues(client, reader, botLogin, since, after),
    order: (found) => found.issue.number,
    retire: (duplicate, original) => retireDuplicate(client, duplicate.issue.number, original.issue.number),
  });
  if (!kept.recorded) await writeReviewRecord(client, reader.key, kept.issue.number, review.record, review.text);
  return { issue: kept.issue, opened: made };
}

/** A review issue, and whether its record heads its body yet. */
type FoundReview = { issue: IssueLike; recorded: boolean };

/**
 * The reviews this app opened for the push: its own issues (a body anyone could copy is not
 * enough) whose record names the push, or — opened by a delivery that failed before it wrote the
 * record — whose marker does.
 */
async function reviewIssues(client: RepoClient, reader: RecordReader, botLogin: string, since: string | undefined, after: string): Promise<FoundReview[]> {
  const issues = await listOwnIssues(client, botLogin, since);
  return issues
    .filter((issue) => isOwnIssue(issue, reader.appId))
    .flatMap((issue): FoundReview[] => {
      const held = reviewRecordOf(reader.key, client.repoId, issue);
      if (typeof held === "object") return held.record.after === after ? [{ issue, recorded: true }] : [];
      // An edited record names no push any more: a new review opens rather than one nobody can finish.
      if (held) return [];
      return readMarker(issue.body, "post-merge-review")?.after === after ? [{ issue, recorded: false }] : [];
    });
}
