import type { RepoClient } from "../github/client.js";
import { listComments } from "../github/issues.js";
import { threadRecords } from "../github/own-comments.js";
import { ensureTrailIssue } from "../github/transfer-trails.js";
import { writeRecord } from "../github/write-record.js";
import { unreadRecordText, unreadTrailText, unreadTrailTitle } from "../policy/transfer-trail.js";
import type { Deps } from "../delivery/deps.js";
import type { Transfer } from "./keep-exception-deploys.js";

/** The issue keeping the record here, and whether the record was written now (a redelivery finds it there). */
export type KeptUnreadRecord = { trail: number; opened: boolean; written: boolean };

/**
 * An issue left the repository and mainline could not see what it held (SPEC 8, 11): GitHub answers
 * its old address 404 when the new repository is one the app may not read (`read: "none"`), or it
 * held more comments than the app reads (`"part"`). It may have been an incident, or an issue
 * keeping one's deploys (labels are views: the app cannot know it was not), so its deploys may have
 * left the hotfix budget with it. The app says so in a record the budget reads: within
 * `hotfix.budget.days` of it, the budget counts as not verified.
 * 1. the issue that keeps the record here: the app's own, found by the `transfer` record heading its
 *    body (naming the moved issue's number), touched since `since` (the moved issue's last update,
 *    before which none was opened); or opened, no label
 * 2. its `unread-transfer` record, naming the old number, who moved it, where to and when; once:
 *    a redelivery finds it there and writes none
 */
export async function keepUnreadTransfer(client: RepoClient, deps: Deps, transfer: Transfer, read: "none" | "part", since: string): Promise<KeptUnreadRecord> {
  const scope = { repo: client.repoId, incident: transfer.moved };
  const text = unreadTrailText({ moved: transfer.moved, by: transfer.by, to: transfer.to, read });
  const record = { moved: transfer.moved, by: transfer.by, to: transfer.to.repository, at: transfer.at };
  const trail = await ensureTrailIssue(client, deps.records, await deps.botLogin(), since, transfer.moved, { title: unreadTrailTitle(transfer.moved), text, record });
  const held = trail.opened ? [] : threadRecords(await listComments(client, trail.issue.number), deps.records, scope).of("unread-transfer");
  if (held.length > 0) return { trail: trail.issue.number, opened: false, written: false };
  const fields = { by: transfer.by, to: transfer.to.repository, at: transfer.at, read };
  await writeRecord(client, deps.records.key, { incident: transfer.moved, on: trail.issue.number }, "unread-transfer", fields, unreadRecordText({ ...fields, moved: transfer.moved }));
  return { trail: trail.issue.number, opened: trail.opened, written: true };
}
