import type { Context } from "probot";
import { isApiError } from "../github/api-error.js";
import type { CommentLike, IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { createComment, getIssue, listComments, updateComment } from "../github/issues.js";
import { findOwnComment } from "../github/own-comments.js";
import { marker, readMarker } from "../markers.js";
import { appBody, quietLogin } from "../policy/text.js";
import { looksLikeRecord, readRecord } from "../records.js";
import type { Deps } from "./deps.js";
import { setSuspension } from "./suspend-exceptions.js";
import { gateClosedIncident } from "./close-gate.js";
import { rewriteLedger } from "./refresh-ledger.js";
import { repoContext, type RepoContext } from "./repo-context.js";

type Changed = Context<"issue_comment.edited" | "issue_comment.deleted">;

/**
 * `issue_comment.edited` / `.deleted` of one of this app's comments by anyone else: tampering,
 * undone (SPEC section 8). GitHub announces both with the old body.
 * 1. what was there: the old body (a record whose signature holds names its incident)
 * 2. the incident's exceptions are suspended while the record is not back
 * 3. the old body is written back: an edit is reverted in place, a deletion posted again
 * 4. the incident says who changed what (once per change)
 * 5. the suspension is lifted; an incident closed meanwhile goes through the close gate again
 */
export function onCommentChanged(deps: Deps) {
  return async (context: Changed): Promise<void> => {
    const { comment, issue, sender } = context.payload;
    const own = comment as unknown as CommentLike;
    if (own.performed_via_github_app?.id !== deps.appId || sender.login === (await deps.botLogin())) return;
    const before = context.payload.action === "edited" ? context.payload.changes.body?.from : comment.body;
    // A body that claims to be a record but fails the check was tampered with before: what it held was restored then.
    if (before === undefined || (looksLikeRecord(before) && !readRecord(deps.records.key, before))) return;
    const repo = await repoContext(context);
    const record = readRecord(deps.records.key, before);
    const incidentNumber = record && record.repo === repo.client.repoId ? record.incident : issue.number;
    const incident = incidentNumber === issue.number ? (issue as IssueLike) : await getIssue(repo.client, incidentNumber);
    const thread = await readIncidentThread(repo.client, incident, deps.records);
    const shas = new Set([...thread.records.exceptions.map((grant) => grant.sha), ...(record && "sha" in record.fields ? [record.fields.sha] : [])]);
    await setSuspension(repo.client, shas, incident.number, sender.login, deps);
    await writeBack(repo, context.payload.action, own, issue.number, before, issue.number === incident.number ? thread.comments : undefined);
    await notice(repo, incident.number, own, context.payload.action, sender.login, thread.comments, deps);
    await setSuspension(repo.client, shas, incident.number, "", deps);
    const now = await getIssue(repo.client, incident.number);
    if (now.state === "closed" && thread.isIncident) await gateClosedIncident(repo, now, deps);
    else if (thread.isIncident) await rewriteLedger(repo.client, repo.config, repo.mainBranch, now, deps);
  };
}

/** The old body back where it was: edited in place, or posted again when the comment is gone (the same signed body is the same record). */
async function writeBack(repo: RepoContext, action: "edited" | "deleted", comment: CommentLike, on: number, before: string, known: readonly CommentLike[] | undefined): Promise<void> {
  // The ledger is rebuilt from the records at the end, never restored from an old copy.
  if (readMarker(before, "ledger")) return;
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

async function notice(repo: RepoContext, incident: number, comment: CommentLike, action: "edited" | "deleted", who: string, comments: readonly CommentLike[], deps: Deps): Promise<void> {
  const at = action === "deleted" ? "deleted" : comment.updated_at;
  if (findOwnComment(comments, deps.appId, "tamper-notice", (m) => m.comment === comment.id && m.at === at)) return;
  const text =
    `⚠️ ${quietLogin(who)} ${action} one of mainline's comments ([this one](${comment.html_url})). mainline's comments are this incident's audit trail: ` +
    `it wrote the original back. While a record is changed, the incident cannot close and none of its exceptions is in force.`;
  await createComment(repo.client, incident, appBody(text, marker("tamper-notice", { comment: comment.id, at })));
}

