import type { Site } from "../model.js";

/**
 * GitHub's GraphQL endpoint, for the app's own named queries: each operation answers from the
 * model as GitHub would (test/helpers/openapi.ts checks the document against GitHub's schema).
 * An operation this server does not know is a failed test, never a silent empty answer.
 */
export type GraphQLOperation = (site: Site, variables: Record<string, unknown>) => unknown;

/** An answer with errors beside its data, as GitHub gives one (a repository it cannot find: NOT_FOUND, its field null). */
export class GraphQLErrors {
  constructor(
    readonly data: unknown,
    readonly errors: Array<{ type: string; path: Array<string | number>; message: string }>,
  ) {}
}

export function installGraphQLRoutes(site: Site, operations: Record<string, GraphQLOperation>, problems: string[]): void {
  const answer = ({ body }: { body: { query?: unknown; variables?: Record<string, unknown> } | undefined }) => {
    const name = typeof body?.query === "string" ? /^\s*query\s+(\w+)/.exec(body.query)?.[1] : undefined;
    const operation = name === undefined ? undefined : operations[name];
    if (!operation) {
      problems.push(`the test server has no GraphQL operation ${name ?? "(unnamed)"}`);
      return { status: 200, body: { errors: [{ message: `unknown operation ${name ?? "(unnamed)"}` }] } };
    }
    const answered = operation(site, body?.variables ?? {});
    return { status: 200, body: answered instanceof GraphQLErrors ? { data: answered.data, errors: answered.errors } : { data: answered } };
  };
  // GitHub.com's endpoint, and GHES's beside its /api/v3 (where the tests' GHE_HOST puts the app).
  site.route("POST", "/graphql", answer);
  site.route("POST", "/api/graphql", answer);
}
