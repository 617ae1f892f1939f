import type { GateOutcome } from "./gate.js";

/** The refusals a compare view explains: S is not on main, or whether it is could not be told. */
const MAIN_FIRST: readonly GateOutcome[] = ["off-main", "not-comparable", "unverifiable"];

/**
 * Where a refused deployment's failure status links to: main...S shows why S is not on main; a
 * refusal of a commit on main by its promotion rule is about its deployments, which the
 * repository's deployments page lists.
 */
export function refusalLink(repositoryUrl: string, mainBranch: string, sha: string, outcome: GateOutcome): string {
  return MAIN_FIRST.includes(outcome) ? `${repositoryUrl}/compare/${encodeURIComponent(mainBranch)}...${sha}` : `${repositoryUrl}/deployments`;
}
