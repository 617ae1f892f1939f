import { matchesGlob } from "./glob.js";

/**
 * Whether a deployment to this environment goes through the gate. When the config could not be
 * read the gated list is unknown, so the answer is yes: a failure must not open a gate.
 */
export function shouldGate(environment: string, patterns: readonly string[], configReadable: boolean): boolean {
  return !configReadable || isGatedEnvironment(environment, patterns);
}

/** Whether an environment is gated by the configured patterns; GitHub treats environment names case-insensitively. */
export function isGatedEnvironment(environment: string, patterns: readonly string[]): boolean {
  return matchesGlob(environment, patterns, { caseSensitive: false });
}
