import { refsOf, resolveRef } from "../graph.js";
import type { Repository, Site } from "../model.js";
import { GraphQLErrors, type GraphQLOperation } from "./graphql.js";

/** GitHub's answer for a repository it cannot find (or that the app cannot see): NOT_FOUND, and `repository: null`. */
export function repositoryNotFound(variables: Record<string, unknown>): GraphQLErrors {
  return new GraphQLErrors({ repository: null }, [
    { type: "NOT_FOUND", path: ["repository"], message: `Could not resolve to a Repository with the name '${String(variables.owner)}/${String(variables.name)}'.` },
  ]);
}

/**
 * `ref(qualifiedName:)` as GitHub's schema describes it: the ref of exactly that full name first,
 * then a short name's matches (`refs/heads/<name>`, `refs/tags/<name>`). Its `name` is the short one.
 */
export function refNamed(repo: Repository, qualifiedName: string): { name: string } | null {
  const refs = refsOf(repo);
  const found = [qualifiedName, `refs/heads/${qualifiedName}`, `refs/tags/${qualifiedName}`].find((candidate) => refs.has(candidate));
  return found === undefined ? null : { name: found.replace(/^refs\/(heads\/|tags\/|remotes\/)?/, "") };
}

/**
 * `ResolveSha` (src/github/resolve-sha.ts): `object(expression: $sha)` read as rev-parse reads it
 * (graph.ts `resolveRef`), a Commit answering its `oid`; each other variable is a ref looked up by
 * its qualified name under an alias of the variable's own name.
 */
export const resolveSha: GraphQLOperation = (site: Site, variables) => {
  const repo = site.repoFor({ owner: String(variables.owner), repo: String(variables.name) });
  if (!repo) return repositoryNotFound(variables);
  const { owner: _owner, name: _name, sha, ...refs } = variables;
  const object = resolveRef(repo, String(sha));
  return {
    repository: {
      object: object !== undefined && repo.commits.has(object) ? { oid: object } : null,
      ...Object.fromEntries(Object.entries(refs).map(([alias, qualifiedName]) => [alias, refNamed(repo, String(qualifiedName))])),
    },
  };
};
