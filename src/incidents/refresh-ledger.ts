import type { RepoScope } from "../delivery/repo-context.js";
import type { CommentLike } from "../github/client.js";
import { ensureOnce } from "../github/ensure-once.js";
import { createComment, deleteComment, listComments, updateComment } from "../github/issues.js";
import { isOwnComment } from "../github/own-comments.js";
import { readMarker } from "../markers.js";
import { readIncidents } from "../github/incidents.js";
import { rollbackCandidates } from "../github/rollback.js";
import { findCascade, type ExceptionDeploy } from "../policy/cascade.js";
import { forceCloseCovers } from "../policy/close-gate.js";
import { exceptionDeployments } from "../policy/exceptions.js";
import { renderLedger } from "../policy/ledger.js";
import type { Deps } from "../delivery/deps.js";
import type { IssueLike } from "../github/client.js";
import { viewIncident, withDone, type IncidentView } from "./incident-view.js";
import type { MergeBackMatch } from "../policy/merge-back.js";

/**
 * Rewrites the incident's one ledger comment from the view's facts: creates it the first time,
 * edits it in place after, and writes nothing when the text would not change.
 */
export async function refreshLedger(repo: RepoScope, view: IncidentView, deps: Deps, known: LedgerKnowledge = {}): Promise<void> {
  const { client, config } = repo;
  // A commit git showed off main in this delivery is never a rollback candidate: its deployments'
  // statuses need no read. (Not an item's issue state: people can reopen it, or take its label off.)
  const offMain = [...(known.offMain ?? []), ...view.mergeBacks.filter((item) => item.offMain).map((item) => item.sha)];
  const [rollback, cascade] = await Promise.all([
    rollbackCandidates(client, config.environments, (sha) => deps.ancestry.read(client, view.mainBranch, sha), deps.appId, offMain),
    cascadeAround(repo, view, deps),
  ]);
  const body = renderLedger({
    incident: view.incident.number,
    closed: view.incident.state === "closed",
    mainBranch: view.mainBranch,
    exceptions: view.exceptions,
    mergeBacks: view.mergeBacks,
    rca: view.rca,
    blockers: view.blockers,
    ...(view.thread.forceClose && forceCloseCovers(view.thread.forceClose.at, view.incident.state === "closed" ? view.incident.closed_at : null)
      ? { forceClose: view.thread.forceClose }
      : {}),
    ...(cascade ? { cascade } : {}),
    rollback,
    rollbacks: view.thread.rollbacks,
  });
  const existing = view.thread.ledger;
  // Two events racing can both find no ledger and both post one: the oldest stays, the rest go.
  const { kept } = await ensureOnce<CommentLike>({
    find: () => existing,
    create: () => createComment(client, view.incident.number, body),
    findAll: async () =>
      (await listComments(client, view.incident.number)).filter((c) => isOwnComment(c, deps.appId) && readMarker(c.body, "ledger")?.incident === view.incident.number),
    order: (comment) => comment.id,
    retire: (duplicate) => deleteComment(client, duplicate.id),
  });
  // One posted now, or by the event it raced, is as fresh as this view.
  if (kept === existing && existing.body !== body) await updateComment(client, existing.id, body);
}

/**
 * What git showed in this delivery that the ledger would otherwise ask: items done (a push), whatever
 * their issues say yet; commits off main (the one a gate just let through under an exception).
 */
export type LedgerKnowledge = {
  done?: ReadonlyMap<string, MergeBackMatch>;
  offMain?: readonly string[];
  /** The merge-back issues this delivery read open (a push's re-check): the items' issues, when all are among them. */
  openItems?: readonly IssueLike[];
};

/** Sees the incident afresh and rewrites its ledger: how every change to an incident ends. */
export async function rewriteLedger(repo: RepoScope, incident: IssueLike, deps: Deps, known: LedgerKnowledge = {}): Promise<void> {
  const view = await viewIncident(repo, incident, deps, known.openItems);
  await refreshLedger(repo, known.done ? withDone(view, repo.config, known.done, repo.now()) : view, deps, known);
}

/** The cascade this incident is part of, if its exception deploys have neighbours within the window. */
async function cascadeAround({ client, config }: RepoScope, view: IncidentView, deps: Deps) {
  const own = exceptionDeployments(view.thread.records);
  if (own.length === 0) return undefined;
  const windowMs = config.cascade.windowHours * 3_600_000;
  const since = new Date(Math.min(...own.map((d) => Date.parse(d.at))) - windowMs).toISOString();
  const recent = await readIncidents(client, config.labels.incident, deps.records, since);
  const deploys: ExceptionDeploy[] = recent.flatMap(({ issue, thread }) =>
    (issue.number === view.incident.number ? own : exceptionDeployments(thread.records)).map((d) => ({ incident: issue.number, sha: d.sha, env: d.env, at: d.at })),
  );
  const cascade = findCascade(deploys, config.cascade.windowHours);
  return cascade?.incidents.includes(view.incident.number) ? cascade : undefined;
}
