import { hasLabel } from "../../github/client.js";
import { addLabels, getIssue, setIssueState, updateIssueTitle } from "../../github/issues.js";
import { writeRecord } from "../../github/write-record.js";
import { escapeUserText, quietLogin } from "../../policy/text.js";
import { becomeIncident } from "../../incidents/become-incident.js";
import { endExceptions } from "../../incidents/incident-runs.js";
import { viewForClosing } from "../../incidents/incident-blockers.js";
import { logCloseGate } from "../../incidents/close-gate.js";
import { refreshLedger, rewriteLedger } from "../../incidents/refresh-ledger.js";
import type { CommandEnv, Outcome } from "./types.js";

/**
 * `/incident [title]` (write role, checked): the record, the RCA and the ledger are written
 * here; the label is added as the view people filter by.
 */
export async function makeIncident(env: CommandEnv, title: string | undefined): Promise<Outcome> {
  const { repo, issue } = env;
  if (title && title !== issue.title) await updateIssueTitle(repo.client, issue.number, title);
  await becomeIncident(repo, title ? { ...issue, title } : issue, env.deps, { by: env.actor, via: "command" });
  if (!hasLabel(issue, repo.config.labels.incident)) await addLabels(repo.client, issue.number, [repo.config.labels.incident]);
  return { ok: true };
}

/** `/incident close`: closes when nothing blocks; otherwise names the blockers and refreshes the ledger. */
export async function closeIfNothingBlocks(env: CommandEnv): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const view = await viewForClosing(repo, issue, deps);
  if (view.blockers.length > 0) {
    logCloseGate(env.decisions, issue.number, { outcome: "refused", forced: false, blockers: view.blockers }, "/incident close");
    await refreshLedger(repo, view, deps);
    return { ok: false, error: `this incident cannot close yet:\n${view.blockers.map((b) => `  - ${b}`).join("\n")}` };
  }
  logCloseGate(env.decisions, issue.number, { outcome: "allowed", forced: false, blockers: [] }, "/incident close");
  await endExceptions(repo, issue.number, view.thread, deps);
  await setIssueState(repo.client, issue.number, "closed", "completed");
  await rewriteLedger(repo, await getIssue(repo.client, issue.number), deps);
  return { ok: true };
}

/** Admins may close over blockers; the reason and who gave it stay in the incident's record. */
export async function forceClose(env: CommandEnv, reason: string): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const view = await viewForClosing(repo, issue, deps);
  if (view.thread.forceClose?.source !== env.source) {
    const blockers = view.blockers.length > 0 ? ` Closed over: ${view.blockers.join("; ")}.` : "";
    await writeRecord(
      repo.client,
      deps.records.key,
      { incident: issue.number },
      "force-close",
      { by: env.actor, at: repo.now().toISOString(), reason, source: env.source },
      `⛔ Force-closed by ${quietLogin(env.actor)}. Reason: ${escapeUserText(reason)}.${blockers}`,
    );
  }
  logCloseGate(env.decisions, issue.number, { outcome: "allowed", forced: true, blockers: view.blockers }, "/incident force-close");
  await endExceptions(repo, issue.number, view.thread, deps);
  await setIssueState(repo.client, issue.number, "closed", "completed");
  await rewriteLedger(repo, await getIssue(repo.client, issue.number), deps);
  return { ok: true };
}
