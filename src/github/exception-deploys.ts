import { exceptionDeployments } from "../policy/exceptions.js";
import type { RecentExceptionDeploys } from "../policy/hotfix-discipline.js";
import { readRecord, type RecordFields } from "../records.js";
import { describeApiError, isApiError } from "./api-error.js";
import type { CommentLike, RepoClient } from "./client.js";
import { inAppShape, isOwnComment, type RecordReader } from "./own-comments.js";

/** How many pages of 100 of the repository's comments the budget reads at most (one request each). */
const BUDGET_COMMENT_PAGES = 5;
const PER_PAGE = 100;

type DeployRecords = { deploys: Array<RecordFields<"deploy">>; deployed: Array<RecordFields<"deployed">> };

/**
 * The repository's deploys under exceptions since `since` (hotfix budget, SPEC 11), from the
 * app's signed `deploy` and `deployed` records wherever they stand: the repository's comments
 * written since, newest first. No label is asked (a triager can take `incident` off an issue, and
 * its deploys would drop out of the count). Not complete when the window holds more comments than
 * BUDGET_COMMENT_PAGES pages; not read when a comment of the app's there was changed by someone
 * (it may have been one of these records). Either way the budget counts as not verified.
 */
export async function readRecentExceptionDeploys(client: RepoClient, reader: RecordReader, since: string): Promise<RecentExceptionDeploys> {
  try {
    const { comments, complete } = await commentsSince(client, since);
    const own = comments.filter((c) => isOwnComment(c, reader.appId));
    if (own.some((c) => !inAppShape(reader.key, c.body ?? ""))) return { error: "someone changed one of mainline's comments in that time" };
    const byIncident = new Map<number, DeployRecords>();
    const seen = new Set<string>();
    for (const comment of own) {
      const record = readRecord(reader.key, comment.body);
      if (!record || record.repo !== client.repoId || seen.has(record.sig)) continue;
      seen.add(record.sig);
      const records = byIncident.get(record.incident) ?? { deploys: [], deployed: [] };
      if (record.kind === "deploy") records.deploys.push(record.fields as RecordFields<"deploy">);
      if (record.kind === "deployed") records.deployed.push(record.fields as RecordFields<"deployed">);
      byIncident.set(record.incident, records);
    }
    const deploys = [...byIncident].flatMap(([incident, records]) => exceptionDeployments(records).map((d) => ({ incident, sha: d.sha, deployedAt: d.at })));
    return { deploys, complete };
  } catch (error) {
    if (isApiError(error)) return { error: describeApiError(error) };
    throw error;
  }
}

/**
 * The repository's comments (issues and pull requests) created since `since`, newest first.
 * GitHub's `since` is about updates: a page may go on with older comments edited lately, where
 * the window ends.
 */
async function commentsSince({ octokit, owner, repo }: RepoClient, since: string): Promise<{ comments: CommentLike[]; complete: boolean }> {
  const from = Date.parse(since);
  const comments: CommentLike[] = [];
  for (let page = 1; page <= BUDGET_COMMENT_PAGES; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/comments", { owner, repo, since, sort: "created", direction: "desc", per_page: PER_PAGE, page });
    const listed = data as CommentLike[];
    const inWindow = listed.filter((c) => Date.parse(c.created_at) >= from);
    comments.push(...inWindow);
    if (listed.length < PER_PAGE || inWindow.length < listed.length) return { comments, complete: true };
  }
  return { comments, complete: false };
}
