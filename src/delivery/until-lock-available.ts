import { LockLost, LockUnavailable } from "../coordination/repository-lock.js";

/** How long, and how often, the record of an approval GitHub took is tried again while Redis is down. */
const RECORD_RETRY = { forMs: 10 * 60_000, everyMs: 2_000 };

/**
 * Work that must not be lost to the repository's lock, tried again while the lock cannot be had
 * (Redis down, another replica holding it past the wait) or is lost while the work runs; for up to
 * ten minutes, every two seconds, then the last error fails the delivery. Each try checks what is
 * already written, so a try that got partway is safe to repeat.
 *
 * Its use: GitHub just took a protection rule's approval, and only this process knows it was ours:
 * a redelivery meets GitHub's earlier answer and cannot tell it from a refusal
 * (record-exception-deploy.ts), so it would record nothing.
 */
export async function untilLockAvailable(work: () => Promise<void>): Promise<void> {
  const giveUpAt = Date.now() + RECORD_RETRY.forMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof LockUnavailable || error instanceof LockLost) || Date.now() >= giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY.everyMs));
    }
  }
}
