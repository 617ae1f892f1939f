import type { Config } from "../config.js";
import type { IssueLike, RepoClient } from "../github/client.js";
import { findMergeBackIssues, findRcaIssue, readIncidentThread, type IncidentThread, type MergeBackIssue } from "../github/incidents.js";
import { closeBlockers, type MergeBackItem, type RcaStatus } from "../policy/close-gate.js";
import { exceptionStates, type ExceptionState } from "../policy/exceptions.js";
import { checkRca } from "../policy/rca.js";
import { isOverdue } from "../policy/reminders.js";
import type { Deps } from "./deps.js";

/** Everything GitHub records about one incident, and what follows from it. */
export type IncidentView = {
  incident: IssueLike;
  mainBranch: string;
  thread: IncidentThread;
  exceptions: ExceptionState[];
  mergeBackIssues: MergeBackIssue[];
  mergeBacks: Array<MergeBackItem & { dueAt: string }>;
  rcaIssue?: IssueLike;
  rca: RcaStatus;
  blockers: string[];
};

export async function viewIncident(client: RepoClient, config: Config, mainBranch: string, incident: IssueLike, deps: Deps): Promise<IncidentView> {
  const [thread, mergeBackIssues, rcaIssue] = await Promise.all([
    readIncidentThread(client, incident, deps.appId),
    findMergeBackIssues(client, config.labels.mergeBack, { state: "all", incident: incident.number }),
    findRcaIssue(client, config.labels.rca, incident.number),
  ]);
  const now = deps.now();
  const mergeBacks = mergeBackIssues.map((issue) => ({
    number: issue.number,
    sha: issue.mergeBack.sha,
    closed: issue.state === "closed",
    overdue: issue.state === "open" && isOverdue({ openedAt: issue.created_at, dueHours: config.mergeBack.dueHours, now }),
    dueAt: new Date(Date.parse(issue.created_at) + config.mergeBack.dueHours * 3_600_000).toISOString(),
  }));
  const rca: RcaStatus = rcaIssue
    ? { exists: true, number: rcaIssue.number, ...checkRca({ body: rcaIssue.body ?? null, closed: rcaIssue.state === "closed", requiredSections: config.rca.requiredSections }) }
    : { exists: false };
  return {
    incident,
    mainBranch,
    thread,
    exceptions: exceptionStates(thread.records, config.override.approvals, now),
    mergeBackIssues,
    mergeBacks,
    ...(rcaIssue ? { rcaIssue } : {}),
    rca,
    blockers: closeBlockers(mergeBacks, rca, mainBranch),
  };
}
