/** MAINLINE_SHUTDOWN_GRACE_SECONDS: under Kubernetes' 30 s terminationGracePeriodSeconds, so the app exits before SIGKILL. */
export const DEFAULT_GRACE_SECONDS = 25;

/**
 * The longest grace a Node timer can hold (2^31 − 1 ms, about 24.8 days), less the few seconds
 * the shutdown adds after it; a longer timer would fire at once.
 */
export const MAX_GRACE_SECONDS = 2_147_470;

export type Grace = { ms: number; problem?: string };

/** The grace in ms, and what was wrong with MAINLINE_SHUTDOWN_GRACE_SECONDS if it could not be used as given. */
export function graceFromEnv(env: NodeJS.ProcessEnv): Grace {
  const text = env.MAINLINE_SHUTDOWN_GRACE_SECONDS?.trim();
  if (!text) return { ms: DEFAULT_GRACE_SECONDS * 1000 };
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    return {
      ms: DEFAULT_GRACE_SECONDS * 1000,
      problem: `MAINLINE_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to ${MAX_GRACE_SECONDS}, got ${JSON.stringify(text.slice(0, 40))}: using ${DEFAULT_GRACE_SECONDS} s`,
    };
  }
  if (seconds > MAX_GRACE_SECONDS) {
    return { ms: MAX_GRACE_SECONDS * 1000, problem: `MAINLINE_SHUTDOWN_GRACE_SECONDS is ${text}, over its bound of ${MAX_GRACE_SECONDS} s (what a Node timer can hold): using ${MAX_GRACE_SECONDS} s` };
  }
  return { ms: Math.round(seconds * 1000) };
}
