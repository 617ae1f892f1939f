import type { RepoClient } from "./client.js";
import { isNotFoundOnly, queryGitHub } from "./graphql.js";

/**
 * Where git's rev-parse looks for a ref named `<name>` before it reads `<name>` as an object id
 * (`ref_rev_parse_rules` in git's refs.c, in its order). The first rule, `<name>` itself at the top
 * of the repository, holds only pseudo-refs (HEAD, FETCH_HEAD: capitals and `_`), which a push
 * cannot create and a lower-case hex name never is.
 */
const SHADOWING_REFS = {
  refs: (name: string) => `refs/${name}`,
  tags: (name: string) => `refs/tags/${name}`,
  heads: (name: string) => `refs/heads/${name}`,
  remotes: (name: string) => `refs/remotes/${name}`,
  remoteHead: (name: string) => `refs/remotes/${name}/HEAD`,
} as const;

type Alias = keyof typeof SHADOWING_REFS;
const ALIASES = Object.keys(SHADOWING_REFS) as Alias[];

/**
 * The commit a typed sha names and every ref that could take its place, in one query. The refs are
 * exact `ref(qualifiedName:)` lookups, never `refs(query:)` (a substring search whose first page
 * decoys could fill, pushing the exact match out of sight).
 */
const RESOLVE_SHA = `query ResolveSha($owner: String!, $name: String!, $sha: String!, ${ALIASES.map((a) => `$${a}: String!`).join(", ")}) {
  repository(owner: $owner, name: $name) {
    object(expression: $sha) { ... on Commit { oid } }
    ${ALIASES.map((a) => `${a}: ref(qualifiedName: $${a}) { name }`).join("\n    ")}
  }
}`;

type ResolveShaAnswer = { repository: ({ object: { oid?: string } | null } & Record<Alias, { name: string } | null>) | null };

/**
 * The full SHA of a 7–40 hex sha typed in a command; refused when it names no commit of the
 * repository (`no-commit`), or could name another (`also-a-ref`): GitHub, like git, reads a name as a ref before it reads it as
 * an object id, so someone who made a commit sharing the typed prefix and named a branch (a tag, a
 * remote-tracking ref, a bare `refs/<sha>`) after it would otherwise have their commit answered.
 * Any ref of that name makes the sha ambiguous, and refused. One GraphQL query, where REST took
 * three reads (the commit, then the branches and the tags of that name).
 *
 * A full sha is checked the same way: git itself takes 40 hex digits as the object even when a ref
 * has that name (`get_oid_basic` in git's object-name.c, which only warns), but GitHub documents no
 * such rule for `object(expression:)` ("a Git revision expression suitable for rev-parse"), so a ref
 * of that name refuses it too.
 *
 * GitHub answers a repository it cannot find (or that the app cannot see) with a NOT_FOUND error,
 * as REST answers 404: the sha names no commit here. Any other error fails the delivery, to be
 * redelivered.
 */
export async function resolveSha({ octokit, owner, repo }: RepoClient, typed: string): Promise<ResolvedSha> {
  const sha = typed.toLowerCase();
  if (!/^[0-9a-f]{7,40}$/.test(sha)) return NO_COMMIT;
  const refs = Object.fromEntries(ALIASES.map((alias) => [alias, SHADOWING_REFS[alias](sha)]));
  let answer: ResolveShaAnswer;
  try {
    answer = await queryGitHub<ResolveShaAnswer>(octokit, RESOLVE_SHA, { owner, name: repo, sha, ...refs });
  } catch (error) {
    if (isNotFoundOnly(error)) return NO_COMMIT;
    throw error;
  }
  const repository = answer.repository;
  if (repository && ALIASES.some((alias) => repository[alias] !== null)) return { refused: "also-a-ref" };
  const oid = repository?.object?.oid;
  return oid !== undefined && oid.toLowerCase().startsWith(sha) ? { sha: oid } : NO_COMMIT;
}

/** What a typed sha came to: its commit, or why it names none the app may act on. */
export type ResolvedSha = { sha: string } | { refused: "no-commit" | "also-a-ref" };
const NO_COMMIT: ResolvedSha = { refused: "no-commit" };
