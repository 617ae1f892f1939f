import { readRecentExceptionDeploys } from "../../github/exception-deploys.js";
import { decideHotfixGrant, hotfixReads, matchCriterion, type ChangedLines, type GrantDecision } from "../../policy/hotfix-discipline.js";
import type { CommandEnv } from "./types.js";

/**
 * `/hotfix allow`'s discipline (SPEC 11). The criterion first: a reason that names none is
 * refused without a read. Then only what the config asks for, side by side: S's change against
 * main (the ancestry compare, one request, none when S is known on main; `changedLines` when the
 * caller already read it) and the app's records within the budget's days: exception deploys, grants
 * not used yet, issues that left unread. Read after the earlier lines of the same comment wrote their
 * grants, so two `/hotfix allow` lines in one comment see each other.
 */
export async function decideGrant(env: CommandEnv, sha: string, reason: string, known: { changedLines?: ChangedLines } = {}): Promise<GrantDecision> {
  const { repo, deps } = env;
  const { hotfix, override } = repo.config;
  const criterion = matchCriterion(reason, hotfix.criteria);
  if (!criterion.ok) return criterion;
  const now = repo.now();
  const reads = hotfixReads(hotfix, now);
  const [changedLines, recentDeploys] = await Promise.all([
    reads.changedLines ? (known.changedLines ?? deps.ancestry.readWithChange(repo.client, repo.mainBranch, sha).then((c) => c.changedLines)) : undefined,
    reads.deploysSince ? readRecentExceptionDeploys(repo.client, deps.records, reads.deploysSince) : undefined,
  ]);
  return decideHotfixGrant({
    sha,
    reason,
    approvals: override.approvals,
    hotfix,
    now,
    ...(changedLines ? { changedLines } : {}),
    ...(recentDeploys ? { recentDeploys } : {}),
  });
}
