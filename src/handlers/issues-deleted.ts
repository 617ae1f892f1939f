import type { Context } from "probot";
import type { AppDeps } from "../delivery/deps.js";
import { logGoneReview, reopenGoneReview } from "../reviews/reopen-gone-review.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `issues.deleted` (an admin, or anyone an organisation lets delete issues): a deleted issue takes
 * its comments along, mainline's records among them, and GitHub announces it with the issue as it was.
 * 1. one of the app's post-merge reviews (the signed record heading the body it had) is not done by
 *    being deleted: it opens here again, saying who deleted the previous one (SPEC 8, 11); a
 *    redelivery opens no second
 * 2. anything else: nothing. What an incident, its items and exceptions are is read from records and
 *    check runs that a deletion cannot make say more: the gate asks whether the incident is still an
 *    open issue here
 */
export function onIssueDeleted(deps: AppDeps) {
  return async (context: Context<"issues.deleted">): Promise<void> => {
    const { issue, sender } = context.payload;
    const repo = await repoContext(context, deps);
    // Its comments went with it: nothing can show a close of it was a review.
    logGoneReview(repo, issue.number, await reopenGoneReview(repo, deps, { issue, by: sender.login }, []));
  };
}
