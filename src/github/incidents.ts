import { readMarker, type MarkerFields } from "../markers.js";
import type { IncidentRecords } from "../policy/exceptions.js";
import type { CommentLike, IssueLike, RepoClient } from "./client.js";
import { listComments, listIssuesWithLabel } from "./issues.js";
import { findOwnComment, ownRecords } from "./own-comments.js";

export type IncidentThread = {
  comments: CommentLike[];
  records: IncidentRecords;
  ledger?: CommentLike;
  /** The latest force-close, with when GitHub recorded it (the app's clock may differ from GitHub's). */
  forceClose?: MarkerFields<"force-close"> & { recordedAt: string };
};

/** One page-through of an incident's comments gives its records, its ledger and its replies. */
export async function readIncidentThread(client: RepoClient, incident: IssueLike, appId: number): Promise<IncidentThread> {
  const comments = await listComments(client, incident.number);
  return threadOf(incident, comments, appId);
}

export function threadOf(incident: IssueLike, comments: CommentLike[], appId: number): IncidentThread {
  const forceCloses = comments.flatMap((c) => ownRecords([c], appId, "force-close").map((r) => ({ ...r, recordedAt: c.created_at })));
  return {
    comments,
    records: {
      incident: incident.number,
      open: incident.state === "open",
      exceptions: ownRecords(comments, appId, "exception"),
      approvals: ownRecords(comments, appId, "approval"),
      revokes: ownRecords(comments, appId, "revoke"),
      deploys: ownRecords(comments, appId, "deploy"),
      deployed: ownRecords(comments, appId, "deployed"),
    },
    ledger: findOwnComment(comments, appId, "ledger", (m) => m.incident === incident.number),
    ...(forceCloses.length > 0 ? { forceClose: forceCloses.at(-1)! } : {}),
  };
}

/**
 * Incidents with their threads: the open ones (`since` omitted), or all touched since a moment
 * (a grant or deploy record updates them).
 */
export async function readIncidents(
  client: RepoClient,
  label: string,
  appId: number,
  since?: string,
): Promise<Array<{ issue: IssueLike; thread: IncidentThread }>> {
  const issues = await listIssuesWithLabel(client, label, since ? { state: "all", since } : { state: "open" });
  return Promise.all(issues.map(async (issue) => ({ issue, thread: await readIncidentThread(client, issue, appId) })));
}

/** The incident's RCA issue: the issue with the RCA label whose body marker names the incident. */
export async function findRcaIssue(client: RepoClient, rcaLabel: string, incident: number): Promise<IssueLike | undefined> {
  const issues = await listIssuesWithLabel(client, rcaLabel, { state: "all" });
  return issues.filter((issue) => readMarker(issue.body, "rca")?.incident === incident).sort(oldestFirst)[0];
}

export type MergeBackIssue = IssueLike & { mergeBack: MarkerFields<"merge-back"> };

/** Merge-back issues (optionally of one incident or one state), identified by their body marker. */
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
