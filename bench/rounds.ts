import type { Row } from "./report.js";

/**
 * The diagnostic pass runs each single-repository gate scenario this many rounds, the apps taking
 * turns (floor, mainline, then mainline, floor, …), because on two shared cores one run's p50
 * drifts by a fifth from the next (the floor alone: 55–84 ms for the same deliveries). The ratio
 * is then read from medians over rounds, and every round's own ratio is shown beside it.
 */
export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/** The apps in the order round `round` runs them: every other round reversed, so drift over a scenario falls on both sides. */
export function inTurn<T>(apps: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...apps] : [...apps].reverse();
}

/** One app's rounds as one row: the round with the median p50 gives the row, p50 and deliveries/s are the medians over rounds. */
export function combineRounds(rounds: readonly Row[]): Row {
  if (rounds.length === 1) return rounds[0]!;
  const byP50 = [...rounds].sort((a, b) => a.p50Ms - b.p50Ms);
  const base = byP50[Math.floor((byP50.length - 1) / 2)]!;
  return {
    ...base,
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    deliveriesPerSecond: median(rounds.map((r) => r.deliveriesPerSecond)),
    peakRssMiB: Math.max(...rounds.map((r) => r.peakRssMiB)),
    problems: rounds.flatMap((r) => r.problems).slice(0, 5),
    apiProblems: rounds.flatMap((r) => r.apiProblems).slice(0, 5),
    rounds: rounds.map((r) => ({ p50Ms: r.p50Ms, deliveriesPerSecond: r.deliveriesPerSecond })),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
