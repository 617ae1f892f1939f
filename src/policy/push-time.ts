/** A push's `repository.pushed_at`: seconds since the epoch in push payloads, a date elsewhere; undefined when absent or unreadable. */
export function pushTime(pushedAt: number | string | null | undefined): string | undefined {
  if (pushedAt === null || pushedAt === undefined) return undefined;
  const at = new Date(typeof pushedAt === "number" ? pushedAt * 1000 : pushedAt);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
