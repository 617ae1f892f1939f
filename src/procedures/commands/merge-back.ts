import { resolveSha } from "../../github/resolve-sha.js";
import { escapeUserText } from "../../policy/text.js";
import { ensureMergeBackIssue } from "../../incidents/open-merge-back.js";
import { rewriteLedger } from "../../incidents/refresh-ledger.js";
import type { CommandEnv, Outcome } from "./types.js";

/** `/merge-back <sha>`: tracks a commit by hand, e.g. one deployed before mainline was installed. */
export async function runMergeBack(env: CommandEnv, shaArgument: string): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const sha = await resolveSha(repo.client, shaArgument);
  if (!sha) return { ok: false, error: `\`${escapeUserText(shaArgument, 40)}\` is not a commit in this repository` };
  await ensureMergeBackIssue(repo, issue, sha, `was marked for merge-back by hand in incident #${issue.number}`, deps);
  await rewriteLedger(repo, issue, deps);
  return { ok: true };
}
