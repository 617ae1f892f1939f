import { approvers, runStatus, type ExceptionRun, type ExceptionRunState } from "./exception-runs.js";
import { samePerson, type Person } from "./same-person.js";

/** One of an incident's exception runs and who granted it (the grant record's account, where it has one). */
export type GrantedRun = { run: ExceptionRun; grantor: Person };

/**
 * What a `/hotfix approve` or `/hotfix revoke` changes in this incident's exception runs: an
 * approval reaches every run waiting for one that the approver did not grant (under whatever login
 * they have now); a revoke, every run not used yet, active or waiting. Used, expired, revoked,
 * ended and suspended runs stay as they are.
 */
export function exceptionRunChanges(command: "hotfix-approve" | "hotfix-revoke", runs: readonly GrantedRun[], actor: Person, now: Date): { run: ExceptionRun; state: ExceptionRunState }[] {
  return runs.flatMap(({ run, grantor }) => {
    const status = runStatus(run.state, now);
    if (command === "hotfix-approve" && status === "awaiting-approval" && !samePerson(grantor, actor)) {
      return [{ run, state: { ...run.state, approved: [...approvers(run.state), actor.login].join(",") } }];
    }
    if (command === "hotfix-revoke" && (status === "active" || status === "awaiting-approval")) return [{ run, state: { ...run.state, revoked: actor.login } }];
    return [];
  });
}
