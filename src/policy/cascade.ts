export type ExceptionDeploy = { incident: number; sha: string; env: string; at: string };

export type Cascade = { incidents: number[]; deploys: ExceptionDeploy[] };

/**
 * Deploys under exceptions of different commits within `windowHours` of each other form a
 * cascade: one hotfix followed another. Re-running the same commit's deploy is not a second hotfix.
 */
export function findCascade(deploys: readonly ExceptionDeploy[], windowHours: number): Cascade | undefined {
  const windowMs = windowHours * 3_600_000;
  const sorted = [...deploys].sort((a, b) => a.at.localeCompare(b.at));
  const involved = new Set<ExceptionDeploy>();
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const [a, b] = [sorted[i]!, sorted[j]!];
      if (Date.parse(b.at) - Date.parse(a.at) > windowMs) break;
      if (a.sha !== b.sha) involved.add(a).add(b);
    }
  }
  if (involved.size === 0) return undefined;
  const list = sorted.filter((d) => involved.has(d));
  return { incidents: [...new Set(list.map((d) => d.incident))].sort((x, y) => x - y), deploys: list };
}
