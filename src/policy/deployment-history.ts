/** A deployment status as GitHub lists it (`state` as sent: success, failure, error, inactive, in_progress, …). */
export type StatusFacts = { state: string; createdAt: string };

/** A deployment and its statuses, newest status first, as `GET …/deployments/{id}/statuses` returns them. */
export type DeploymentFacts = {
  id: number;
  environment: string;
  sha: string;
  createdAt: string;
  statuses: readonly StatusFacts[];
};

/** GitHub treats environment names case-insensitively. */
export function sameEnvironment(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Whether the deployment reached its environment once. A later deployment marks it `inactive`,
 * so the newest status says nothing about that: any `success` does.
 */
export function everSucceeded(deployment: DeploymentFacts): boolean {
  return deployment.statuses.some((s) => s.state === "success");
}

/** Newest first: by creation time, then by id (GitHub's ids grow), so equal timestamps keep one order. */
export function newestFirst(a: DeploymentFacts, b: DeploymentFacts): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id;
}
