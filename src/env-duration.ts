/** A duration read from the environment: what to use, and what was wrong with the value if it could not be used as given. */
export type EnvDuration = { ms: number; problem?: string };

/**
 * An operator's number of seconds or milliseconds (`unit`) from `name`, within `min`–`max`; unset
 * or blank gives `fallback`, and a value that is not a number in range gives `fallback` with a
 * message for the start-up log, so a typo is told rather than taken for a setting.
 */
export function durationFromEnv(env: NodeJS.ProcessEnv, name: string, { unit, min, max, fallback }: { unit: "s" | "ms"; min: number; max: number; fallback: number }): EnvDuration {
  const scale = unit === "s" ? 1000 : 1;
  const text = env[name]?.trim();
  if (!text) return { ms: fallback * scale };
  const value = Number(text);
  if (Number.isFinite(value) && value >= min && value <= max) return { ms: Math.round(value * scale) };
  const units = unit === "s" ? "a number of seconds" : "a number of milliseconds";
  return { ms: fallback * scale, problem: `${name} must be ${units} from ${min} to ${max}, got ${JSON.stringify(text.slice(0, 40))}: using ${fallback} ${unit}` };
}
