import type { DeploymentLock } from "../coordination/deployment-lock.js";
import type { AncestryReader } from "../github/ancestry.js";
import type { ClientFor } from "../github/installation-client.js";
import type { RecordReader } from "../github/own-comments.js";
import type { Metrics } from "../metrics.js";
import type { RepositoryQueue } from "./one-at-a-time.js";

/**
 * What procedures share for the life of the process. No clock: a procedure reads its delivery's,
 * `repo.now()` (repo-context.ts), so there is one time source it could pick from.
 */
export type Deps = {
  ancestry: AncestryReader;
  /** An installation's client: limits keyed by it, a time limit per request, POSTs once, conditional reads. */
  clientFor: ClientFor;
  /** Writes that check GitHub first wait here for the repository's earlier ones. */
  queue: RepositoryQueue;
  /** This app's id: only comments it wrote itself count as records. */
  appId: number;
  /** How records are recognised: this app's comments, signed with its key. */
  records: RecordReader;
  /** This app's bot login (`<slug>[bot]`), how its reactions are recognised. */
  botLogin: () => Promise<string>;
  /** What `GET /metrics` shows: handlers and procedures count what they decide and wait for here. */
  metrics: Metrics;
  /**
   * With replicas (REDIS_URL): a refused deployment's failure status is written under that
   * deployment's own lock, so the same delivery on two replicas writes it once. Never the
   * repository's lock (a gate waits only for another write about the same deployment), and it
   * never stops the write. Absent: one process, no lock.
   */
  deploymentLock?: DeploymentLock;
};

/**
 * What handlers and the reminder sweep share: Deps, and the process clock that each delivery's
 * scope is made from (`repoContext`, `deliveryScope`, the sweep's scope of a repository). Only a
 * maker of scopes reads it; procedures get Deps, without it.
 */
export type AppDeps = Deps & { now: () => Date };
