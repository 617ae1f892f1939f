import type { Probot } from "probot";
import type { LimitFunction } from "p-limit";
import type { Octokit } from "./client.js";
import { ConditionalReads } from "./conditional-reads.js";
import { readSlots, readsDirectFirst } from "./direct-reads.js";
import { fenceWrites } from "./fenced-writes.js";
import { sendCreatesOnce } from "./no-retried-creates.js";
import { limitRequestTime } from "./request-timeout.js";
import { countRequests } from "./request-metrics.js";
import type { Metrics } from "../metrics.js";
import { paceWrites, type WritePacing } from "../coordination/write-pacing.js";

/** An installation's client as mainline uses it, wherever it speaks for that installation. */
export type ClientFor = (installation: number) => Promise<Octokit>;

/**
 * Clients keyed by installation: `probot.auth(installation)` keys Probot's write spacing by
 * installation (the client Probot gives a webhook does not) and reuses its token cache; reads
 * go straight out first, a bounded number per installation; each request attempt has a time
 * limit; POSTs are sent once; reads are conditional on what this process last read (one cache
 * for all installations, keyed by each). With `metrics`, each answer is counted (304s apart) and
 * the installation's rate-limit remaining kept. A write made under a repository's lock across
 * replicas goes out only while the lock is still held (fenced-writes.ts). With `pacing` (REDIS_URL),
 * each write first waits its installation's turn shared by the replicas (write-pacing.ts).
 */
export function installationClients(
  probot: Probot,
  requestTimeoutMs: number,
  directReads = true,
  metrics?: Pick<Metrics, "requested" | "rateLimitRemaining">,
  pacing?: WritePacing,
): ClientFor {
  const conditionalReads = new ConditionalReads();
  const slots = new Map<number, LimitFunction>();
  const slotsOf = (installation: number) => slots.get(installation) ?? slots.set(installation, readSlots()).get(installation)!;
  return async (installation) => {
    // Hooks added later run first: the time limit must be set before a read goes out directly.
    // The fence is the innermost of mainline's hooks: its check runs as the attempt goes on the wire.
    const octokit = fenceWrites((await probot.auth(installation)) as Octokit);
    const direct = directReads ? readsDirectFirst(octokit, slotsOf(installation)) : octokit;
    // Also set before a read goes out directly: the count wraps whatever `fetch` the time limit set.
    const counted = metrics ? countRequests(direct, installation, metrics) : direct;
    const client = conditionalReads.apply(sendCreatesOnce(limitRequestTime(counted, requestTimeoutMs)), installation);
    // Outermost: a write waits its shared turn before it takes a place in Probot's own queue.
    return pacing ? paceWrites(client, installation, pacing) : client;
  };
}
