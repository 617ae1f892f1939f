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
