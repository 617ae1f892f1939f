import { readExceptionRuns, writeExceptionRun } from "../github/exception-runs.js";
import type { IncidentThread } from "../github/incidents.js";
import type { ExceptionRunState } from "../policy/exception-runs.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoScope } from "../delivery/repo-context.js";

/**
 * Rewrites the check runs of one incident's exceptions on the given commits: `change` returns the
 * new state, or undefined to leave a run as it is. Ended runs are never touched again, and runs of
 * other incidents for the same commit are left alone.
 */
async function changeIncidentRuns({ client, now: clock }: RepoScope, shas: Iterable<string>, incident: number, deps: Deps, change: (state: ExceptionRunState) => ExceptionRunState | undefined): Promise<void> {
  const now = clock();
  for (const sha of new Set(shas)) {
    for (const run of await readExceptionRuns(client, deps.appId, sha)) {
      if (run.state.incident !== incident || run.state.ended) continue;
      const changed = change(run.state);
      if (changed) await writeExceptionRun(client, changed, now, run);
    }
  }
}

/**
 * An incident that closes ends its exceptions for good (SPEC section 8): their check runs say
 * `ended`, so reopening the incident never brings one back.
 */
export function endExceptions(repo: RepoScope, incident: number, thread: IncidentThread, deps: Deps): Promise<void> {
  const at = repo.now().toISOString();
  return changeIncidentRuns(repo, thread.records.exceptions.map((grant) => grant.sha), incident, deps, (state) => ({ ...state, ended: at }));
}

/**
 * While one of an incident's records is changed, none of its exceptions is in force (SPEC
 * section 8): `who` suspends them (their check runs say so, which the gate reads), "" lifts it.
 * A failure between the two leaves them suspended until the redelivery finishes the restore.
 * `shas`: the commits of the incident's exceptions, the changed record's own included (an edited
 * grant no longer reads as one).
 */
export function setSuspension(repo: RepoScope, shas: ReadonlySet<string>, incident: number, who: string, deps: Deps): Promise<void> {
  return changeIncidentRuns(repo, shas, incident, deps, (state) => (state.suspended === who ? undefined : { ...state, suspended: who }));
}
