import type { Context } from "probot";
import type { AcrossReplicas } from "../coordination/repository-lock.js";

/** How long queued work may wait for gate decisions to finish, counted from when it was queued. */
export const DECISIONS_FIRST_MAX_WAIT_MS = 5_000;
/** A lull this long after the last decision ends the wait: in a burst, the next decision is usually already on its way. */
const LULL_MS = 25;

/**
 * Work about one repository done one piece after another in this process; different
 * repositories side by side. Handlers check what GitHub already holds before they write (is
 * there an RCA issue, a record, a reply?), and two of them interleaving on one incident — GitHub
 * redelivering while the first delivery still runs, two people acting at once — would both
 * find nothing and both write. With REDIS_URL, each piece of work then also holds its
 * repository's lock in Redis (coordination/repository-lock.ts), so replicas take turns as well.
 * Work waits for another replica's as it waits for this process's: the lock's own wait, past
 * Probot's 202 (at 9 s) if need be. One incident's work alone takes about 6 s (Probot spaces an
 * installation's issue and comment creations 3 s apart), so failing before the 202 would fail the
 * delivery that merely came second; after the 202, the replicas' journal of deliveries in progress
 * (deliveries-in-progress.ts) has the sweep redeliver work that fails or whose replica dies.
 *
 * Gate decisions come first: a deployment waits on each one, while nobody waits on the
 * record of a deploy the gate just let through by the second. That bookkeeping (`afterDecisions`)
 * takes its place in line once no decision is in flight, or after `maxWaitMs`, so a steady
 * stream of decisions delays it but cannot starve it; on two cores, bookkeeping running beside
 * a burst of decisions is what made them slow (bench: gate under an exception).
 * Nothing else waits: a revoke, a push or a close tightens what the gate allows and must not
 * be held back by deploys someone keeps starting. From shutdown on (`stopping`) nothing waits.
 */
export class RepositoryQueue {
  #tails = new Map<number, Promise<void>>();
  #deciding = 0;
  #lastDecided = 0;
  #onQuiet = new Set<() => void>();

  readonly #maxWaitMs: number;
  readonly #across: AcrossReplicas | undefined;
  readonly #stopping: AbortSignal | undefined;

  constructor({ maxWaitMs = DECISIONS_FIRST_MAX_WAIT_MS, across, stopping }: { maxWaitMs?: number; across?: AcrossReplicas; stopping?: AbortSignal } = {}) {
    this.#maxWaitMs = maxWaitMs;
    this.#across = across;
    this.#stopping = stopping;
    stopping?.addEventListener("abort", () => this.#wakeAll(), { once: true });
  }

  /** Runs `task` once the work already queued for `repository` is done (and, `afterDecisions`, decisions allow). */
  async run<T>(repository: number, task: () => Promise<T>, { afterDecisions = false }: { afterDecisions?: boolean } = {}): Promise<T> {
    // Waiting before taking a place in line: work queued meanwhile (a revoke) does not wait behind it.
    if (afterDecisions) await this.#quietOr(Date.now() + this.#maxWaitMs);
    const across = this.#across;
    const turn = across ? () => across.hold(repository, task) : task;
    const run = (this.#tails.get(repository) ?? Promise.resolve()).then(turn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(repository, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(repository) === tail) this.#tails.delete(repository);
    }
  }

  /** The whole delivery waits its turn for the payload's repository. */
  wrap<C extends Context>(handler: (context: C) => Promise<void>): (context: C) => Promise<void> {
    return async (context) => {
      const repository = (context.payload as { repository?: { id?: unknown } }).repository?.id;
      return typeof repository === "number" ? this.run(repository, () => handler(context)) : handler(context);
    };
  }

  /** A gate decision (deciding and answering): queued work does not start while it runs. */
  async deciding<T>(decide: () => Promise<T>): Promise<T> {
    this.#deciding += 1;
    try {
      return await decide();
    } finally {
      this.#deciding -= 1;
      this.#lastDecided = Date.now();
      if (this.#deciding === 0) this.#wakeAll();
    }
  }

  #wakeAll(): void {
    for (const wake of [...this.#onQuiet]) wake();
  }

  async #quietOr(deadline: number): Promise<void> {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || this.#stopping?.aborted) return;
      if (this.#deciding > 0) await this.#nextQuiet(left);
      else {
        const lull = this.#lastDecided + LULL_MS - Date.now();
        if (lull <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(lull, left)));
      }
    }
  }

  /** Resolves when no decision is in flight any more, or after `ms`. */
  #nextQuiet(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#onQuiet.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#onQuiet.add(wake);
    });
  }
}
