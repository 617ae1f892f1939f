import type { Site } from "../model.js";

/**
 * GitHub's GraphQL endpoint, for the app's own named queries: each operation answers from the
 * model as GitHub would (test/helpers/openapi.ts checks the document against GitHub's schema).
 * An operation this server does not know is a failed test, never a silent empty answer.
 */
export type GraphQLOperation = (site: Site, variables: Record<string, unknown>) => unknown;

export function installGraphQLRoutes(site: Site, operations: Record<string, GraphQLOperation>, problems: string[]): void {
  const answer = ({ body }: { body: { query?: unknown; variables?: Record<string, unknown> } | undefined }) => {
    const name = typeof body?.query === "string" ? /^\s*query\s+(\w+)/.exec(body.query)?.[1] : undefined;
    const operation = name === undefined ? undefined : operations[name];
    if (!operation) {
      problems.push(`the test server has no GraphQL operation ${name ?? "(unnamed)"}`);
      return { status: 200, body: { errors: [{ message: `unknown operation ${name ?? "(unnamed)"}` }] } };
    }
    return { status: 200, body: { data: operation(site, body?.variables ?? {}) } };
  };
  // GitHub.com's endpoint, and GHES's beside its /api/v3 (where the tests' GHE_HOST puts the app).
  site.route("POST", "/graphql", answer);
  site.route("POST", "/api/graphql", answer);
}
