/**
 * A deployment status as GitHub lists it (`state` as sent: success, failure, error, inactive, in_progress, …).
 * `writtenBy`: whose account GitHub records as its `creator`: an app's bot (GitHub Actions, a deploy
 * app) or a person's. Anyone with push access can write a status (REST "Create a deployment status"),
 * so a person's `success` is a claim, not a deploy tool's report: it never counts as reaching an
 * environment. A failure counts whoever wrote it: it can only make the gate refuse. Absent: not told.
 */
export type StatusFacts = { state: string; createdAt: string; writtenBy?: "app" | "person" };

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
 * so the newest status says nothing about that: any `success` a deploy tool wrote does.
 */
export function everSucceeded(deployment: DeploymentFacts): boolean {
  return deployment.statuses.some(isReportedSuccess);
}

/** A `success` that counts: not one a person's account wrote (`StatusFacts.writtenBy`). */
export function isReportedSuccess(status: StatusFacts): boolean {
  return status.state === "success" && status.writtenBy !== "person";
}

/** Newest first: by creation time, then by id (GitHub's ids grow), so equal timestamps keep one order. */
export function newestFirst(a: Pick<DeploymentFacts, "id" | "createdAt">, b: Pick<DeploymentFacts, "id" | "createdAt">): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id;
}
