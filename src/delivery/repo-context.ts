import type { Context, Logger } from "probot";
import type { Config } from "../config.js";
import type { RepoClient } from "../github/client.js";
import { readConfig, type LoadedConfig } from "../github/read-config.js";
import { CONFIG_PATH } from "../public-names.js";
import { clientOf, type RepoPayload } from "./client-of.js";
import type { AppDeps } from "./deps.js";

/** What procedures log through: the delivery's logger (a webhook's is Probot's pino child), narrowed to the calls they make. */
export type ScopeLog = Pick<Logger, "info" | "warn" | "error" | "debug">;

/** What every incident-side handler starts from: the repository, its config and its main branch, with the delivery's clock and logger. */
export type RepoContext = { client: RepoClient; loaded: LoadedConfig; config: Config; mainBranch: string; now: () => Date; log: ScopeLog };

/**
 * The repository as procedures take it, one view per delivery: its client (one view of GitHub per
 * delivery, delivery-reads.ts), its config, its main branch, the delivery's clock (the only time a
 * procedure reads: `repo.now()`) and its logger.
 */
export type RepoScope = Pick<RepoContext, "client" | "config" | "mainBranch" | "now" | "log">;

/** The delivery before its config is read: the gate starts here, as it reads config its own way (gate-decision.ts). */
export type DeliveryScope = Pick<RepoContext, "client" | "now" | "log">;

/** A webhook's delivery scope: the installation's client for its repository, the process clock, and the delivery's logger. */
export function deliveryScope(context: Context & { payload: RepoPayload }, deps: Pick<AppDeps, "now">): DeliveryScope {
  return { client: clientOf(context), now: deps.now, log: context.log };
}

export async function repoContext(context: Context & { payload: RepoPayload }, deps: Pick<AppDeps, "now">): Promise<RepoContext> {
  const scope = deliveryScope(context, deps);
  const loaded = await readConfig(scope.client);
  if (loaded.problems.length > 0) scope.log.warn({ problems: loaded.problems }, "invalid config: defaults used for the listed keys");
  if (loaded.unreadable) throw new Error(`cannot read ${CONFIG_PATH}: ${loaded.unreadable}`);
  return {
    ...scope,
    loaded,
    config: loaded.config,
    mainBranch: loaded.config.mainBranch || context.payload.repository.default_branch,
  };
}
