/**
 * Kinds of request the app's own hooks treat apart (write pacing across replicas, writes fenced
 * by a repository's lock). A hook sees the route as the caller wrote it (`/issues/{issue_number}/lock`)
 * or already filled in, with GHES's `/api/v3` prefix or not: each pattern takes all of them.
 */

const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** A request that may change something on GitHub: any verb but GET, except a GraphQL query. */
export function isWrite(method: string, url: string): boolean {
  return WRITES.has(method.toUpperCase()) && !isGraphQLQuery(method, url);
}

/**
 * A GraphQL request (`/graphql`, GHES's `/api/graphql`): a POST, but a read, since the app sends
 * GitHub queries only (github/graphql.ts refuses anything else before it is sent).
 */
export function isGraphQLQuery(method: string, url: string): boolean {
  return method.toUpperCase() === "POST" && /^(\/api)?\/graphql$/.test(pathOf(url));
}

/**
 * A request Probot's throttling keeps apart as authentication: above all an installation token,
 * which is the app's, not the installation's, and which every request of the client waits for
 * (a gate's read included, whatever work asked for the token first).
 */
export function isAppAuthentication(method: string, url: string): boolean {
  const verb = method.toUpperCase();
  const path = pathOf(url);
  if (verb === "POST") return /\/app\/installations\/[^/]+\/access_tokens$|\/applications\/[^/]+\/token$|^\/login\/oauth\/access_token$/.test(path);
  return verb === "PATCH" && /\/applications\/[^/]+\/token\/scoped$/.test(path);
}

/**
 * The gate's own answer: a protection rule's approval or refusal, or the failure status of a
 * refused deployment. A deploy waits on it, and it decides what may run: nothing may hold it back.
 */
export function isGateAnswer(method: string, url: string): boolean {
  if (method.toUpperCase() !== "POST") return false;
  return /\/actions\/runs\/[^/]+\/deployment_protection_rule$|\/deployments\/[^/]+\/statuses$/.test(pathOf(url));
}

/**
 * A write that only puts back what the same work undid a moment before (an issue's lock, taken
 * off to post on it): doing it twice changes nothing, and leaving it undone would.
 */
export function restoresState(method: string, url: string): boolean {
  return method.toUpperCase() === "PUT" && /\/issues\/[^/]+\/lock$/.test(pathOf(url));
}

function pathOf(url: string): string {
  return new URL(url, "http://github.test").pathname;
}
