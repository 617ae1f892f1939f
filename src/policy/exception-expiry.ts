const HOUR = 3_600_000;

/** When an exception granted now expires unless a deployment uses it first: `override.ttlHours` later, to the millisecond. */
export function exceptionExpiry(now: Date, ttlHours: number): string {
  return new Date(now.getTime() + ttlHours * HOUR).toISOString();
}
