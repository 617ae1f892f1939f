import type { Context } from "probot";
import { decisionLog } from "../decision-log.js";
import { getIssue } from "../github/issues.js";
import type { PullSummary } from "../github/pulls.js";
import { codeSpan } from "../policy/text.js";
import type { AppDeps } from "../delivery/deps.js";
import { evaluatePullRequest } from "../procedures/evaluate-pr.js";
import { ensureMergeBackIssue } from "../incidents/open-merge-back.js";
import { repoContext } from "../delivery/repo-context.js";

type PullPayload = { pull_request: { number: number; merged?: boolean | null; base: { ref: string; sha: string }; head: { ref: string; sha: string } } };

/**
 * `pull_request` opened, reopened, synchronize, edited with a new base: evaluate the checks.
 * Closed by a merge into a release branch under an exception: its commits that are not on main
 * get merge-back issues in that incident (pushes to main do the rest).
 * 1. any other action (an edit that keeps the base, a close without a merge) → nothing, no call
 * 2. read the config; evaluate the pull request from the payload (evaluate-pr: the check runs)
 * 3. merged, with commits not on main that an exception covered → each gets its merge-back issue
 *    in the incident whose exception let it in (open-merge-back)
 */
export function onPullRequest(deps: AppDeps) {
  return async (context: Context<"pull_request">): Promise<void> => {
    const { payload } = context;
    if (payload.action === "edited" && !payload.changes?.base) return;
    if (!["opened", "reopened", "synchronize", "edited", "closed"].includes(payload.action)) return;
    if (payload.action === "closed" && !payload.pull_request.merged) return;
    const repo = await repoContext(context, deps);
    const pull = summary(payload as unknown as PullPayload);
    const { decision, exception } = await evaluatePullRequest(repo, pull, deps, decisionLog(context));
    if (payload.action !== "closed" || !exception || decision.kind !== "check") return;
    // Each commit's merge-back belongs to the incident whose exception let it in.
    for (const { sha } of decision.offending) {
      const incident = await getIssue(repo.client, exception.incidentOf.get(sha) ?? exception.incident);
      await ensureMergeBackIssue(repo, incident, sha, `was merged into ${codeSpan(pull.baseRef, 100)} by pull request #${pull.number} under an exception in incident #${incident.number}`, deps);
    }
  };
}

function summary({ pull_request: pr }: PullPayload): PullSummary {
  return { number: pr.number, baseRef: pr.base.ref, baseSha: pr.base.sha, headRef: pr.head.ref, headSha: pr.head.sha, merged: Boolean(pr.merged) };
}
