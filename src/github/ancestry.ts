import { LRUCache } from "lru-cache";
import type { Ancestry } from "../policy/gate.js";
import { describeApiError, isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";

/**
 * Answers "is S reachable from the head of main?" with one compare call. A positive answer
 * stays true (main only moves forward), so it is cached; a negative one can change with the
 * next merge, so it never is.
 */
export class AncestryReader {
  readonly #onMain = new LRUCache<string, string>({ max: 50_000 });

  async read(client: RepoClient, mainBranch: string, sha: string): Promise<Ancestry> {
    const key = `${client.repoId}:${mainBranch}:${sha}`;
    const cachedHead = this.#onMain.get(key);
    if (cachedHead) return { kind: "on-main", mainHead: cachedHead };
    const ancestry = await compareWithMain(client, mainBranch, sha);
    if (ancestry.kind === "on-main") this.#onMain.set(key, ancestry.mainHead);
    return ancestry;
  }
}

async function compareWithMain({ octokit, owner, repo }: RepoClient, mainBranch: string, sha: string): Promise<Ancestry> {
  try {
    // per_page=1: only status and counts are needed, not the list of commits and files.
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      owner,
      repo,
      basehead: `${mainBranch}...${sha}`,
      per_page: 1,
    });
    const mainHead = data.base_commit.sha;
    if (data.status === "identical" || data.status === "behind") return { kind: "on-main", mainHead };
    return { kind: "off-main", mainHead, aheadBy: data.ahead_by, behindBy: data.behind_by };
  } catch (error) {
    // 404/422: GitHub answered, and the answer is that main...S cannot be compared.
    if (isApiError(error) && (error.status === 404 || error.status === 422)) {
      return { kind: "not-comparable", detail: describeApiError(error) };
    }
    if (isApiError(error)) return { kind: "unverifiable", error: describeApiError(error) };
    throw error;
  }
}
