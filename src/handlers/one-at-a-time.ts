import type { Context } from "probot";

/** How long queued work may wait for gate decisions to finish, counted from when it was queued. */
export const DECISIONS_FIRST_MAX_WAIT_MS = 5_000;
/** A lull this long after the last decision ends the wait: in a burst, the next decision is usually already on its way. */
const LULL_MS = 25;

/**
 * Work about one repository done one piece after another in this process; different
 * repositories side by side. Handlers check what GitHub already holds before they write (is
 * there an RCA issue, a record, a reply?), and two of them interleaving on one incident — GitHub
 * redelivering while the first delivery still runs, two people acting at once — would both
 * find nothing and both write. Replicas do not share this queue (README, "Under faults").
 *
 * Gate decisions come first: a deployment waits on each one, while nobody waits on a record
 * by the second. Queued work starts once no decision is in flight, or when it has waited
 * `maxWaitMs` since it was queued, so a steady stream of decisions delays it but cannot
 * starve it. On two cores, bookkeeping running beside a burst of decisions is what made them
 * slow (bench: gate under an exception).
 */
export class RepositoryQueue {
  #tails = new Map<number, Promise<void>>();
  #deciding = 0;
  #lastDecided = 0;
  #onQuiet = new Set<() => void>();

  constructor(private readonly maxWaitMs = DECISIONS_FIRST_MAX_WAIT_MS) {}

  /** Runs `task` once the work already queued for `repository` is done and decisions allow. */
  async run<T>(repository: number, task: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.maxWaitMs;
    const run = (this.#tails.get(repository) ?? Promise.resolve()).then(() => this.#quietOr(deadline)).then(task);
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
      if (this.#deciding === 0) for (const wake of [...this.#onQuiet]) wake();
    }
  }

  async #quietOr(deadline: number): Promise<void> {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return;
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
