import { LRUCache } from "lru-cache";
import type { Ancestry } from "../policy/gate.js";
import type { ChangedLines } from "../policy/hotfix-discipline.js";
import { describeApiError, isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";

/**
 * Answers "is S reachable from the head of main?" with one compare call. A positive answer
 * stays true while main only moves forward, so it is cached until a push rewrites main
 * (`forgetRepository`); a negative one can change with the next merge, so it never is.
 *
 * With several replicas (`remember: false`) nothing is cached: the push that rewrites main
 * reaches one replica, and the others would go on approving from what they remember. Each read
 * is then a conditional compare, free of the rate limit while main has not moved (a 304).
 */
export class AncestryReader {
  readonly #onMain = new LRUCache<string, string>({ max: 50_000 });
  readonly #remember: boolean;

  constructor({ remember = true }: { remember?: boolean } = {}) {
    this.#remember = remember;
  }
  /**
   * Each repository's count of rewrites of main, part of every key: forgetting is one increment,
   * the old answers are never read again and age out of the cache, and an answer read while main
   * was being rewritten is stored under the key it was asked with, which is already forgotten.
   */
  readonly #rewrites = new Map<number, number>();

  async read(client: RepoClient, mainBranch: string, sha: string): Promise<Ancestry> {
    return (await this.readWithChange(client, mainBranch, sha)).ancestry;
  }

  /**
   * `read`, and S's change against main from the same compare (hotfix discipline's size, SPEC 11):
   * no second request.
   */
  async readWithChange(client: RepoClient, mainBranch: string, sha: string): Promise<{ ancestry: Ancestry; changedLines: ChangedLines }> {
    const known = this.known(client, mainBranch, sha);
    if (known) return { ancestry: known, changedLines: NO_CHANGE };
    const key = this.#key(client, mainBranch, sha);
    const compared = await compareWithMain(client, mainBranch, sha);
    if (compared.ancestry.kind === "on-main" && this.#remember) this.#onMain.set(key, compared.ancestry.mainHead);
    return compared;
  }

  /** The answer `read` would give without asking GitHub: S found on main before (since main was last rewritten), or nothing. */
  known(client: RepoClient, mainBranch: string, sha: string): Ancestry | undefined {
    const cachedHead = this.#onMain.get(this.#key(client, mainBranch, sha));
    return cachedHead ? { kind: "on-main", mainHead: cachedHead } : undefined;
  }

  #key(client: RepoClient, mainBranch: string, sha: string): string {
    return `${client.repoId}:${this.#rewrites.get(client.repoId) ?? 0}:${mainBranch}:${sha}`;
  }

  /** Main was rewritten: no cached "on main" answer for this repository holds any more. */
  forgetRepository(repoId: number): void {
    this.#rewrites.set(repoId, (this.#rewrites.get(repoId) ?? 0) + 1);
  }
}

/** A commit on main changes nothing against it: main...S lists no file. */
const NO_CHANGE: ChangedLines = { lines: 0, complete: true };

/** GitHub lists at most this many files of a compare: a list this long may be cut. */
const COMPARE_FILE_LIMIT = 300;

async function compareWithMain({ octokit, owner, repo }: RepoClient, mainBranch: string, sha: string): Promise<{ ancestry: Ancestry; changedLines: ChangedLines }> {
  try {
    // per_page=1: only status and counts are needed, not the list of commits (GitHub lists the
    // files on the first page whatever per_page says). Main is the branch: `heads/<name>` names
    // refs/heads/<name> alone, while GitHub (as git) would read a bare name as a tag of that name first.
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      owner,
      repo,
      basehead: `heads/${mainBranch}...${sha}`,
      per_page: 1,
    });
    const mainHead = data.base_commit.sha;
    if (data.status === "identical" || data.status === "behind") return { ancestry: { kind: "on-main", mainHead }, changedLines: NO_CHANGE };
    return { ancestry: { kind: "off-main", mainHead, aheadBy: data.ahead_by, behindBy: data.behind_by }, changedLines: linesOf(data.files) };
  } catch (error) {
    // 404/422: GitHub answered, and the answer is that main...S cannot be compared.
    if (isApiError(error) && (error.status === 404 || error.status === 422)) {
      const detail = describeApiError(error);
      return { ancestry: { kind: "not-comparable", detail }, changedLines: { error: detail } };
    }
    if (isApiError(error)) return { ancestry: { kind: "unverifiable", error: describeApiError(error) }, changedLines: { error: describeApiError(error) } };
    throw error;
  }
}

/** What compare lists of a file: its line counts, and the diff GitHub shows (absent when it shows none). */
type ComparedFile = { status: string; additions: number; deletions: number; patch?: string };

/**
 * Lines added + deleted over the files GitHub lists. The count is only a floor when the list is at
 * GitHub's limit (it may be cut), or when a file changed without lines GitHub counts: a binary file,
 * one `.gitattributes` marks `-diff`, one too large to show. Those come with no diff and no counted
 * line, and could hide a fix of any size. A pure rename or copy changes no line.
 */
function linesOf(files: readonly ComparedFile[] | undefined): ChangedLines {
  if (!files) return { error: "GitHub listed no files for it" };
  const lines = files.reduce((n, f) => n + f.additions + f.deletions, 0);
  if (files.length >= COMPARE_FILE_LIMIT) return { lines, complete: false, uncounted: "GitHub listed only some of its files" };
  const uncounted = files.filter(isUncounted).length;
  if (uncounted === 0) return { lines, complete: true };
  return { lines, complete: false, uncounted: `GitHub gives no line count for ${uncounted} of its files, binary or not shown as a diff` };
}

function isUncounted({ status, additions, deletions, patch }: ComparedFile): boolean {
  const counted = additions + deletions;
  if ((status === "renamed" || status === "copied") && counted === 0) return false;
  return counted === 0 || !patch;
}
