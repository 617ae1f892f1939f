import type { IssueLike } from "../github/client.js";
import type { Deps } from "../delivery/deps.js";
import { viewIncident, withDone, type IncidentView } from "./incident-view.js";
import { verifyIncidentItems } from "./recheck-merge-backs.js";
import type { RepoScope } from "../delivery/repo-context.js";

/**
 * The incident as a close decision must see it: items from its records, each asked of git now
 * (and their issues put right on the way), its RCA from the issue its record names.
 */
export async function viewForClosing(repo: RepoScope, incident: IssueLike, deps: Deps): Promise<IncidentView> {
  const first = await viewIncident(repo, incident, deps);
  if (first.mergeBacks.length === 0) return first;
  const done = await verifyIncidentItems(repo.client, repo.mainBranch, first, deps);
  return withDone(first, repo.config, done, repo.now());
}
