import type { RepoClient } from "../github/client.js";
import { readExceptionRuns, writeExceptionRun } from "../github/exception-runs.js";
import type { Deps } from "./deps.js";

/**
 * While one of an incident's records is changed, none of its exceptions is in force (SPEC
 * section 8): `who` suspends them (their check runs say so, which the gate reads), "" lifts it.
 * A failure between the two leaves them suspended until the redelivery finishes the restore.
 * `shas`: the commits of the incident's exceptions, the changed record's own included (an edited
 * grant no longer reads as one).
 */
export async function setSuspension(client: RepoClient, shas: ReadonlySet<string>, incident: number, who: string, deps: Deps): Promise<void> {
  const now = deps.now();
  for (const sha of shas) {
    for (const run of await readExceptionRuns(client, deps.appId, sha)) {
      if (run.state.incident !== incident || run.state.ended || run.state.suspended === who) continue;
      await writeExceptionRun(client, { ...run.state, suspended: who }, now, run);
    }
  }
}
