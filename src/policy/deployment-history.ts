/**
 * An account as GitHub records it as a deployment's or a status's `creator`: `this-app` (this
 * app's bot), `app` (another app's bot: GitHub Actions' `github-actions[bot]`, a deploy app) or
 * `person` (a person, a machine user's token); null when GitHub names none (a deleted account).
 */
export type Account = { id: number; kind: "this-app" | "app" | "person" } | null;

/**
 * A deployment status as GitHub lists it (`state` as sent: success, failure, error, inactive,
 * in_progress, …) and who wrote it. Anyone with push access, and any app installed with
 * `deployments: write`, can write a status on any deployment (REST "Create a deployment status"),
 * so a `success` counts only as its deployment's own report (`isReportedSuccess`). A failure counts
 * whoever wrote it: it can only make the gate refuse.
 */
export type StatusFacts = { state: string; createdAt: string; writtenBy: Account };

/** A deployment, who created it, and its statuses, newest status first, as `GET …/deployments/{id}/statuses` returns them. */
export type DeploymentFacts = {
  id: number;
  environment: string;
  sha: string;
  createdAt: string;
  createdBy: Account;
  statuses: readonly StatusFacts[];
};

/** GitHub treats environment names case-insensitively. */
export function sameEnvironment(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** How many of a deployment's statuses one read gives (newest first): GitHub's largest page. */
export const STATUS_PAGE = 100;

/**
 * Whether the deployment reached its environment once. A later deployment marks it `inactive`,
 * so the newest status says nothing about that: any `success` that counts does. Not when its
 * statuses fill the page read: the oldest, this app's refusal among them (written first), may be
 * past it, and anyone who may write statuses can push them there.
 */
export function everSucceeded(deployment: DeploymentFacts): boolean {
  return deployment.statuses.length < STATUS_PAGE && deployment.statuses.some((status) => isReportedSuccess(deployment, status));
}

/**
 * A `success` that counts as the deployment's own report: written by the account that created the
 * deployment — a deploy tool creates its deployment and reports on it, so another app's or a
 * person's `success` on someone else's deployment is ignored. The creator may be a person: GitHub
 * Actions creates an `environment:` job's deployment, and writes its statuses, as the person who
 * started the run (cli/cli#5541 shows both `creator`s as that user). On a deployment this app
 * created (a rollback, carried out by the team's deploy tool) any app's report counts: the commit
 * is one that already succeeded there. Never on a deployment this app refused (`refusedHere`): it
 * did not run. Whoever can create deployments can also report their own: that is a writer's power
 * GitHub gives, and the README's Security section says so.
 */
export function isReportedSuccess(deployment: DeploymentFacts, status: StatusFacts): boolean {
  const writer = status.writtenBy;
  if (status.state !== "success" || writer === null || refusedHere(deployment)) return false;
  if (deployment.createdBy?.kind === "this-app") return writer.kind === "app";
  return writer.id === deployment.createdBy?.id;
}

/** The deployment carries this app's own `failure`: the gate refused it, so whatever is said of it since, it did not run. */
export function refusedHere(deployment: DeploymentFacts): boolean {
  return deployment.statuses.some((s) => s.state === "failure" && s.writtenBy?.kind === "this-app");
}

/** Newest first: by creation time, then by id (GitHub's ids grow), so equal timestamps keep one order. */
export function newestFirst(a: Pick<DeploymentFacts, "id" | "createdAt">, b: Pick<DeploymentFacts, "id" | "createdAt">): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id;
}
