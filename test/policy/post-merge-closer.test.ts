import { decideReviewClose, reviewDoneText, type Closer, type ReviewCloseInput } from "../../src/policy/post-merge-closer.js";
import type { Role } from "../../src/policy/roles.js";

const PUSHER = { login: "alice", account: 501 };
const RULE = "A post-merge review is done when a person with write access other than **alice**, who pushed the commits, closes it.";

const people: Record<string, { closer: Closer; closerIsApp?: boolean }> = {
  "the pusher": { closer: { login: "alice", account: 501, type: "User" } },
  "the pusher, renamed since": { closer: { login: "alice-renamed", account: 501, type: "User" } },
  // GitHub frees a login when its account is renamed: whoever claims it is another person.
  "someone who took the pusher's old login": { closer: { login: "Alice", account: 999, type: "User" } },
  "another person": { closer: { login: "carol", account: 503, type: "User" } },
  "the app itself": { closer: { login: "mainline[bot]", account: 9000, type: "Bot" }, closerIsApp: true },
  "another app's bot": { closer: { login: "stale[bot]", account: 9100, type: "Bot" } },
  "an organization": { closer: { login: "acme", account: 9200, type: "Organization" } },
};

function decide(who: string, role?: Role | "none") {
  const { closer, closerIsApp = false } = people[who]!;
  const input: ReviewCloseInput = { closer, closerIsApp, pusher: PUSHER, ...(role ? { role } : {}) };
  return decideReviewClose(input);
}

describe("who may close a post-merge review", () => {
  test.each<[string, Role | "none" | undefined, ReturnType<typeof decideReviewClose>]>([
    // who,                               role,       verdict
    ["another person", undefined, { verdict: "ask-role" }],
    ["another person", "admin", { verdict: "done", role: "admin" }],
    ["another person", "maintain", { verdict: "done", role: "maintain" }],
    ["another person", "write", { verdict: "done", role: "write" }],
    ["another person", "triage", { verdict: "reopen", why: `🔁 Reopened: **carol** has the triage role here. ${RULE}` }],
    ["another person", "read", { verdict: "reopen", why: `🔁 Reopened: **carol** has the read role here. ${RULE}` }],
    ["another person", "none", { verdict: "reopen", why: `🔁 Reopened: **carol** has no role in this repository. ${RULE}` }],
    // The pusher is refused whatever their role: no role is asked.
    ["the pusher", undefined, { verdict: "reopen", why: `🔁 Reopened: **alice** pushed these commits, so their close is not a review. ${RULE}` }],
    ["the pusher", "admin", { verdict: "reopen", why: `🔁 Reopened: **alice** pushed these commits, so their close is not a review. ${RULE}` }],
    ["the pusher, renamed since", "admin", { verdict: "reopen", why: `🔁 Reopened: **alice-renamed** pushed these commits, so their close is not a review. ${RULE}` }],
    ["someone who took the pusher's old login", undefined, { verdict: "ask-role" }],
    ["someone who took the pusher's old login", "write", { verdict: "done", role: "write" }],
    // An app is not a person, whatever role its installation has.
    ["another app's bot", undefined, { verdict: "reopen", why: `🔁 Reopened: **stale\\[bot\\]** is an app, not a person. ${RULE}` }],
    ["another app's bot", "write", { verdict: "reopen", why: `🔁 Reopened: **stale\\[bot\\]** is an app, not a person. ${RULE}` }],
    ["an organization", "admin", { verdict: "reopen", why: `🔁 Reopened: **acme** is not a person's account. ${RULE}` }],
    // The app closes only duplicates it retires: nothing to judge.
    ["the app itself", undefined, { verdict: "ignore" }],
  ])("%s, role %s", (who, role, verdict) => {
    expect(decide(who, role)).toEqual(verdict);
  });

  test("a login with markdown or a mention is shown quietly", () => {
    const verdict = decideReviewClose({ closer: { login: "eve", account: 7, type: "User" }, closerIsApp: false, pusher: { login: "@bob_<b>", account: 8 }, role: "read" });
    expect(verdict).toEqual({ verdict: "reopen", why: "🔁 Reopened: **eve** has the read role here. A post-merge review is done when a person with write access other than **@\u200bbob\\_&lt;b&gt;**, who pushed the commits, closes it." });
  });

  test("the done record's text", () => {
    expect(reviewDoneText("carol", "write", "alice")).toBe("✅ Reviewed: **carol** (write) closed this post-merge review of **alice**'s push.");
  });
});
