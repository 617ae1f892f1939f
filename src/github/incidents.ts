import { readMarker, type MarkerFields } from "../markers.js";
import type { IncidentRecords } from "../policy/exceptions.js";
import { isApiError } from "./api-error.js";
import type { CommentLike, IssueLike, RepoClient } from "./client.js";
import { getIssueHere, listComments, listIssuesWithLabel } from "./issues.js";
import { findOwnComment, threadRecords, type Found, type RecordReader } from "./own-comments.js";

export type IncidentThread = {
  comments: CommentLike[];
  /** Whether the whole thread was read (a bound stops a very long one: then nothing can be verified). */
  complete: boolean;
  /** The app recorded that this issue became an incident: labels say nothing either way. */
  isIncident: boolean;
  incidentRecord?: Found<"incident">;
  records: IncidentRecords;
  /** The RCA issue the records name: the latest replacement, else the one opened with the incident. */
  rca?: { issue: number };
  mergeBacks: Array<Found<"merge-back">>;
  ledger?: CommentLike;
  /** The latest force-close (its signed time is when it was recorded). */
  forceClose?: Found<"force-close">;
  /** `/incident rollback` deployments, one per command line. */
  rollbacks: Array<Found<"rollback">>;
  /** This app's record comments someone changed: until restored, the incident cannot close. */
  tampered: CommentLike[];
};

/** How many comments of a thread are read at most: past it, the app says it could not verify. */
export const THREAD_COMMENT_LIMIT = 3_000;

/** One page-through of an incident's comments gives its records, its ledger and its replies. */
export async function readIncidentThread(client: RepoClient, incident: Pick<IssueLike, "number">, reader: RecordReader): Promise<IncidentThread> {
  const comments = await listComments(client, incident.number, THREAD_COMMENT_LIMIT + 1);
  return threadOf(client.repoId, incident.number, comments.slice(0, THREAD_COMMENT_LIMIT), reader, comments.length <= THREAD_COMMENT_LIMIT);
}

/** A moved issue's thread, through its old address; undefined when GitHub shows it to the app no more (404, 410, a redirect not followed). */
export async function readMovedThread(client: RepoClient, issue: Pick<IssueLike, "number">, reader: RecordReader): Promise<IncidentThread | undefined> {
  try {
    return await readIncidentThread(client, issue, reader);
  } catch (error) {
    if (isApiError(error) && [301, 404, 410].includes(error.status)) return undefined;
    throw error;
  }
}

export function threadOf(repoId: number, incident: number, comments: CommentLike[], reader: RecordReader, complete = true): IncidentThread {
  const found = threadRecords(comments, reader, { repo: repoId, incident });
  const incidentRecord = found.of("incident")[0];
  const replaced = found.of("rca").at(-1);
  const rca = replaced ? { issue: replaced.issue } : incidentRecord ? { issue: incidentRecord.rca } : undefined;
  const forceClose = found.of("force-close").sort((a, b) => a.at.localeCompare(b.at)).at(-1);
  const seenItems = new Set<string>();
  return {
    comments,
    complete,
    isIncident: incidentRecord !== undefined,
    ...(incidentRecord ? { incidentRecord } : {}),
    records: {
      incident,
      exceptions: found.of("exception"),
      approvals: found.of("approval"),
      revokes: found.of("revoke"),
      deploys: found.of("deploy"),
      deployed: found.of("deployed"),
    },
    ...(rca ? { rca } : {}),
    // An item is recorded on its own or with the deploy that made it; one per commit (a second record for S names the same work).
    // A deploy of a commit on main (its promotion waived) names no item: there is nothing to merge back.
    mergeBacks: [
      ...found.of("merge-back"),
      ...[...found.of("deploy"), ...found.of("deployed")].flatMap((d) => (d.issue === undefined ? [] : [{ sha: d.sha, issue: d.issue, at: d.at, commentId: d.commentId, createdAt: d.createdAt }])),
    ]
      .sort((a, b) => a.at.localeCompare(b.at))
      .filter((item) => !seenItems.has(item.sha) && seenItems.add(item.sha)),
    ...(forceClose ? { forceClose } : {}),
    rollbacks: found.of("rollback"),
    ledger: findOwnComment(comments, reader.appId, "ledger", (m) => m.incident === incident),
    tampered: found.tampered,
  };
}

/** How many incidents a view across incidents (cascade, report) reads, newest first: each costs a thread read. */
export const SPANNED_INCIDENT_LIMIT = 30;

/**
 * Incidents with their threads, found by label (a view people can change: used only for what
 * spans incidents — the cascade window, the report, announcements — never to decide a gate or
 * a close): the open ones (`since` omitted), or all touched since a moment.
 */
export async function readIncidents(
  client: RepoClient,
  label: string,
  reader: RecordReader,
  since?: string,
): Promise<Array<{ issue: IssueLike; thread: IncidentThread }>> {
  const issues = await listIssuesWithLabel(client, label, since ? { state: "all", since } : { state: "open" }, SPANNED_INCIDENT_LIMIT);
  const read = await Promise.all(issues.map(async (issue) => ({ issue, thread: await readIncidentThread(client, issue, reader) })));
  return read.filter(({ thread }) => thread.isIncident);
}

/** The incident's RCA issue, by the number its record names; undefined when it is gone from this repository. */
export async function recordedRcaIssue(client: RepoClient, thread: IncidentThread): Promise<IssueLike | undefined> {
  return thread.rca ? getIssueHere(client, thread.rca.issue) : undefined;
}

export type MergeBackIssue = IssueLike & { mergeBack: MarkerFields<"merge-back"> };

/**
 * Merge-back issues as people see them (label and body marker: views): how a push finds the
 * items worth re-checking. What an incident's items are is read from its records, never here.
 */
export async function findMergeBackIssues(
  client: RepoClient,
  mergeBackLabel: string,
  options: { state: "open" | "closed" | "all"; incident?: number; since?: string },
): Promise<MergeBackIssue[]> {
  const issues = await listIssuesWithLabel(client, mergeBackLabel, { state: options.state, ...(options.since ? { since: options.since } : {}) });
  return issues
    .map((issue) => ({ ...issue, mergeBack: readMarker(issue.body, "merge-back") }))
    .filter((issue): issue is MergeBackIssue => issue.mergeBack !== undefined)
    .filter((issue) => options.incident === undefined || issue.mergeBack.incident === options.incident)
    .sort(oldestFirst);
}

function oldestFirst(a: IssueLike, b: IssueLike): number {
  return a.created_at.localeCompare(b.created_at) || a.number - b.number;
}
