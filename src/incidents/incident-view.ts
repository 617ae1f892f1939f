import type { RepoScope } from "../delivery/repo-context.js";
import type { Config } from "../config.js";
import type { IssueLike, RepoClient } from "../github/client.js";
import { findMergeBackIssues, readIncidentThread, recordedRcaIssue, THREAD_COMMENT_LIMIT, type IncidentThread } from "../github/incidents.js";
import { getIssueHere } from "../github/issues.js";
import { closeBlockers, type MergeBackItem, type RcaStatus } from "../policy/close-gate.js";
import { exceptionStates, type ExceptionState } from "../policy/exceptions.js";
import { checkRca } from "../policy/rca.js";
import type { MergeBackMatch } from "../policy/merge-back.js";
import { isOverdue } from "../policy/reminders.js";
import type { Deps } from "../delivery/deps.js";

/** Everything GitHub records about one incident, and what follows from it. */
export type IncidentView = {
  incident: IssueLike;
  mainBranch: string;
  thread: IncidentThread;
  exceptions: ExceptionState[];
  /**
   * The items its records name, each with the issue people see it in (absent when that issue left
   * the repository); `offMain`: git showed in this delivery that its change is not on main.
   */
  mergeBacks: Array<MergeBackItem & { dueAt: string; issue?: IssueLike; offMain?: true }>;
  rcaIssue?: IssueLike;
  rca: RcaStatus;
  blockers: string[];
};

/**
 * What the incident's records say, joined with the issues they name. Which items and which RCA
 * an incident has comes from its records only; whether an item is done comes from git (`withDone`,
 * after a re-check in this delivery); until then an item counts as done only while its issue is
 * closed (the ledger's view between re-checks; never a close decision).
 */
export async function viewIncident({ client, config, mainBranch, now }: RepoScope, incident: IssueLike, deps: Deps, openItems?: readonly IssueLike[]): Promise<IncidentView> {
  const thread = await readIncidentThread(client, incident, deps.records);
  const [itemIssues, rcaIssue] = await Promise.all([itemIssuesOf(client, config, incident, thread, openItems), recordedRcaIssue(client, thread)]);
  return assembleView({ config, mainBranch, incident, thread, itemIssues, rcaIssue, now: now() });
}

/** The same view with each item's done-ness as git said it in this delivery: no second read. */
export function withDone(view: IncidentView, config: Config, done: ReadonlyMap<string, MergeBackMatch>, now: Date): IncidentView {
  const itemIssues = new Map(view.mergeBacks.flatMap((item) => (item.issue ? [[item.number, item.issue] as const] : [])));
  return assembleView({ config, mainBranch: view.mainBranch, incident: view.incident, thread: view.thread, itemIssues, rcaIssue: view.rcaIssue, now, done });
}

type ViewFacts = {
  config: Config;
  mainBranch: string;
  incident: IssueLike;
  thread: IncidentThread;
  itemIssues: ReadonlyMap<number, IssueLike>;
  rcaIssue: IssueLike | undefined;
  now: Date;
  done?: ReadonlyMap<string, MergeBackMatch>;
};

function assembleView({ config, mainBranch, incident, thread, itemIssues, rcaIssue, now, done }: ViewFacts): IncidentView {
  const mergeBacks = thread.mergeBacks.map((item) => {
    const issue = itemIssues.get(item.issue);
    const verified = done?.get(item.sha);
    const isDone = verified ? verified.done : issue?.state === "closed";
    return {
      number: item.issue,
      sha: item.sha,
      closed: isDone,
      overdue: !isDone && isOverdue({ openedAt: item.at, dueHours: config.mergeBack.dueHours, now }),
      // Why git says not yet, when a note only claims it or a fact could not be read: people must see a claim is no proof.
      ...(verified && !verified.done && /claim|could not verify/.test(verified.explanation) ? { note: verified.explanation } : {}),
      dueAt: new Date(Date.parse(item.at) + config.mergeBack.dueHours * 3_600_000).toISOString(),
      ...(issue ? { issue } : {}),
      ...(verified && !verified.done ? { offMain: true as const } : {}),
    };
  });
  const rca: RcaStatus = rcaIssue
    ? { exists: true, number: rcaIssue.number, ...checkRca({ body: rcaIssue.body ?? null, closed: rcaIssue.state === "closed", requiredSections: config.rca.requiredSections }) }
    : { exists: false, ...(thread.rca ? { gone: thread.rca.issue } : {}) };
  return {
    incident,
    mainBranch,
    thread,
    exceptions: exceptionStates(thread.records, config.override.approvals, now),
    mergeBacks,
    ...(rcaIssue ? { rcaIssue } : {}),
    rca,
    blockers: [...integrityBlockers(thread), ...closeBlockers(mergeBacks, rca, mainBranch)],
  };
}

/** What keeps the records themselves from being believed: a record someone changed, or a thread too long to read whole. */
function integrityBlockers(thread: IncidentThread): string[] {
  return [
    ...thread.tampered.map((c) => `a mainline record here was changed by someone else ([comment](${c.html_url})); mainline writes it back, and until then this incident cannot close`),
    ...(thread.complete ? [] : [`could not verify: this incident has more than ${THREAD_COMMENT_LIMIT} comments, past what mainline reads`]),
  ];
}

/**
 * The issues of the incident's items: one list of merge-back issues touched since the incident
 * began (the label is a view, so an item whose label was removed, or whose issue moved, is read
 * on its own). `openItems`: the merge-back issues this delivery read open (a push's re-check);
 * when every item is among them they are its issues, as current as any list, with no list read.
 */
async function itemIssuesOf(client: RepoClient, config: Config, incident: IssueLike, thread: IncidentThread, openItems: readonly IssueLike[] = []): Promise<Map<number, IssueLike>> {
  const found = new Map<number, IssueLike>();
  if (thread.mergeBacks.length === 0) return found;
  const open = new Map(openItems.map((issue) => [issue.number, issue]));
  if (thread.mergeBacks.every((item) => open.has(item.issue))) return open;
  for (const issue of await findMergeBackIssues(client, config.labels.mergeBack, { state: "all", since: incident.created_at })) found.set(issue.number, issue);
  const missing = thread.mergeBacks.filter((item) => !found.has(item.issue));
  for (const issue of await Promise.all(missing.map((item) => getIssueHere(client, item.issue)))) if (issue) found.set(issue.number, issue);
  return found;
}
