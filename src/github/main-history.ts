import type { CommitCounts, CountedCommit } from "../policy/patch-candidates.js";
import type { RepoClient } from "./client.js";
import { commitsAsked, queryGitHub } from "./graphql.js";

/** How many commits of the history are listed (bounded: this runs per close and per merge-back check). */
const LISTED = 300;
/** How many commits' own counts one query asks (one alias each); those past it are not known, which rules out no candidate. */
const ASKED = 100;
/** GitHub's most to a page. */
const PAGE = 100;

/**
 * Main's commits since a moment, newest first, with GitHub's counts; and the counts of the commits
 * asked about. `cut`: main has more commits since then than were listed (the oldest are missing).
 */
export type MainHistory = { commits: CountedCommit[]; countsOf: ReadonlyMap<string, CommitCounts>; cut: boolean };

type Counts = { additions: number; deletions: number; changedFilesIfAvailable: number | null; parents: { totalCount: number } };
type History = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Array<Counts & { oid: string; message: string }> };
/** `cN`: the commit asked as `$cN`; an object that is not a commit answers none of its fields. */
type Page = { repository: { ref: { target: { history?: History } } | null } & { [commit: `c${number}`]: Partial<Counts> | null } };

const COUNTS = "additions deletions changedFilesIfAvailable parents { totalCount }";

/**
 * One query: a page of the branch's history since `since` (newest first, as `git log` lists it),
 * and GitHub's counts of each commit in `shas` (`commitsAsked`). Only the first page asks about `shas`.
 */
function historyQuery(shas: readonly string[]) {
  const asked = commitsAsked(shas, `... on Commit { ${COUNTS} }`);
  const document =
    `query MainHistorySince($owner: String!, $name: String!, $branch: String!, $since: GitTimestamp!, $after: String${asked.declared}) {` +
    ` repository(owner: $owner, name: $name) {` +
    ` ref(qualifiedName: $branch) { target { ... on Commit { history(first: ${PAGE}, since: $since, after: $after) {` +
    ` pageInfo { hasNextPage endCursor } nodes { oid message ${COUNTS} } } } } }${asked.fields} } }`;
  return { document, values: asked.values };
}

/**
 * Main's history since a moment with each commit's line counts, and the counts of the commits in
 * `shas` (S's of the items checked against it), in one GraphQL query while the history fits in a
 * page of 100, at most LISTED commits. What REST tells in a list of commits and a read per commit.
 */
export async function mainHistory({ octokit, owner, repo }: RepoClient, branch: string, since: string, shas: readonly string[]): Promise<MainHistory> {
  const asked = [...new Set(shas.map((sha) => sha.toLowerCase()))].slice(0, ASKED);
  const commits: CountedCommit[] = [];
  const countsOf = new Map<string, CommitCounts>();
  let after: string | null = null;
  let withCommits = asked;
  do {
    const query = historyQuery(withCommits);
    const page: Page = await queryGitHub<Page>(octokit, query.document, { owner, name: repo, branch: `refs/heads/${branch}`, since, after, ...query.values });
    withCommits.forEach((sha, i) => {
      const counts = page.repository[`c${i}`];
      if (counts?.parents) countsOf.set(sha, countsOfCommit(counts as Counts));
    });
    withCommits = [];
    // A branch that does not exist has no history.
    const history = page.repository.ref?.target.history;
    if (!history) break;
    commits.push(...history.nodes.map((node) => ({ sha: node.oid, message: node.message, counts: countsOfCommit(node) })));
    after = history.pageInfo.hasNextPage ? history.pageInfo.endCursor : null;
  } while (after !== null && commits.length < LISTED);
  return { commits: commits.slice(0, LISTED), countsOf, cut: after !== null || commits.length > LISTED };
}

/** GitHub counts no lines of a commit whose changed files it could not count. */
function countsOfCommit({ additions, deletions, changedFilesIfAvailable, parents }: Counts): CommitCounts {
  return { lines: changedFilesIfAvailable === null ? undefined : { additions, deletions }, parents: parents.totalCount };
}
