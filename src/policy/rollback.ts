import { everSucceeded, newestFirst, sameEnvironment, type DeploymentFacts, type StatusFacts } from "./deployment-history.js";

/** An environment's rollback candidate (SPEC section 10): the last deployment there that was on main and succeeded. */
export type RollbackCandidate = { environment: string; sha: string; deploymentId: number; createdAt: string };

/**
 * How many of an environment's newest deployments the ledger looks at: it is rewritten on many
 * deliveries, so it keeps the cost it always had (one batch of statuses).
 */
export const LEDGER_LOOKS = 5;

/**
 * How many `/incident rollback` looks at: one page of the environment's newest deployments, read
 * newest first `STATUSES_AT_ONCE` at a time until the candidate is decided. Five deployments made
 * through the API (each refused by the gate, so never a candidate) used to hide every candidate
 * when the command is needed most; hiding it now takes 30, each refused in the open. 30 is also
 * more than a day of a busy team's deploys, failed ones and hotfixes included, and the command's
 * worst case stays bounded: 1 list, 30 status reads, and one compare per distinct commit that
 * succeeded and was not refused (usually none past the first).
 */
export const COMMAND_LOOKS = 30;

/** How many deployments' statuses are read together: the usual case (a candidate among the newest few) costs what one read of the ledger's looks did. */
export const STATUSES_AT_ONCE = 5;

/** A deployment as the environment's list gives it: its statuses are read later, and only as far as needed. */
export type ListedDeployment = Omit<DeploymentFacts, "statuses">;

/** What the search has learnt so far: the environment's listed deployments, the statuses read, and where each commit asked about stands. */
export type RollbackKnowledge = {
  environment: string;
  /** `LEDGER_LOOKS` or `COMMAND_LOOKS`. */
  looks: number;
  listed: readonly ListedDeployment[];
  statuses: ReadonlyMap<number, readonly StatusFacts[]>;
  onMain: ReadonlyMap<string, boolean>;
};

/** What to read next, or the answer: the candidate, or how many deployments were looked at and how many of them succeeded. */
export type RollbackStep =
  | { kind: "read-statuses"; deployments: ListedDeployment[] }
  | { kind: "ask-on-main"; sha: string }
  | { kind: "found"; candidate: RollbackCandidate }
  | { kind: "none"; looked: number; succeeded: number };

/**
 * The next step of the search for `environment`'s rollback candidate (SPEC section 10: the last
 * deployment of that environment that was on main and succeeded). Its `looks` newest deployments are
 * decided newest first: one whose statuses are unread asks for them (with the next few, read together);
 * one that never succeeded as its own deploy tool reported (`everSucceeded`: never one this app
 * refused, nor one whose statuses fill the page read) is passed; one that did asks where its commit
 * stands, and is the candidate when that is on main. One whose commit is known to be off main (asked
 * already, or known before the search) is passed unread. So the search stops at the first candidate,
 * reading nothing past it.
 */
export function rollbackStep(known: RollbackKnowledge): RollbackStep {
  const looked = known.listed
    .filter((d) => sameEnvironment(d.environment, known.environment))
    .sort(newestFirst)
    .slice(0, known.looks);
  let succeeded = 0;
  // A commit known to be off main is never the candidate, whatever its statuses say: they are not read.
  const offMain = (d: ListedDeployment) => known.onMain.get(d.sha) === false;
  for (const [i, deployment] of looked.entries()) {
    const statuses = known.statuses.get(deployment.id);
    if (!statuses && offMain(deployment)) continue;
    if (!statuses) return { kind: "read-statuses", deployments: looked.slice(i).filter((d) => !known.statuses.has(d.id) && !offMain(d)).slice(0, STATUSES_AT_ONCE) };
    if (!everSucceeded({ ...deployment, statuses })) continue;
    succeeded++;
    const onMain = known.onMain.get(deployment.sha);
    if (onMain === undefined) return { kind: "ask-on-main", sha: deployment.sha };
    if (onMain) return { kind: "found", candidate: { environment: deployment.environment, sha: deployment.sha, deploymentId: deployment.id, createdAt: deployment.createdAt } };
  }
  return { kind: "none", looked: looked.length, succeeded };
}
