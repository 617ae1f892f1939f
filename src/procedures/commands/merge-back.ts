import { typedCommit } from "./typed-commit.js";
import { ensureMergeBackIssue } from "../../incidents/open-merge-back.js";
import { rewriteLedger } from "../../incidents/refresh-ledger.js";
import type { CommandEnv, Outcome } from "./types.js";

/** `/merge-back <sha>`: tracks a commit by hand, e.g. one deployed before mainline was installed. */
export async function runMergeBack(env: CommandEnv, shaArgument: string): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const typed = await typedCommit(repo.client, shaArgument);
  if ("error" in typed) return { ok: false, error: typed.error };
  const { sha } = typed;
  await ensureMergeBackIssue(repo, issue, sha, `was marked for merge-back by hand in incident #${issue.number}`, deps);
  await rewriteLedger(repo, issue, deps);
  return { ok: true };
}
