import type { Context } from "probot";
import type { CommentLike, IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { getIssue, getIssueHere, listComments } from "../github/issues.js";
import { readRecord } from "../records.js";
import type { AppDeps } from "../delivery/deps.js";
import { setSuspension } from "../incidents/incident-runs.js";
import { gateClosedIncident } from "../incidents/close-gate.js";
import { rewriteLedger } from "../incidents/refresh-ledger.js";
import { noticeTamper, writeRecordBack, type Tamper } from "../incidents/undo-tamper.js";
import { repoContext } from "../delivery/repo-context.js";

type Changed = Context<"issue_comment.edited" | "issue_comment.deleted">;

/**
 * `issue_comment.edited` / `.deleted` of one of this app's comments by anyone else: tampering,
 * undone (SPEC section 8). GitHub announces both with the old body.
 * 1. what was there: the old body (a record whose signature holds names its incident); a record whose
 *    incident left the repository is a kept copy: written back and said where it stands, nothing more
 * 2. the incident's exceptions are suspended while the record is not back
 * 3. a record (its signature proves it) is written back: an edit reverted in place, a deletion
 *    posted again; the ledger is rebuilt; other comments are not restored (nothing proves what they were)
 * 4. the incident says who changed what (once per change)
 * 5. the suspension is lifted once no record is changed; an incident closed meanwhile goes through the close gate again
 */
export function onCommentChanged(deps: AppDeps) {
  return async (context: Changed): Promise<void> => {
    const { comment, issue, sender } = context.payload;
    const own = comment as unknown as CommentLike;
    if (own.performed_via_github_app?.id !== deps.appId || sender.login === (await deps.botLogin())) return;
    const before = context.payload.action === "edited" ? context.payload.changes.body?.from : comment.body;
    if (before === undefined) return;
    const repo = await repoContext(context, deps);
    const record = readRecord(deps.records.key, before);
    const change: Tamper = { comment: own, action: context.payload.action, who: sender.login, wasRecord: record !== undefined };
    const incidentNumber = record && record.repo === repo.client.repoId ? record.incident : issue.number;
    const incident = incidentNumber === issue.number ? (issue as IssueLike) : await getIssueHere(repo.client, incidentNumber);
    if (!incident) {
      // The record's incident left the repository; this is the copy kept here (keep-exception-deploys.ts): it is written back, said where it stands.
      if (record) await writeRecordBack(repo, change.action, own, issue.number, before, undefined);
      await noticeTamper(repo, issue.number, change, await listComments(repo.client, issue.number), deps);
      return;
    }
    const thread = await readIncidentThread(repo.client, incident, deps.records);
    const shas = new Set([...thread.records.exceptions.map((grant) => grant.sha), ...(record && "sha" in record.fields ? [record.fields.sha] : [])]);
    await setSuspension(repo, shas, incident.number, sender.login, deps);
    // Only a record proves it is what the app wrote (its signature); anything else may be an earlier
    // change by someone else (the `before` of a second edit) and is never posted in the app's name.
    if (record) await writeRecordBack(repo, change.action, own, issue.number, before, issue.number === incident.number ? thread.comments : undefined);
    await noticeTamper(repo, incident.number, change, thread.comments, deps);
    // Lifted only once nothing of the incident's is changed any more (another record may still wait for its own event).
    const after = await readIncidentThread(repo.client, incident, deps.records);
    if (after.tampered.length === 0) await setSuspension(repo, shas, incident.number, "", deps);
    const now = await getIssue(repo.client, incident.number);
    const mayBeIncident = after.isIncident || after.tampered.length > 0;
    if (now.state === "closed" && mayBeIncident) await gateClosedIncident(repo, now, deps);
    else if (after.isIncident) await rewriteLedger(repo, now, deps);
  };
}
