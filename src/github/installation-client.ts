import type { Probot } from "probot";
import type { Octokit } from "./client.js";
import { ConditionalReads } from "./conditional-reads.js";
import { sendCreatesOnce } from "./no-retried-creates.js";
import { limitRequestTime } from "./request-timeout.js";

/** An installation's client as mainline uses it, wherever it speaks for that installation. */
export type ClientFor = (installation: number) => Promise<Octokit>;

/**
 * Clients keyed by installation: `probot.auth(installation)` keys Probot's write spacing by
 * installation (the client Probot gives a webhook does not) and reuses its token cache; each
 * request attempt has a time limit; POSTs are sent once; reads are conditional on what this
 * process last read (one cache for all installations, keyed by each).
 */
export function installationClients(probot: Probot, requestTimeoutMs: number): ClientFor {
  const conditionalReads = new ConditionalReads();
  return async (installation) =>
    conditionalReads.apply(sendCreatesOnce(limitRequestTime((await probot.auth(installation)) as Octokit, requestTimeoutMs)), installation);
}
