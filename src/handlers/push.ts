import type { Context } from "probot";
import { pullsOfCommitsOnce } from "../github/pulls-of-commits.js";
import { shasToAsk } from "../policy/post-merge-review.js";
import { announceConfigWeakening, type ConfigPush } from "../procedures/announce-config.js";
import type { AppDeps } from "../delivery/deps.js";
import { openPostMergeReview, type MainPush } from "../reviews/open-post-merge-review.js";
import { settlePushedMergeBacks } from "../incidents/recheck-merge-backs.js";
import { pushTime } from "../policy/push-time.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `push` to main: the moment a merge-back can become done, and the moment commits that skipped review show.
 * 1. a push that rewrites a branch forgets the repository's cached "on main" answers at once,
 *    before the delivery waits its turn: a gate deciding meanwhile must ask GitHub again
 * 2. then, in the repository's turn, for main: announce a weakened config
 * 3. re-check every open merge-back item against the pushed commits; rewrite the ledgers of the
 *    incidents whose items are done, then close those items
 * 4. commits no pull request merged (an admin bypassing branch protection) open the push's post-merge review,
 *    whatever 3 came to (an item GitHub cannot verify never spares a push its review)
 * The pushed commits' pull requests, which 3 and 4 both read, are one GraphQL query, asked once.
 */
export function onPush(deps: AppDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const { payload } = context;
    // GitHub sets `forced` when `before` is not an ancestor of `after`; a deleted or created branch
    // (delete and push again) is rewritten too. Whatever was on main may be on it no longer. Any
    // branch: which one is main comes from the config, which this step must not wait for; forgetting
    // for another branch costs one compare later.
    if (payload.forced || payload.created || payload.deleted) deps.ancestry.forgetRepository(payload.repository.id);
    await deps.queue.run(payload.repository.id, () => pushInTurn(context, deps));
  };
}

async function pushInTurn(context: Context<"push">, deps: AppDeps): Promise<void> {
  const { payload } = context;
  if (!payload.ref.startsWith("refs/heads/")) return;
  const repo = await repoContext(context, deps);
  if (payload.ref !== `refs/heads/${repo.mainBranch}`) return;
  if (payload.deleted) return;
  // First what depends on no view of issues: a labelled issue naming a missing incident must not hold the announcement back.
  await announceConfigWeakening(repo, deps, configPush(payload));
  const pushed = payload.commits.map((c) => ({ sha: c.id, message: c.message }));
  const pullsOfPushed = pullsOfCommitsOnce(repo.client, shasToAsk(payload.after, pushed));
  try {
    await settlePushedMergeBacks(repo, deps, pushed, pullsOfPushed);
  } finally {
    // Whatever the items came to: an item whose facts GitHub refuses (a diff too large to serve)
    // must not spare the push its review. Last otherwise: the review's issue and record are two
    // content creations (GitHub paces those 3 s apart), which the items' closes need not wait behind.
    const review = await openPostMergeReview(repo, deps, mainPush(payload, pushed), pullsOfPushed);
    if (review.outcome !== "none") context.log.info({ after: payload.after, ...review }, `${review.outcome === "would-open" ? "[shadow] enforce mode would open a post-merge review" : "post-merge review"}: a push to main carried commits no pull request merged`);
  }
}

/** The push as the config announcement needs it: the payload's facts, its time read as the post-merge review reads it. */
function configPush(payload: Context<"push">["payload"]): ConfigPush {
  const pushedAt = pushTime(payload.repository.pushed_at);
  return {
    before: payload.before,
    after: payload.after,
    created: payload.created,
    forced: payload.forced,
    commits: payload.commits,
    headCommit: payload.head_commit,
    pusher: payload.pusher.name,
    repositoryUrl: payload.repository.html_url,
    ...(pushedAt ? { pushedAt } : {}),
  };
}

/** The push as the post-merge review needs it: who pushed is GitHub's authenticated sender (well-formed.ts: always there), by login and account. */
function mainPush(payload: Context<"push">["payload"], commits: MainPush["commits"]): MainPush {
  const pushedAt = pushTime(payload.repository.pushed_at);
  const sender = payload.sender!;
  return {
    after: payload.after,
    forced: payload.forced,
    commits,
    pusher: { login: sender.login, account: sender.id },
    compareUrl: payload.compare,
    repositoryUrl: payload.repository.html_url,
    ...(pushedAt ? { pushedAt } : {}),
  };
}
