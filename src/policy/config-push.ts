import { CONFIG_PATH } from "../public-names.js";

/** GitHub lists at most this many commits in a push webhook: a longer push may hide one that changed the file. */
export const PUSH_COMMITS_LISTED = 2048;

/** A commit as a push webhook lists it: the paths it added, modified and removed. */
export type PushedCommit = { added?: readonly string[] | undefined; modified?: readonly string[] | undefined; removed?: readonly string[] | undefined };

/**
 * Whether a push to main may have changed the config file, so its config before and after is read
 * and compared: a listed commit touched it, history was rewritten, or the list is cut and may hide
 * one. Undefined when it cannot have; else the listed commits that touched it (none after a
 * rewrite or a cut list that shows none).
 */
export function configTouchingCommits<C extends PushedCommit>(push: { commits: readonly C[]; forced: boolean }): C[] | undefined {
  const touching = push.commits.filter((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(CONFIG_PATH));
  return touching.length === 0 && !push.forced && push.commits.length < PUSH_COMMITS_LISTED ? undefined : touching;
}
