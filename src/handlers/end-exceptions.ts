import type { RepoClient } from "../github/client.js";
import { readExceptionRuns, writeExceptionRun } from "../github/exception-runs.js";
import type { IncidentThread } from "../github/incidents.js";
import type { Deps } from "./deps.js";

/**
 * An incident that closes ends its exceptions for good (SPEC section 8): their check runs say
 * `ended`, so reopening the incident never brings one back. Runs of other incidents for the
 * same commit are left alone.
 */
export async function endExceptions(client: RepoClient, incident: number, thread: IncidentThread, deps: Deps): Promise<void> {
  const shas = [...new Set(thread.records.exceptions.map((grant) => grant.sha))];
  const now = deps.now();
  for (const sha of shas) {
    for (const run of await readExceptionRuns(client, deps.appId, sha)) {
      if (run.state.incident !== incident || run.state.ended) continue;
      await writeExceptionRun(client, { ...run.state, ended: now.toISOString() }, now, run);
    }
  }
}
