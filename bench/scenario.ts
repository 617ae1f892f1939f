import { createHash } from "node:crypto";
import type { GitHubTestServer } from "../test/helpers/github-server.js";
import type { Delivery } from "./drive.js";

/** What a scenario has put into a fresh test server, and the deliveries that go with it. */
export type Seeded = {
  /** Deliveries 0 … warmUp−1 run one by one before timing starts (tokens, caches, a first ledger). */
  warmUp: number;
  next: (index: number) => Delivery | Promise<Delivery>;
  /** The installation a repository ("owner/name") belongs to: one installation's writes are spaced by Probot. */
  installationOf: (repository: string) => number;
};

export type Scenario = {
  key: string;
  title: string;
  /** Gate decisions are run against the floor app too. */
  gate: boolean;
  count: number;
  concurrency: number;
  maxSeconds: number;
  seed: (github: GitHubTestServer) => Seeded;
};

export const OWNER = "bench";

/** A stable, distinct full SHA for a name. */
export function sha(name: string): string {
  return createHash("sha1").update(name).digest("hex");
}
