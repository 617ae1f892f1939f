import { defaultConfig, type Config } from "../config.js";
import { CONFIG_PATH } from "../public-names.js";
import { weakenings } from "../policy/config-weakening.js";
import type { ConfigHistory } from "../policy/report.js";
import type { RepoClient } from "./client.js";
import { configAt } from "./config-at.js";

/** How many changes of the config one report looks at: each costs up to two reads of the file. */
const CONFIG_CHANGE_LIMIT = 10;

/**
 * The commits on main (the branch, never a tag of its name) that changed `.github/mainline.yml`
 * since `since`, newest first, each compared with its first parent: those that weakened it.
 * One list and at most 2 × 10 reads of the file; past the bound the history is incomplete,
 * and the report says it could not verify the older changes.
 */
export async function readConfigHistory(client: RepoClient, mainBranch: string, since: string): Promise<ConfigHistory> {
  const { octokit, owner, repo } = client;
  const listed = await octokit.request("GET /repos/{owner}/{repo}/commits", { owner, repo, path: CONFIG_PATH, sha: `heads/${mainBranch}`, since, per_page: CONFIG_CHANGE_LIMIT });
  // Two changes in a row share a side (the later one's parent is the earlier one): each commit is read once.
  const read = new Map<string, Promise<Config>>();
  const at = (sha: string | undefined) => (sha === undefined ? Promise.resolve(defaultConfig) : (read.get(sha) ?? read.set(sha, configAt(client, sha)).get(sha)!));
  const changes = await Promise.all(
    listed.data.map(async (c) => {
      // A root commit has no parent: it is compared with the defaults.
      const [before, after] = await Promise.all([at(c.parents[0]?.sha), at(c.sha)]);
      return {
        sha: c.sha,
        author: c.author?.login ?? c.commit.author?.name ?? "unknown",
        date: c.commit.committer?.date ?? c.commit.author?.date ?? since,
        weakenings: weakenings(before, after),
      };
    }),
  );
  return { weakened: changes.filter((c) => c.weakenings.length > 0), complete: !/rel="next"/.test(listed.headers.link ?? ""), limit: CONFIG_CHANGE_LIMIT };
}
