import type { RepoClient } from "../github/client.js";
import { readExceptionRuns } from "../github/exception-runs.js";
import { getIssueHere } from "../github/issues.js";
import { exceptionsInForce } from "../policy/exception-runs.js";
import type { GrantedException } from "../policy/gate.js";

/**
 * The exceptions that let S into E at `at`: in force as this app's check runs on S hold them, each
 * honoured only while its incident is an open issue of this repository — a close or transfer also
 * ends them in the runs, but a lost event or a deleted issue must not leave one in force. One read
 * of S's runs, then one of each distinct incident (side by side), through whatever client the
 * caller holds (the gate's goes straight to GitHub). Read errors are the caller's to handle.
 */
export async function honouredExceptions(client: RepoClient, appId: number, target: { sha: string; environment: string }, at: Date): Promise<GrantedException[]> {
  const candidates = exceptionsInForce(await readExceptionRuns(client, appId, target.sha), target.sha, target.environment, at);
  const open = new Set<number>();
  await Promise.all([...new Set(candidates.map((e) => e.incident))].map(async (number) => (await getIssueHere(client, number))?.state === "open" && open.add(number)));
  return candidates.filter((e) => open.has(e.incident));
}
