import { isApiError } from "../github/api-error.js";
import type { RepoClient } from "../github/client.js";
import { findMergeBackIssues, readIncidentThread, type MergeBackIssue } from "../github/incidents.js";
import { deleteComment, getIssue, listComments } from "../github/issues.js";
import type { CommentLike } from "../github/client.js";
import { threadRecords } from "../github/own-comments.js";
import { writeRecord } from "../github/write-record.js";
import { dueReminder, isOverdue } from "../policy/reminders.js";
import { shortSha } from "../policy/text.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoScope } from "../delivery/repo-context.js";

/** How many overdue items one sweep of a repository looks at: each costs reads. */
const REMINDERS_PER_SWEEP = 50;

/**
 * Reminds the incident's assignees on each overdue merge-back issue, at 1, 2, 4, … days
 * overdue. The record of a reminder is its comment, so a restart forgets nothing. With REDIS_URL
 * one replica sweeps at a time, under the repository's lock. Replicas without it (several run with
 * the sweep on, against the README's advice) may race: both post, see each other's comment, and
 * the later one deletes its own, so the reminder stays once but its @-mention was sent twice.
 */
export async function remindOverdue({ client, config, now: clock }: RepoScope, deps: Deps): Promise<number> {
  const now = clock();
  const open = await findMergeBackIssues(client, config.labels.mergeBack, { state: "open" });
  let sent = 0;
  const overdue = open.filter((i) => isOverdue({ openedAt: i.created_at, dueHours: config.mergeBack.dueHours, now })).slice(0, REMINDERS_PER_SWEEP);
  for (const labelled of overdue) {
    // The label and body are views: only an item its incident's records name is reminded of, about the recorded commit.
    const recorded = (await recordedItems(client, labelled.mergeBack.incident, deps)).find((m) => m.issue === labelled.number);
    if (!recorded) continue;
    const item = { ...labelled, mergeBack: { incident: labelled.mergeBack.incident, sha: recorded.sha } };
    const already = reminders(client, await listComments(client, item.number), item, deps).map((r) => r.interval);
    const interval = dueReminder({ openedAt: item.created_at, dueHours: config.mergeBack.dueHours, now, alreadySent: already });
    if (interval === undefined) continue;
    await remind(client, item, interval, deps);
    sent++;
  }
  return sent;
}

async function remind(client: RepoClient, item: MergeBackIssue, interval: number, deps: Deps): Promise<void> {
  const incident = await getIssue(client, item.mergeBack.incident);
  const assignees = (incident.assignees ?? []).map((a) => `@${a.login}`);
  const who = assignees.length > 0 ? assignees.join(" ") : `Nobody is assigned to incident #${incident.number}: assign the person who owns this fix.`;
  const days = 2 ** interval;
  const posted = await writeRecord(
    client,
    deps.records.key,
    { incident: incident.number, on: item.number },
    "reminder",
    { issue: item.number, interval },
    `⏰ ${who} — this merge-back is ${days} ${days === 1 ? "day" : "days"} overdue: \`${shortSha(item.mergeBack.sha)}\` is still not on main, and incident #${incident.number} cannot close until it is.`,
  );
  // Comment by comment: two replicas write the same record (same fields, same text, same
  // signature), which a thread's records count once, so reading those would hide the twin.
  const twins = (await listComments(client, item.number))
    .filter((comment) => reminders(client, [comment], item, deps).some((r) => r.interval === interval))
    .map((comment) => comment.id)
    .sort((a, b) => a - b);
  if (twins.length > 1 && twins[0] !== posted.id) await deleteComment(client, posted.id);
}

/** The reminders already recorded on a merge-back issue (signed, naming its incident). */
function reminders(client: RepoClient, comments: CommentLike[], item: MergeBackIssue, deps: Deps) {
  return threadRecords(comments, deps.records, { repo: client.repoId, incident: item.mergeBack.incident })
    .of("reminder")
    .filter((r) => r.issue === item.number);
}

/** The items an incident's records name; none when the body's incident is no issue here (a view pointing nowhere). */
async function recordedItems(client: RepoClient, incident: number, deps: Deps) {
  try {
    return (await readIncidentThread(client, { number: incident }, deps.records)).mergeBacks;
  } catch (error) {
    if (isApiError(error) && [301, 404, 410].includes(error.status)) return [];
    throw error;
  }
}
