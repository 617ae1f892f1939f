import { askingGitHub } from "./delivery-reads.js";

/**
 * How the app makes a thing once (an issue, a comment, a deployment) when a redelivery, a second
 * event or a replica past the repository's lock may be making the same one at the same time:
 * GitHub has no "create if absent", so each maker finds, creates, then looks again.
 * - `find`: the one made before (by its signed record or marker), if any: then nothing is made;
 *   when omitted, the oldest `findAll` lists
 * - `create`: makes it; a failure throws before anything is retired
 * - `findAll`: the look again, every candidate as GitHub lists them now (not as this delivery read them)
 * - `order`: a number GitHub gives in creation order (issue number, comment or deployment id): the
 *   lowest is the one that counts
 * - `retire(duplicate, kept)`: how this place takes back what it made when an older one exists
 *
 * Only this call's own is ever retired: the maker of a newer one sees this one on its own look
 * again and retires its own, and retiring it here too would race it (a second delete answers 404).
 */
export type OnceSteps<T> = {
  find?: () => T | undefined | Promise<T | undefined>;
  create: () => Promise<T>;
  findAll: () => Promise<readonly T[]>;
  order: (item: T) => number;
  retire: (duplicate: T, kept: T) => Promise<void>;
};

/** The one kept, and whether this call made it (false when found, and when an older one won the race). */
export type Ensured<T> = { kept: T; made: boolean };

export async function ensureOnce<T>(steps: OnceSteps<T>): Promise<Ensured<T>> {
  const found = steps.find ? await steps.find() : oldestOf(await steps.findAll(), steps.order);
  if (found !== undefined) return { kept: found, made: false };
  const created = await steps.create();
  const oldest = oldestOf([created, ...(await askingGitHub(steps.findAll))], steps.order)!;
  if (steps.order(oldest) >= steps.order(created)) return { kept: created, made: true };
  await steps.retire(created, oldest);
  return { kept: oldest, made: false };
}

function oldestOf<T>(items: readonly T[], order: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>((kept, item) => (kept === undefined || order(item) < order(kept) ? item : kept), undefined);
}
