import { tenInstallations } from "./gate-scenarios.js";
import { incidentCommand } from "./incident-scenario.js";
import { MOST_REPLICAS, type Scenario } from "./scenario.js";

/**
 * SPEC section 9 (issue 14). Gates over 10 repositories of 10 installations (seeded as
 * installations-10), on 1 and on MOST_REPLICAS replicas sharing one Redis, deliveries spread
 * round-robin over them. Gate decisions take no lock: what differs is the replicas themselves.
 */
export const replicaGates: Scenario = {
  ...tenInstallations,
  key: "replicas",
  title: "gates over 10 repos, 10 installations, round-robin over replicas with REDIS_URL",
  setups: [
    { replicas: 1, redis: true },
    { replicas: MOST_REPLICAS, redis: true },
  ],
};

/**
 * The incident command (seeded as incident-command: bookkeeping, queued per repository) on one
 * replica, without REDIS_URL and with it, where each delivery's work holds its repository's lock
 * in Redis (src/coordination/repository-lock.ts): what taking and releasing the lock adds.
 */
export const repositoryLock: Scenario = {
  ...incidentCommand,
  key: "repository-lock",
  title: "incident comment on 1 replica, without and with REDIS_URL (its repository's lock)",
  count: 10,
  diagnosticOnly: true,
  setups: [
    { replicas: 1, redis: false },
    { replicas: 1, redis: true },
  ],
};
