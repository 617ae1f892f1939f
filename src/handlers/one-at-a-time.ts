import type { Context } from "probot";

/**
 * Deliveries about one repository are handled one after another in this process; different
 * repositories side by side. Handlers check what GitHub already holds before they write (is
 * there an RCA issue, a record, a reply?), and two of them interleaving on one incident — GitHub
 * redelivering while the first delivery still runs, two people acting at once — would both
 * find nothing and both write. Replicas do not share this queue (see README: one replica, or
 * the duplicates they race to are closed as such).
 */
export function oneRepositoryAtATime() {
  const tails = new Map<number, Promise<void>>();
  return <C extends Context>(handler: (context: C) => Promise<void>) =>
    async (context: C): Promise<void> => {
      const repository = (context.payload as { repository?: { id?: unknown } }).repository?.id;
      if (typeof repository !== "number") return handler(context);
      const run = (tails.get(repository) ?? Promise.resolve()).then(() => handler(context));
      const tail = run.catch(() => undefined);
      tails.set(repository, tail);
      try {
        await run;
      } finally {
        if (tails.get(repository) === tail) tails.delete(repository);
      }
    };
}
