import { createHash } from "node:crypto";
import type { GitHubTestServer } from "../test/helpers/github-server.js";
import type { Delivery } from "./drive.js";

/** The app a run measures: mainline, the floor (floor-app.ts), or the floor with the gate's reads (floor-reads-app.ts). */
export type App = "mainline" | "floor" | "floor-reads";

/**
 * How mainline runs for a measurement: how many replicas (each started as users start it; the
 * bench spreads deliveries round-robin over them, as a load balancer would), and whether they
 * are given REDIS_URL (one real redis-server for all, started for the run).
 */
export type Setup = { replicas: number; redis: boolean };

/** The most replicas a scenario runs on: each warms up on its own deliveries, so such a scenario seeds this many warm-ups' worth. */
export const MOST_REPLICAS = 3;

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
  /**
   * The diagnostic pass also runs the second floor (floor-reads-app.ts: the floor plus the reads
   * mainline's gate makes on a commit not known to be on main).
   */
  readsFloor?: boolean;
  count: number;
  concurrency: number;
  maxSeconds: number;
  /**
   * What frees a measured delivery's slot in the closed loop. By default the webhook's answer and
   * the decision's last write, whichever comes later. "last-write": the last write alone — the
   * handler's bookkeeping after its answer (records, a merge-back issue) goes on in the background,
   * so that as many decisions are in flight as in the other gate rows; the webhook's answer is
   * still awaited before the run ends, and a failure there is still a problem.
   */
  slotFreedBy?: "last-write";
  /** Each delivery, warm-ups too, runs to its end even past Probot's 202 (drive.ts, `Load.settled`): for deliveries sent one at a time whose calls are counted. */
  settled?: boolean;
  /** mainline alone, on each of these setups in turn (SPEC section 9; bench/replica-scenarios.ts), instead of mainline (and the floors) on one replica without Redis. */
  setups?: Setup[];
  /** Run in the diagnostic pass only: as shipped, Probot's write spacing (seconds) buries what is measured (milliseconds). */
  diagnosticOnly?: boolean;
  /** Lays out a fresh test server for one app's run (the floor may expect other answers: it knows no exceptions). */
  seed: (github: GitHubTestServer, app: App) => Seeded;
};

/**
 * Gate scenarios send this many deliveries one at a time after the warm-up, each after the previous
 * one's webhook was answered (so its bookkeeping is over): every request the server sees from a
 * delivery's send to its answer is that decision's (run.ts, "decision calls").
 */
export const DECISION_PROBE = 5;

export const OWNER = "bench";

/** A stable, distinct full SHA for a name. */
export function sha(name: string): string {
  return createHash("sha1").update(name).digest("hex");
}
