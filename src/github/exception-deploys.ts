import { exceptionDeployments } from "../policy/exceptions.js";
import type { GrantRecords, RecentExceptionDeploys } from "../policy/hotfix-discipline.js";
import type { UnreadTransfer } from "../policy/transfer-trail.js";
import type { ReportFacts } from "../policy/report.js";
import type { AppRecord } from "../records.js";
import { describeApiError, isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";
import type { RecordReader } from "./own-comments.js";
import { readRecordsSince, recordsOf } from "./records-since.js";

/** How many pages of 100 of the repository's comments the budget reads at most (one request each). */
const BUDGET_COMMENT_PAGES = 5;

/**
 * What the hotfix budget (SPEC 11) counts since `since`, from the app's signed records wherever they
 * stand: the repository's comments written since, newest first. The deploys under exceptions
 * (`deploy` and `deployed`); the grants (`exception`) with their `revoke` and `deploy` records, a
 * grant not used yet being a deploy to come; the issues that left where the app could not read them
 * (`unread-transfer`). No label is asked (a triager can take `incident` off an issue, and its deploys
 * would drop out of the count). Not complete when the window holds more comments than
 * BUDGET_COMMENT_PAGES pages; not read when a comment of the app's there was changed by someone
 * (it may have been one of these records). Either way the budget counts as not verified.
 * Read afresh for each grant: a grant on an earlier line of the same comment, written just before,
 * is among them.
 */
export async function readRecentExceptionDeploys(client: RepoClient, reader: RecordReader, since: string): Promise<RecentExceptionDeploys> {
  try {
    const { records, changed, complete } = await readRecordsSince(client, reader, since, BUDGET_COMMENT_PAGES);
    if (changed.length > 0) return { error: "someone changed one of mainline's comments in that time" };
    return { deploys: exceptionDeploysIn(records), grants: grantRecordsIn(records), unread: unreadTransfersIn(records), complete };
  } catch (error) {
    if (isApiError(error)) return { error: describeApiError(error) };
    throw error;
  }
}

/** The deploys under exceptions that `deploy` and `deployed` records tell, each deployment of an incident once. */
export function exceptionDeploysIn(records: readonly AppRecord[]): ReportFacts["exceptionDeploys"] {
  const deploys = recordsOf(records, "deploy");
  const deployed = recordsOf(records, "deployed");
  const incidents = new Set([...deploys, ...deployed].map((r) => r.incident));
  return [...incidents].flatMap((incident) =>
    exceptionDeployments({ deploys: fieldsOf(deploys, incident), deployed: fieldsOf(deployed, incident) }).map((d) => ({
      incident,
      sha: d.sha,
      deployedAt: d.at,
      ...(d.skipped ? { skipped: d.skipped } : {}),
    })),
  );
}

function grantRecordsIn(records: readonly AppRecord[]): GrantRecords {
  return {
    grants: recordsOf(records, "exception").map(({ incident, fields }) => ({ incident, sha: fields.sha, env: fields.env, at: fields.at, expires: fields.expires })),
    revokes: recordsOf(records, "revoke").map(({ incident, fields }) => ({ incident, sha: fields.sha, at: fields.at })),
    deploys: recordsOf(records, "deploy").map(({ incident, fields }) => ({ incident, sha: fields.sha, env: fields.env, at: fields.at })),
  };
}

function unreadTransfersIn(records: readonly AppRecord[]): UnreadTransfer[] {
  return recordsOf(records, "unread-transfer").map(({ incident, fields }) => ({ moved: incident, by: fields.by, to: fields.to, at: fields.at, read: fields.read }));
}

function fieldsOf<K extends "deploy" | "deployed">(records: ReadonlyArray<AppRecord<K>>, incident: number): Array<AppRecord<K>["fields"]> {
  return records.filter((r) => r.incident === incident).map((r) => r.fields);
}
