import type { Octokit } from "./client.js";

/**
 * One GraphQL query: what REST tells only in several requests (a short sha and the refs that
 * could shadow it, a day of main's history with each commit's line counts) in one. Queries
 * only: the hooks treat a request to /graphql as a read (write-kinds.ts), so a document that is
 * not one named `query` is refused before it is sent.
 *
 * Probot's throttling spaces GraphQL requests as it spaces writes (a second apart per
 * installation), so a query belongs where it replaces two or more reads, never on a gate's path.
 */
export async function queryGitHub<T>(octokit: Octokit, document: string, variables: Record<string, unknown>): Promise<T> {
  if (!/^\s*query\s+\w+\s*[({]/.test(document) || /\b(mutation|subscription)\b/.test(document)) {
    throw new Error("only a named GraphQL query may be sent to GitHub");
  }
  return octokit.graphql<T>(document, variables);
}

/** An error GitHub's GraphQL endpoint answered with (octokit throws them as a GraphqlResponseError). */
type GraphQLError = { type?: string; message?: string; path?: ReadonlyArray<string | number> };

function graphQLErrors(error: unknown): readonly GraphQLError[] | undefined {
  if (!(error instanceof Error) || error.name !== "GraphqlResponseError") return undefined;
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as GraphQLError[]) : undefined;
}

/**
 * Whether a query failed only because something it asked for does not exist (each error of type
 * NOT_FOUND, as GitHub says of a repository it cannot find or the app cannot see): REST's 404.
 * Rate limits, timeouts, refusals and GitHub's own failures are not.
 */
export function isNotFoundOnly(error: unknown): boolean {
  const errors = graphQLErrors(error);
  return errors !== undefined && errors.length > 0 && errors.every((e) => e.type === "NOT_FOUND");
}
