import type { Role } from "./roles.js";
import { samePerson } from "./same-person.js";
import { quietLogin } from "./text.js";

/** Who closed the issue: GitHub's authenticated sender of `issues.closed`. */
export type Closer = { login: string; account: number; type: string };

/** Who pushed, from the review's signed record. */
export type Pusher = { login: string; account: number };

export type ReviewCloseInput = {
  closer: Closer;
  /** The closer is this app itself (it closes only duplicates it retires, never a review it keeps). */
  closerIsApp: boolean;
  pusher: Pusher;
  /** The closer's role, asked of GitHub; absent until the decision needs it. */
  role?: Role | "none";
};

export type ReviewCloseVerdict =
  /** A person other than the pusher with write role or more: the review is done. */
  | { verdict: "done"; role: "write" | "maintain" | "admin" }
  /** Reopened, saying why. */
  | { verdict: "reopen"; why: string }
  /** Only the role can tell: ask GitHub, then decide again with it. */
  | { verdict: "ask-role" }
  /** The app's own close: nothing to judge. */
  | { verdict: "ignore" };

/**
 * Who may close a post-merge review (SPEC 11): a person (not an app), not the pusher (the same
 * account, whatever its login is now), with write role or more. Everything else reopens it.
 */
export function decideReviewClose({ closer, closerIsApp, pusher, role }: ReviewCloseInput): ReviewCloseVerdict {
  if (closerIsApp) return { verdict: "ignore" };
  const rule = `A post-merge review is done when a person with write access other than ${quietLogin(pusher.login)}, who pushed the commits, closes it.`;
  if (closer.type !== "User") {
    const what = closer.type === "Bot" ? "is an app, not a person" : "is not a person's account";
    return { verdict: "reopen", why: `🔁 Reopened: ${quietLogin(closer.login)} ${what}. ${rule}` };
  }
  if (samePerson(closer, pusher)) {
    return { verdict: "reopen", why: `🔁 Reopened: ${quietLogin(closer.login)} pushed these commits, so their close is not a review. ${rule}` };
  }
  if (role === undefined) return { verdict: "ask-role" };
  if (role === "write" || role === "maintain" || role === "admin") return { verdict: "done", role };
  const has = role === "none" ? "has no role in this repository" : `has the ${role} role here`;
  return { verdict: "reopen", why: `🔁 Reopened: ${quietLogin(closer.login)} ${has}. ${rule}` };
}

/** Why a review whose record was changed by an edit of its body is reopened, whoever closed it: who pushed is unknown. */
export const RECORD_CHANGED =
  "🔁 Reopened: the first line of this issue's description is mainline's record of who pushed these commits, and an edit changed it, so mainline cannot tell whether this close counts. " +
  "Restore the description from its edit history (\"edited\" above it), then close the issue again.";

/** The done record's text, for people reading the issue. */
export function reviewDoneText(closer: string, role: string, pusher: string): string {
  return `✅ Reviewed: ${quietLogin(closer)} (${role}) closed this post-merge review of ${quietLogin(pusher)}'s push.`;
}
