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
  try {
    return await octokit.graphql<T>(document, variables);
  } catch (error) {
    const errors = graphQLErrors(error);
    throw errors ? new QueryRefused(errors) : error;
  }
}

/**
 * A query GitHub answered with errors instead of data (one that ran out of time, a repository it
 * cannot find), as an API error: an HTTP 200 with GitHub's first message, so callers that tell
 * GitHub's refusals from their own failures by a status (api-error.ts) tell this one too.
 */
export class QueryRefused extends Error {
  readonly status = 200;
  constructor(readonly errors: readonly GraphQLError[]) {
    super(`the query failed: ${errors[0]?.message ?? "no message"}`);
    this.name = "QueryRefused";
  }
}

/** An error GitHub's GraphQL endpoint answered with (octokit throws them as a GraphqlResponseError). */
type GraphQLError = { type?: string; message?: string; path?: ReadonlyArray<string | number> };

/**
 * GitHub's errors in a query's answer: octokit's GraphqlResponseError carries them, and so does the
 * plain Error Probot's throttling throws for an answer whose error is RATE_LIMITED (its `data`).
 */
function graphQLErrors(error: unknown): readonly GraphQLError[] | undefined {
  if (!(error instanceof Error)) return undefined;
  const errors = error.name === "GraphqlResponseError" ? (error as { errors?: unknown }).errors : (error as { data?: { errors?: unknown } }).data?.errors;
  return Array.isArray(errors) && errors.length > 0 ? (errors as GraphQLError[]) : undefined;
}

/**
 * Whether a query failed only because something it asked for does not exist (each error of type
 * NOT_FOUND, as GitHub says of a repository it cannot find or the app cannot see): REST's 404.
 * Rate limits, timeouts, refusals and GitHub's own failures are not.
 */
export function isNotFoundOnly(error: unknown): boolean {
  return error instanceof QueryRefused && error.errors.length > 0 && error.errors.every((e) => e.type === "NOT_FOUND");
}

/**
 * Many commits asked in one query, each under an alias named like its variable (`$c0` as `c0`),
 * with the same `selection` on each: the variables to declare, the fields to ask and the values to
 * send. A name is never built from what the commit is, so nothing a user typed reaches the document.
 */
export function commitsAsked(shas: readonly string[], selection: string): { declared: string; fields: string; values: Record<string, string> } {
  return {
    declared: shas.map((_, i) => `, $c${i}: GitObjectID!`).join(""),
    fields: shas.map((_, i) => ` c${i}: object(oid: $c${i}) { ${selection} }`).join(""),
    values: Object.fromEntries(shas.map((sha, i) => [`c${i}`, sha])),
  };
}
