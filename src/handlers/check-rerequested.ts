import type { Context } from "probot";
import { decisionLog } from "../decision-log.js";
import { getPull } from "../github/pulls.js";
import type { AppDeps } from "../delivery/deps.js";
import { evaluatePullRequest } from "../procedures/evaluate-pr.js";
import { CONFIG_CHECK, MERGE_FIRST_CHECK } from "../public-names.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * "Re-run" on one of mainline's check runs, or on the whole suite: evaluate each pull request
 * of that head again; the check runs are updated in place.
 * 1. a re-run of one check run counts only for mainline's own (`mainline/merge-first`, `mainline/config`)
 * 2. a head in no pull request of this repository has nothing to evaluate: no call at all
 * 3. read the config
 * 4. each pull request the payload names: read it as it is now, then evaluate it (evaluate-pr)
 */
export function onCheckRerequested(deps: AppDeps) {
  return async (context: Context<"check_run.rerequested" | "check_suite.rerequested">): Promise<void> => {
    const { payload } = context;
    const pulls = "check_run" in payload ? payload.check_run.pull_requests : payload.check_suite.pull_requests;
    if ("check_run" in payload && ![MERGE_FIRST_CHECK, CONFIG_CHECK].includes(payload.check_run.name)) return;
    if (pulls.length === 0) return;
    const repo = await repoContext(context, deps);
    const decisions = decisionLog(context);
    for (const { number } of pulls) await evaluatePullRequest(repo, await getPull(repo.client, number), deps, decisions);
  };
}
