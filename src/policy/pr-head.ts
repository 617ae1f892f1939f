import { codeSpan } from "./text.js";
import { couldNotVerify, judgesCommits, type PrCheckDecision, type PrFacts } from "./pr-check.js";

/** How many other open pull requests into release branches with the same head are evaluated too: each costs an evaluation. */
export const SIBLING_LIMIT = 5;

/** GitHub lists one page of 100 pull requests of a commit: a full one may leave out the pull request that fails. */
export const PULLS_PAGE = 100;

/** A pull request as GitHub lists it for a commit. */
export type ListedPull = { number: number; state: string; headSha: string; baseRef: string };

/** A sibling's own result: the pull request's number and base say in the summary whose it is. */
export type SiblingResult = { number: number; baseRef: string; decision: PrCheckDecision };

const SEVERITY = { success: 0, neutral: 1, failure: 2 } as const;

/**
 * The other open pull requests with this head, each evaluated too; or the check when a bound
 * stops it: a full page of pulls, or more siblings into release branches than SIBLING_LIMIT.
 */
export function siblingsToEvaluate<P extends ListedPull>(
  pull: { number: number; headSha: string },
  listed: readonly P[],
  branches: Pick<PrFacts, "mainBranch" | "releaseBranches" | "mode">,
): { siblings: P[] } | { decision: PrCheckDecision } {
  if (listed.length >= PULLS_PAGE) return { decision: couldNotVerify(branches.mode, { what: "pulls", limit: PULLS_PAGE }) };
  const siblings = listed.filter((p) => p.number !== pull.number && p.state === "open" && p.headSha === pull.headSha);
  const judged = siblings.filter((p) => judgesCommits({ baseRef: p.baseRef, mainBranch: branches.mainBranch, releaseBranches: branches.releaseBranches }));
  if (judged.length > SIBLING_LIMIT) return { decision: couldNotVerify(branches.mode, { what: "siblings", limit: SIBLING_LIMIT }) };
  return { siblings };
}

/**
 * A check run belongs to a commit, not to a pull request: when the same head is in several open
 * pull requests (a hotfix into main and into a release branch), the run shows the strictest of
 * their results, so an easy one can never overwrite a failing one. On a tie the pull request's own
 * (or the earlier sibling's) stays; a sibling with no check changes nothing.
 */
export function strictestResult(own: PrCheckDecision, siblings: readonly SiblingResult[]): PrCheckDecision {
  let strictest = own;
  for (const { number, baseRef, decision } of siblings) {
    if (decision.kind !== "check") continue;
    if (strictest.kind !== "check" || SEVERITY[decision.conclusion] > SEVERITY[strictest.conclusion]) {
      strictest = { ...decision, summary: `This commit is also the head of pull request #${number} into ${codeSpan(baseRef, 100)}; its result is the strictest, so it is shown.\n\n${decision.summary}` };
    }
  }
  return strictest;
}
