import { readRecord, recordBody, type RecordFields } from "../records.js";
import type { IssueLike, RepoClient } from "./client.js";
import { ensureOnce } from "./ensure-once.js";
import { createIssue, listOwnIssues, retireDuplicate } from "./issues.js";
import { isOwnIssue, type RecordReader } from "./own-comments.js";

/** How a trail's record begins. */
const RECORD_START = "<!-- mainline:record kind=transfer ";

/**
 * The incident whose exception deploys an issue keeps here after a transfer: named by the signed
 * `transfer` record heading the body of an issue this app opened, for this repository. Undefined
 * for any other issue, and for a trail whose body someone edited (the signature fails).
 */
function trailIncidentOf(reader: RecordReader, repoId: number, issue: Pick<IssueLike, "body" | "performed_via_github_app">): number | undefined {
  const body = issue.body ?? "";
  if (!isOwnIssue(issue, reader.appId) || !body.startsWith(RECORD_START)) return undefined;
  const record = readRecord(reader.key, body);
  return record?.kind === "transfer" && record.repo === repoId ? record.incident : undefined;
}

/**
 * The issue keeping `incident`'s exception deploys here: as the post-merge reviews are found, among
 * the issues the app created (touched since `since`, before which none was opened), by the record
 * heading the body, never by title or label; the oldest. Or opened, with that record, and looked
 * for again: a concurrent delivery of the same transfer may have opened one too, and the oldest
 * counts (a newer one is retired before any record is written into it).
 */
export async function ensureTrailIssue(
  client: RepoClient,
  reader: RecordReader,
  botLogin: string,
  since: string,
  incident: number,
  issue: { title: string; text: string; record: RecordFields<"transfer"> },
): Promise<{ issue: IssueLike; opened: boolean }> {
  const { kept, made } = await ensureOnce({
    create: () => createIssue(client, { title: issue.title, body: recordBody(reader.key, "transfer", { repo: client.repoId, incident }, issue.record, issue.text), labels: [] }),
    findAll: () => trailIssues(client, reader, botLogin, since, incident),
    order: (trail) => trail.number,
    retire: (duplicate, original) => retireDuplicate(client, duplicate.number, original.number),
  });
  return { issue: kept, opened: made };
}

async function trailIssues(client: RepoClient, reader: RecordReader, botLogin: string, since: string, incident: number): Promise<IssueLike[]> {
  const issues = await listOwnIssues(client, botLogin, since);
  return issues.filter((issue) => trailIncidentOf(reader, client.repoId, issue) === incident);
}
