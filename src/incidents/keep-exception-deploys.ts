import type { CommentLike, RepoClient } from "../github/client.js";
import { listComments } from "../github/issues.js";
import { isOwnComment, threadRecords, type Found } from "../github/own-comments.js";
import { ensureTrailIssue } from "../github/transfer-trails.js";
import { writeRecord } from "../github/write-record.js";
import { exceptionDeployments } from "../policy/exceptions.js";
import { keptRecordText, transferTrailText, transferTrailTitle, unreadRecordText, unreadTrailTitle, type Destination } from "../policy/transfer-trail.js";
import { readRecord } from "../records.js";
import type { Deps } from "../delivery/deps.js";

/** An issue that left the repository, as GitHub's `issues.transferred` webhook tells it. */
export type Transfer = {
  /** Its number here, which it no longer has. */
  moved: number;
  /** GitHub's sender. */
  by: string;
  to: Destination;
  at: string;
};

/** Per incident whose records the moved issue held: the issue keeping them here, and how many records were written into it now. */
export type KeptDeploys = { incident: number; trail: number; opened: boolean; written: number };

/** What the budget counts and a transfer would take along: deploys, and the records that an issue left unread (whose `incident` is that issue). */
type KeptRecord = { kind: "deploy" | "deployed"; found: Found<"deploy"> } | { kind: "unread-transfer"; found: Found<"unread-transfer"> };

const KEPT_KINDS: ReadonlySet<string> = new Set<KeptRecord["kind"]>(["deploy", "deployed", "unread-transfer"]);

/**
 * An issue holding exception deploys left the repository (SPEC 8, 11): its records went with it and
 * count nowhere now, but the hotfix budget must still count the deploys, or transferring an incident
 * would take its hotfixes out of the budget. Likewise the record that an issue left unread
 * (keep-unread-transfer.ts), which the issue kept for it holds: moving that one away must not end it.
 * 1. the app's `deploy`, `deployed` and `unread-transfer` records of this repository in the issue's
 *    comments, by incident: the incident's own, or those an issue kept after an earlier transfer (it may move too)
 * 2. none (an incident that never deployed under an exception): nothing is opened
 * 3. per incident, the issue that keeps them here: the app's own, found by the record heading its
 *    body, or opened (no `incident` label: it is none)
 * 4. each record it does not hold yet written there again: the same fields, signed, naming the same
 *    incident, one comment each (a record is a comment's first line); a redelivery writes none twice
 */
export async function keepExceptionDeploys(client: RepoClient, deps: Deps, transfer: Transfer, comments: readonly CommentLike[]): Promise<KeptDeploys[]> {
  const kept: KeptDeploys[] = [];
  for (const incident of keptIncidents(client, deps, comments)) {
    const records = keptRecords(comments, deps, { repo: client.repoId, incident });
    // Every record here was written before the transfer, and the trail after it.
    const since = records.map((r) => r.found.createdAt).sort().at(-1)!;
    const deploys = exceptionDeployments({ deploys: deploysOf(records, "deploy"), deployed: deploysOf(records, "deployed") });
    const unread = records.flatMap((r) => (r.kind === "unread-transfer" ? [{ ...r.found, moved: incident }] : []));
    const text = transferTrailText({ incident, moved: transfer.moved, by: transfer.by, to: transfer.to, deploys, unread });
    const title = deploys.length > 0 ? transferTrailTitle(incident) : unreadTrailTitle(incident);
    const record = { moved: transfer.moved, by: transfer.by, to: transfer.to.repository, at: transfer.at };
    const trail = await ensureTrailIssue(client, deps.records, await deps.botLogin(), since, incident, { title, text, record });
    const held = trail.opened ? [] : keptRecords(await listComments(client, trail.issue.number), deps, { repo: client.repoId, incident });
    const missing = records.filter((r) => !held.some((h) => sameRecord(h, r)));
    for (const copy of missing) await writeAgain(client, deps, { incident, on: trail.issue.number }, copy, transfer.moved);
    kept.push({ incident, trail: trail.issue.number, opened: trail.opened, written: missing.length });
  }
  return kept;
}

async function writeAgain(client: RepoClient, deps: Deps, where: { incident: number; on: number }, kept: KeptRecord, moved: number): Promise<void> {
  if (kept.kind === "unread-transfer") {
    const { commentId: _id, createdAt: _at, ...fields } = kept.found;
    await writeRecord(client, deps.records.key, where, kept.kind, fields, unreadRecordText({ ...fields, moved: where.incident }, moved));
    return;
  }
  const { commentId: _id, createdAt: _at, ...fields } = kept.found;
  await writeRecord(client, deps.records.key, where, kept.kind, fields, keptRecordText(kept.kind, fields, where.incident, moved));
}

/** The same record: a deploy by its deployment, an unread transfer by when it was heard of. */
function sameRecord(a: KeptRecord, b: KeptRecord): boolean {
  if (a.kind === "unread-transfer" || b.kind === "unread-transfer") return a.kind === b.kind && a.found.at === b.found.at;
  return a.kind === b.kind && a.found.deployment === b.found.deployment;
}

/** The incidents the app's kept kinds of records among these comments name, in this repository. */
function keptIncidents(client: RepoClient, deps: Deps, comments: readonly CommentLike[]): number[] {
  const incidents = comments.flatMap((c) => {
    const record = isOwnComment(c, deps.appId) ? readRecord(deps.records.key, c.body) : undefined;
    return record && record.repo === client.repoId && KEPT_KINDS.has(record.kind) ? [record.incident] : [];
  });
  return [...new Set(incidents)];
}

/** One incident's kept records among these comments, oldest first, each once. */
function keptRecords(comments: readonly CommentLike[], deps: Deps, scope: { repo: number; incident: number }): KeptRecord[] {
  const found = threadRecords(comments, deps.records, scope);
  const records: KeptRecord[] = [
    ...found.of("deploy").map((r) => ({ kind: "deploy" as const, found: r })),
    ...found.of("deployed").map((r) => ({ kind: "deployed" as const, found: r })),
    ...found.of("unread-transfer").map((r) => ({ kind: "unread-transfer" as const, found: r })),
  ];
  return records.sort((a, b) => a.found.at.localeCompare(b.found.at));
}

function deploysOf(records: readonly KeptRecord[], kind: "deploy" | "deployed"): Array<Found<"deploy">> {
  return records.flatMap((r) => (r.kind === kind ? [r.found] : []));
}
