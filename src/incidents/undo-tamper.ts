import { isApiError } from "../github/api-error.js";
import type { CommentLike } from "../github/client.js";
import { createComment, listComments, updateComment } from "../github/issues.js";
import { findOwnComment } from "../github/own-comments.js";
import { marker } from "../markers.js";
import { appBody, quietLogin } from "../policy/text.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoScope } from "../delivery/repo-context.js";

/** A change of one of the app's comments by someone else: the comment, edited or deleted, by whom, and whether it was a record. */
export type Tamper = { comment: CommentLike; action: "edited" | "deleted"; who: string; wasRecord: boolean };

/**
 * A record's old body back where it was (SPEC section 8): edited in place, or posted again on
 * issue `on` when the comment is gone (the same signed body is the same record). `known`: the
 * thread's comments when already read.
 */
export async function writeRecordBack(repo: RepoScope, action: Tamper["action"], comment: CommentLike, on: number, before: string, known: readonly CommentLike[] | undefined): Promise<void> {
  if (action === "edited") {
    try {
      await updateComment(repo.client, comment.id, before);
      return;
    } catch (error) {
      if (!(isApiError(error) && error.status === 404)) throw error;
    }
  }
  const comments = known ?? (await listComments(repo.client, on));
  if (comments.some((c) => c.body === before)) return;
  await createComment(repo.client, on, before);
}

/** The incident says who changed which of the app's comments: once per change (its marker names the comment and when). */
export async function noticeTamper(repo: RepoScope, incident: number, { comment, action, who, wasRecord }: Tamper, comments: readonly CommentLike[], deps: Deps): Promise<void> {
  const at = action === "deleted" ? "deleted" : comment.updated_at;
  if (findOwnComment(comments, deps.appId, "tamper-notice", (m) => m.comment === comment.id && m.at === at)) return;
  const text =
    `⚠️ ${quietLogin(who)} ${action} one of mainline's comments ([this one](${comment.html_url})). mainline's comments are this incident's audit trail: ` +
    (wasRecord
      ? "it wrote the record back. While a record is changed, the incident cannot close and none of its exceptions is in force."
      : "it was not a record, so nothing it decides changed (the ledger is rebuilt from the records).");
  await createComment(repo.client, incident, appBody(text, marker("tamper-notice", { comment: comment.id, at })));
}
