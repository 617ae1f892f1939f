import type { Context } from "probot";
import { getIssue } from "../github/issues.js";
import type { Deps } from "./deps.js";
import { recheckMergeBacks } from "./recheck-merge-backs.js";
import { rewriteLedger } from "./refresh-ledger.js";
import { repoContext } from "./repo-context.js";

/**
 * `push` to main: the moment a merge-back can become done. Re-checks every open merge-back
 * item against the pushed commits, closes the done ones, and rewrites their incidents' ledgers.
 */
export function onPush(deps: Deps) {
  return async (context: Context<"push">): Promise<void> => {
    const { payload } = context;
    if (payload.deleted || !payload.ref.startsWith("refs/heads/")) return;
    const repo = await repoContext(context);
    if (payload.ref !== `refs/heads/${repo.mainBranch}`) return;
    const candidates = payload.commits.map((c) => ({ sha: c.id, message: c.message }));
    const changed = await recheckMergeBacks(repo.client, repo.config, repo.mainBranch, deps, { candidates });
    for (const number of changed) {
      const incident = await getIssue(repo.client, number);
      await rewriteLedger(repo.client, repo.config, repo.mainBranch, incident, deps);
    }
  };
}
