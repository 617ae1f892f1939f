import type { RepoClient } from "../../github/client.js";
import { resolveSha } from "../../github/resolve-sha.js";
import { escapeUserText } from "../../policy/text.js";

/**
 * The commit a command's typed sha names, or the reply saying why it names none: no such commit, or
 * a ref of that very name, which GitHub reads before a commit (someone may have made a commit to
 * share the prefix and named a ref after it), so more of the sha is needed.
 */
export async function typedCommit(client: RepoClient, typed: string): Promise<{ sha: string } | { error: string }> {
  const resolved = await resolveSha(client, typed);
  if ("sha" in resolved) return resolved;
  const shown = `\`${escapeUserText(typed, 40)}\``;
  if (resolved.refused === "no-commit") return { error: `${shown} is not a commit in this repository` };
  return { error: `${shown} is also the name of a branch, tag or other ref in this repository, which GitHub reads before a commit, so it could mean another commit: type the commit's full sha` };
}
