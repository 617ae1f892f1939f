import type { Context } from "probot";
import { readMovedThread } from "../github/incidents.js";
import type { AppDeps } from "../delivery/deps.js";
import { endExceptions } from "../incidents/incident-runs.js";
import { keepExceptionDeploys, type Transfer } from "../incidents/keep-exception-deploys.js";
import { keepUnreadTransfer } from "../incidents/keep-unread-transfer.js";
import { logGoneReview, reopenGoneReview } from "../reviews/reopen-gone-review.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `issues.transferred`: an incident moved to another repository takes no exception along (SPEC
 * section 8): its exceptions end here, as a close ends them. Its comments moved with it; GitHub
 * redirects the old address, and the records still name this repository and the old number, so
 * they count nowhere now: its exception deploys are written again into an issue of this repository,
 * where the hotfix budget (SPEC 11) still counts them.
 * When the app cannot read it there (GitHub answers the old address 404 when the app may not read
 * the new repository), the delivery still succeeds, failing closed: a record here says that an issue
 * left unread, and the budget counts as not verified for its days. Its exceptions cannot be named
 * without its records, but none is honoured: the gate asks whether the incident is an open issue here.
 * So does an issue longer than the app reads, for what it could not read.
 * 1. read the config, and the moved issue's thread through its old address (none when GitHub no longer shows it)
 * 2. an incident → end its exceptions here
 * 3. the exception deploys its thread holds → written again into an issue of this repository
 * 4. a post-merge review moved away → opened here again
 * 5. a thread not read whole (or not at all) → a record here that an issue left unread
 */
export function onIssueTransferred(deps: AppDeps) {
  return async (context: Context<"issues.transferred">): Promise<void> => {
    const { issue, changes, sender } = context.payload;
    const repo = await repoContext(context, deps);
    const to = { repository: changes.new_repository.full_name, number: changes.new_issue.number, url: changes.new_issue.html_url };
    const transfer: Transfer = { moved: issue.number, by: sender.login, to, at: repo.now().toISOString() };
    const thread = await readMovedThread(repo.client, issue, deps.records);
    if (thread?.isIncident) await endExceptions(repo, issue.number, thread, deps);
    const kept = thread ? await keepExceptionDeploys(repo.client, deps, transfer, thread.comments) : [];
    for (const trail of kept) context.log.info({ moved: issue.number, ...trail }, "an issue holding exception deploys left the repository: they are kept in an issue here for the hotfix budget");
    // A post-merge review moved away is not done: it opens here again (a thread not read shows no close that was a review).
    logGoneReview(repo, issue.number, await reopenGoneReview(repo, deps, { issue, by: sender.login, to }, thread?.comments ?? []));
    if (thread?.complete) return;
    const unread = await keepUnreadTransfer(repo.client, deps, transfer, thread ? "part" : "none", issue.updated_at);
    context.log.warn({ moved: issue.number, to: to.repository, ...unread }, "an issue left the repository without mainline seeing all it held: the hotfix budget counts as not verified for its days");
  };
}
