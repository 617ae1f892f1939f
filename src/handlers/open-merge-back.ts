import type { Config } from "../config.js";
import type { IssueLike, RepoClient } from "../github/client.js";
import { findMergeBackIssues } from "../github/incidents.js";
import { createIssue, retireDuplicate } from "../github/issues.js";
import { marker } from "../markers.js";
import { shortSha } from "../policy/text.js";

/**
 * The merge-back issue for (incident, S), opened once: an existing one (open or closed) is
 * found again by its marker, so redelivered events and repeated commands add nothing.
 * `why` is markdown the caller composed (user text in it already escaped).
 */
export async function ensureMergeBackIssue(
  client: RepoClient,
  config: Config,
  mainBranch: string,
  incident: IssueLike,
  sha: string,
  why: string,
): Promise<{ number: number; created: boolean }> {
  const existing = await findMergeBackIssues(client, config.labels.mergeBack, { state: "all", incident: incident.number });
  const found = existing.find((issue) => issue.mergeBack.sha === sha);
  if (found) return { number: found.number, created: false };
  const created = await createIssue(client, {
    title: `Merge back ${shortSha(sha)} to ${mainBranch} (incident #${incident.number})`,
    body: [
      marker("merge-back", { incident: incident.number, sha }),
      `Commit \`${sha}\` ${why}, but it is not on \`${mainBranch}\`. Until it is, the next release from \`${mainBranch}\` brings the bug back.`,
      `**To do:** bring the change to \`${mainBranch}\`: merge a pull request containing it, or cherry-pick it with \`git cherry-pick -x ${shortSha(sha)}\` (the \`-x\` trailer lets mainline recognise it). A squash- or rebase-merged pull request with the commit, or a commit with the same patch, counts too.`,
      `mainline closes this issue by itself on the push that brings the change to \`${mainBranch}\`, and keeps incident #${incident.number} open until then. Due within ${config.mergeBack.dueHours} hours.`,
    ].join("\n\n"),
    labels: [config.labels.mergeBack],
    assignees: (incident.assignees ?? []).map((a) => a.login),
  });
  // Two deliveries racing can both find nothing and both open one; the oldest wins, the other retires.
  const twins = (await findMergeBackIssues(client, config.labels.mergeBack, { state: "all", incident: incident.number })).filter((i) => i.mergeBack.sha === sha);
  const keep = twins[0]?.number ?? created.number;
  if (keep !== created.number) await retireDuplicate(client, created.number, keep);
  return { number: keep, created: keep === created.number };
}
