import type { RepoScope } from "../delivery/repo-context.js";
import type { IssueLike } from "../github/client.js";
import { findMergeBackIssues, readIncidentThread, type IncidentThread } from "../github/incidents.js";
import { createIssue } from "../github/issues.js";
import { writeRecord } from "../github/write-record.js";
import { marker } from "../markers.js";
import { shortSha } from "../policy/text.js";
import { isOwnIssue } from "../github/own-comments.js";
import type { Deps } from "../delivery/deps.js";

/**
 * The merge-back item for (incident, S), opened once: its record in the incident (its own, or the
 * deploy record that made it) says which issue tracks it. An issue this app opened for it whose record was never written (a delivery
 * that failed in between) is taken instead of opening a second one. `why` is markdown the
 * caller composed (user text in it already escaped).
 */
export async function ensureMergeBackIssue(
  repo: RepoScope,
  incident: IssueLike,
  sha: string,
  why: string,
  deps: Deps,
  options: { record?: boolean; thread?: IncidentThread } = {},
): Promise<{ number: number; created: boolean }> {
  const { client, config, mainBranch, now } = repo;
  const thread = options.thread ?? (await readIncidentThread(client, incident, deps.records));
  const recorded = thread.mergeBacks.find((item) => item.sha === sha);
  if (recorded) return { number: recorded.issue, created: false };
  const adoptable = (await findMergeBackIssues(client, config.labels.mergeBack, { state: "all", incident: incident.number, since: incident.created_at })).find(
    (issue) => issue.mergeBack.sha === sha && isOwnIssue(issue, deps.appId),
  );
  const issue = adoptable ?? (await openMergeBackIssue(repo, incident, sha, why));
  // The caller records the item with the act that made it (a deploy record names it).
  if (options.record === false) return { number: issue.number, created: !adoptable };
  await writeRecord(
    client,
    deps.records.key,
    { incident: incident.number },
    "merge-back",
    { sha, issue: issue.number, at: now().toISOString() },
    `🔁 \`${shortSha(sha)}\` must reach \`${mainBranch}\`: #${issue.number} tracks it, and this incident cannot close before it is done.`,
  );
  return { number: issue.number, created: !adoptable };
}

function openMergeBackIssue({ client, config, mainBranch }: RepoScope, incident: IssueLike, sha: string, why: string): Promise<IssueLike> {
  return createIssue(client, {
    title: `Merge back ${shortSha(sha)} to ${mainBranch} (incident #${incident.number})`,
    body: [
      marker("merge-back", { incident: incident.number, sha }),
      `Commit \`${sha}\` ${why}, but it is not on \`${mainBranch}\`. Until it is, the next release from \`${mainBranch}\` brings the bug back.`,
      `**To do:** bring the change to \`${mainBranch}\`: merge a pull request containing it, or cherry-pick it with \`git cherry-pick -x ${shortSha(sha)}\` (the \`-x\` trailer lets mainline recognise it; the cherry-pick must carry the change itself). A squash- or rebase-merged pull request with the commit, or a commit with the same patch, counts too.`,
      `mainline closes this issue by itself on the push that brings the change to \`${mainBranch}\`, and keeps incident #${incident.number} open until then. Due within ${config.mergeBack.dueHours} hours.`,
    ].join("\n\n"),
    labels: [config.labels.mergeBack],
    assignees: (incident.assignees ?? []).map((a) => a.login),
  });
}
