import { readPromotionHistory } from "../../github/promotion-facts.js";
import type { ChangedLines } from "../../policy/hotfix-discipline.js";
import { decidePromotion, promotionReads } from "../../policy/promotion.js";
import { escapeUserText, shortSha } from "../../policy/text.js";
import type { CommandEnv } from "./types.js";

/** What `/hotfix allow` of a commit waives: `waives` for one on main (SPEC 10); `changedLines` from the compare it read, for hotfix discipline. */
export type PromotionWaiver = { ok: true; waives?: string; changedLines?: ChangedLines } | { ok: false; error: string };

/**
 * An exception for a commit on main waives its promotion rule: it is granted only when the gate
 * would refuse S there now, and its record says what it waives ("skipped staging"). A commit off
 * main, or an environment without a rule, is the ordinary exception (main-first). Reads only under
 * a rule: the compare (none when S is known on main), then S's deployments as the gate reads them.
 */
export async function promotionWaiver(env: CommandEnv, sha: string, environment: string): Promise<PromotionWaiver> {
  const { repo, deps } = env;
  const reads = promotionReads(environment, repo.config.promotion);
  if (!reads) return { ok: true };
  const { ancestry, changedLines } = await deps.ancestry.readWithChange(repo.client, repo.mainBranch, sha);
  if (ancestry.kind !== "on-main") return { ok: true, changedLines };
  const decision = decidePromotion({
    sha,
    environment,
    mainBranch: repo.mainBranch,
    grantRole: repo.config.override.permission,
    onApiError: repo.config.onApiError,
    promotion: repo.config.promotion,
    onMain: true,
    now: repo.now(),
    history: await readPromotionHistory(repo.client, sha, reads.environments, deps.appId),
  });
  if (decision.verdict === "refuse") return { ok: true, waives: decision.waives ?? `skipped ${reads.rule.after}`, changedLines };
  return {
    ok: false,
    error: `\`${shortSha(sha)}\` is on \`${repo.mainBranch}\` and may deploy to ${escapeUserText(environment, 100)} without an exception: ${escapeUserText(decision.message, 600)}`,
  };
}
