import type { Context } from "probot";

/**
 * Work about one repository done one piece after another in this process; different
 * repositories side by side. Handlers check what GitHub already holds before they write (is
 * there an RCA issue, a record, a reply?), and two of them interleaving on one incident — GitHub
 * redelivering while the first delivery still runs, two people acting at once — would both
 * find nothing and both write. Replicas do not share this queue (README, "Under faults").
 */
export class RepositoryQueue {
  #tails = new Map<number, Promise<void>>();

  /** Runs `task` once the work already queued for `repository` is done. */
  async run<T>(repository: number, task: () => Promise<T>): Promise<T> {
    const run = (this.#tails.get(repository) ?? Promise.resolve()).then(task);
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
}
