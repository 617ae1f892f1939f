const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Whether a merge-back item is overdue: from `dueHours` after it was opened, inclusive. */
export function isOverdue(input: { openedAt: string; dueHours: number; now: Date }): boolean {
  return overdueMs(input) >= 0;
}

/**
 * Which reminder interval is due now: k = 0 for ≥1 day overdue, 1 for ≥2 days, 2 for ≥4 days, … ;
 * undefined when not yet 1 day overdue or when interval k (the latest reached) was already sent.
 *
 * Only the latest interval reached is ever due, so an app that was down across several intervals
 * sends one reminder, not a burst. A later interval already sent also rules k out: an earlier
 * reminder after a later one would only be noise.
 */
export function dueReminder(input: { openedAt: string; dueHours: number; now: Date; alreadySent: readonly number[] }): number | undefined {
  const days = overdueMs(input) / DAY_MS;
  if (!(days >= 1)) return undefined;
  let k = 0;
  while (2 ** (k + 1) <= days) k++;
  return input.alreadySent.some((sent) => sent >= k) ? undefined : k;
}

/** How long past due, negative before; NaN when `openedAt` is not a date, which counts as neither. */
function overdueMs(input: { openedAt: string; dueHours: number; now: Date }): number {
  return input.now.getTime() - (Date.parse(input.openedAt) + input.dueHours * HOUR_MS);
}
