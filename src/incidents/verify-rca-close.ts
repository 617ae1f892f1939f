import type { IssueLike } from "../github/client.js";
import { getIssue } from "../github/issues.js";
import { checkRca } from "../policy/rca.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoScope } from "../delivery/repo-context.js";
import { reopenOnce } from "./reopen-once.js";

/**
 * An incident's RCA closed with a required section missing or empty is reopened (once per close).
 * The RCA as it is now is judged, not as the event carried it: GitHub gives a close's time to the
 * second, so a close redelivered after the RCA was written and closed again within that second
 * would otherwise reopen a written RCA.
 */
export async function verifyRcaClose(repo: RepoScope, issue: IssueLike, deps: Deps): Promise<void> {
  const current = await getIssue(repo.client, issue.number);
  if (current.state !== "closed") return;
  const check = checkRca({ body: current.body ?? null, closed: true, requiredSections: repo.config.rca.requiredSections });
  const unwritten = [...check.missingSections, ...check.emptySections];
  if (unwritten.length === 0) return;
  const list = unwritten.map((s) => `"${s}"`).join(", ");
  await reopenOnce(repo.client, issue.number, issue.closed_at!, `📝 Reopened: the RCA is not written yet. ${list} ${unwritten.length === 1 ? "needs" : "need"} content under ${unwritten.length === 1 ? "its heading" : "their headings"}.`, deps.appId);
}
