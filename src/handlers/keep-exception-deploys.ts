import type { CommentLike, RepoClient } from "../github/client.js";
import { listComments } from "../github/issues.js";
import { isOwnComment, threadRecords, type Found } from "../github/own-comments.js";
import { ensureTrailIssue } from "../github/transfer-trails.js";
import { writeRecord } from "../github/write-record.js";
import { exceptionDeployments } from "../policy/exceptions.js";
import { keptRecordText, transferTrailText, transferTrailTitle } from "../policy/transfer-trail.js";
import { readRecord } from "../records.js";
import type { Deps } from "./deps.js";

/** An issue that left the repository, as GitHub's `issues.transferred` webhook tells it. */
export type Transfer = {
  /** Its number here, which it no longer has. */
  moved: number;
  /** GitHub's sender. */
  by: string;
  to: { repository: string; number: number; url: string };
  at: string;
};

/** Per incident whose deploys the moved issue held: the issue keeping them here, and how many records were written into it now. */
export type KeptDeploys = { incident: number; trail: number; opened: boolean; written: number };

type DeployRecord = { kind: "deploy" | "deployed"; found: Found<"deploy"> };

/**
 * An issue holding exception deploys left the repository (SPEC 8, 11): its records went with it and
 * count nowhere now, but the hotfix budget must still count the deploys, or transferring an incident
 * would take its hotfixes out of the budget.
 * 1. the app's `deploy` and `deployed` records of this repository in the issue's comments, by
 *    incident: the incident's own, or those an issue kept after an earlier transfer (it may move too)
 * 2. none (an incident that never deployed under an exception): nothing is opened
 * 3. per incident, the issue that keeps them here: the app's own, found by the record heading its
 *    body, or opened (no `incident` label: it is none)
 * 4. each record it does not hold yet written there again: the same fields, signed, naming the same
 *    incident, one comment each (a record is a comment's first line); a redelivery writes none twice
 */
export async function keepExceptionDeploys(client: RepoClient, deps: Deps, transfer: Transfer, comments: readonly CommentLike[]): Promise<KeptDeploys[]> {
  const kept: KeptDeploys[] = [];
  for (const incident of deployIncidents(client, deps, comments)) {
    const records = deployRecords(comments, deps, { repo: client.repoId, incident });
    // Every record here was written before the transfer, and the trail after it.
    const since = records.map((r) => r.found.createdAt).sort().at(-1)!;
    const ofKind = (kind: DeployRecord["kind"]) => records.filter((r) => r.kind === kind).map((r) => r.found);
    const deploys = exceptionDeployments({ deploys: ofKind("deploy"), deployed: ofKind("deployed") });
    const text = transferTrailText({ incident, moved: transfer.moved, by: transfer.by, to: transfer.to, deploys });
    const record = { moved: transfer.moved, by: transfer.by, to: transfer.to.repository, at: transfer.at };
    const trail = await ensureTrailIssue(client, deps.records, await deps.botLogin(), since, incident, { title: transferTrailTitle(incident), text, record });
    const held = trail.opened ? [] : deployRecords(await listComments(client, trail.issue.number), deps, { repo: client.repoId, incident });
    const missing = records.filter((r) => !held.some((h) => h.kind === r.kind && h.found.deployment === r.found.deployment));
    for (const { kind, found } of missing) {
      const { commentId: _id, createdAt: _at, ...fields } = found;
      await writeRecord(client, deps.records.key, { incident, on: trail.issue.number }, kind, fields, keptRecordText(kind, fields, incident, transfer.moved));
    }
    kept.push({ incident, trail: trail.issue.number, opened: trail.opened, written: missing.length });
  }
  return kept;
}

/** The incidents the app's deploy records among these comments name, in this repository. */
function deployIncidents(client: RepoClient, deps: Deps, comments: readonly CommentLike[]): number[] {
  const incidents = comments.flatMap((c) => {
    const record = isOwnComment(c, deps.appId) ? readRecord(deps.records.key, c.body) : undefined;
    return record && record.repo === client.repoId && (record.kind === "deploy" || record.kind === "deployed") ? [record.incident] : [];
  });
  return [...new Set(incidents)];
}

/** One incident's deploy records among these comments, oldest first, each once. */
function deployRecords(comments: readonly CommentLike[], deps: Deps, scope: { repo: number; incident: number }): DeployRecord[] {
  const found = threadRecords(comments, deps.records, scope);
  const records: DeployRecord[] = [...found.of("deploy").map((r) => ({ kind: "deploy" as const, found: r })), ...found.of("deployed").map((r) => ({ kind: "deployed" as const, found: r }))];
  return records.sort((a, b) => a.found.at.localeCompare(b.found.at));
}
