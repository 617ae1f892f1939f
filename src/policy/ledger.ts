import { marker } from "../markers.js";
import type { RecordFields } from "../records.js";
import type { Cascade } from "./cascade.js";
import type { MergeBackItem, RcaStatus } from "./close-gate.js";
import type { ExceptionState } from "./exceptions.js";
import { COMMAND_LOOKS, LEDGER_LOOKS, type RollbackCandidate } from "./rollback.js";
import { escapeUserText, quietLogin, shortSha } from "./text.js";

export type LedgerFacts = {
  incident: number;
  /** The incident issue is closed (the status then says so instead of inviting `/incident close`). */
  closed?: boolean;
  mainBranch: string;
  exceptions: readonly ExceptionState[];
  mergeBacks: ReadonlyArray<MergeBackItem & { dueAt: string }>;
  rca: RcaStatus;
  blockers: readonly string[];
  forceClose?: RecordFields<"force-close">;
  cascade?: Cascade;
  rollback: readonly RollbackCandidate[];
  /** `/incident rollback` deployments made in this incident (its records). */
  rollbacks?: ReadonlyArray<RecordFields<"rollback">>;
};

/**
 * The ledger comment, rendered only from facts read back from GitHub. The same facts give the
 * same text, so a redelivered event finds nothing to change and writes nothing.
 */
export function renderLedger(facts: LedgerFacts): string {
  return [
    marker("ledger", { incident: facts.incident }),
    "## mainline ledger",
    status(facts),
    ...cascadeWarning(facts),
    "### Exceptions",
    exceptionsTable(facts.exceptions, facts.closed === true),
    "### Merge-back",
    mergeBackTable(facts),
    "### RCA",
    rcaLine(facts.rca),
    "### Roll back first",
    rollbackTable(facts),
    ...rollbacksMade(facts),
    "_mainline rewrites this comment from GitHub's records (issues, comments, deployments) at each change; edits here are overwritten._",
  ].join("\n\n");
}

function status(facts: LedgerFacts): string {
  if (facts.forceClose) {
    return `**Status:** force-closed by ${quietLogin(facts.forceClose.by)} at ${facts.forceClose.at}: ${escapeUserText(facts.forceClose.reason)}`;
  }
  if (facts.blockers.length === 0) {
    return facts.closed ? "**Status:** closed: its fixes are on main and its RCA is written." : "**Status:** nothing blocks closing: `/incident close` closes it.";
  }
  return [`**Status:** cannot close yet (${facts.blockers.length} blocking):`, ...facts.blockers.map((b) => `- ${b}`)].join("\n");
}

function cascadeWarning(facts: LedgerFacts): string[] {
  if (!facts.cascade) return [];
  const list = facts.cascade.deploys.map((d) => `\`${shortSha(d.sha)}\` to ${escapeUserText(d.env, 100)} at ${d.at} (#${d.incident})`).join(", ");
  return [
    `> [!WARNING]\n> **Hotfix cascade:** ${facts.cascade.deploys.length} hotfix deploys within the cascade window: ${list}. ` +
      "Stop, roll back to the last deployment on main, and look at what the fixes share.",
  ];
}

/**
 * A closed incident's exceptions ended with its close (their check runs say so): none is in force.
 * The criterion each grant named (`hotfix.criteria`) has a column once one did; before, the table
 * stays as it always was.
 */
function exceptionsTable(exceptions: readonly ExceptionState[], incidentClosed: boolean): string {
  if (exceptions.length === 0) return "None granted.";
  const withCriteria = exceptions.some((e) => e.criterion !== undefined);
  const rows = exceptions.map((e) => {
    const used = e.deploys.map((d) => `deployment ${d.deployment} ${d.reached ? "deployed" : "allowed"} at ${d.at}`).join("; ");
    const approved = e.approvedBy.length > 0 ? `, approved by ${e.approvedBy.map(quietLogin).join(", ")}` : "";
    const stood = e.status === "used" ? `used: ${used}` : e.status === "active" ? `active until ${e.expiresAt}` : e.status.replace("-", " ");
    const state = incidentClosed && ["used", "active", "awaiting-approval"].includes(e.status) ? `${stood}; ended with the incident's close` : stood;
    const criterion = withCriteria ? ` ${e.criterion === undefined ? "—" : escapeUserText(e.criterion, 50)} |` : "";
    return `| \`${shortSha(e.sha)}\` | ${escapeUserText(e.environment, 100)} | ${quietLogin(e.grantedBy)}${approved} at ${e.grantedAt} |${criterion} ${escapeUserText(e.reason)}${e.waives ? ` (on main; waives: ${escapeUserText(e.waives, 300)})` : ""} | ${state} |`;
  });
  const columns = ["commit", "environment", "granted", ...(withCriteria ? ["criterion"] : []), "reason", "state"];
  return [`| ${columns.join(" | ")} |`, `|${" --- |".repeat(columns.length)}`, ...rows].join("\n");
}

function mergeBackTable(facts: LedgerFacts): string {
  if (facts.mergeBacks.length === 0) return "No commit needs merging back.";
  const rows = facts.mergeBacks.map((item) => {
    const state = item.closed ? `done (on ${facts.mainBranch})` : item.overdue ? `**overdue** (was due ${item.dueAt})` : `open, due ${item.dueAt}`;
    return `| #${item.number} | \`${shortSha(item.sha)}\` | ${state} |`;
  });
  return ["| issue | commit | state |", "| --- | --- | --- |", ...rows].join("\n");
}

function rcaLine(rca: RcaStatus): string {
  if (!rca.exists) return "Missing.";
  const unwritten = [...rca.missingSections, ...rca.emptySections];
  if (rca.closed && unwritten.length === 0) return `#${rca.number}: done.`;
  const sections = unwritten.length > 0 ? `; to write: ${unwritten.join(", ")}` : "";
  return `#${rca.number}: ${rca.closed ? "closed" : "open"}${sections}.`;
}

function rollbackTable(facts: LedgerFacts): string {
  // The ledger looks only a few deep (it is rewritten often); the command looks further, so none here is not none at all.
  if (facts.rollback.length === 0) {
    return `No deployment of a ${facts.mainBranch} commit that succeeded among the ${LEDGER_LOOKS} newest of each gated environment searched; \`/incident rollback [env]\` looks further back (the environment's ${COMMAND_LOOKS} newest).`;
  }
  const rows = facts.rollback.map((r) => `| ${escapeUserText(r.environment, 100)} | \`${shortSha(r.sha)}\` | deployment ${r.deploymentId} at ${r.createdAt} |`);
  return ["| environment | last commit from " + facts.mainBranch + " | deployed |", "| --- | --- | --- |", ...rows].join("\n");
}

function rollbacksMade(facts: LedgerFacts): string[] {
  if (!facts.rollbacks?.length) return [];
  const lines = facts.rollbacks.map(
    (r) => `- ${escapeUserText(r.env, 100)} back to \`${shortSha(r.sha)}\` (the commit of deployment ${r.of}): deployment ${r.deployment}, by ${quietLogin(r.by)} at ${r.at}`,
  );
  return [["Rolled back from this incident (`/incident rollback`):", ...lines].join("\n")];
}
