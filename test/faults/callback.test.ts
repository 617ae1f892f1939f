import { ANSWER_RETRY } from "../../src/github/deployments.js";
import type { Fault, GitHubTestServer } from "../helpers/github-server.js";
import { cleanDelivery, describeDifference, gapState, loadApp, repoOf, stateOf, story } from "../helpers/fault-world.js";
import { FLOWS, populate, RUN_ID, type Flow } from "./flows.js";

/**
 * The answer to a protection rule (the callback POST) failing in the app as users run it (the
 * shipped request timeout and answer policy, in real time): GitHub must end up holding exactly
 * one answer, the one a clean delivery gives, and the repository the state a clean delivery
 * leaves; an off-main commit without an exception is never approved.
 *
 * Except in the flow's gap: an approval GitHub took while the connection dropped is, to the app,
 * an attempt of unknown outcome and then a 422 — the fault suite's "lost answer" on the answer —
 * so it cannot tell it from an earlier refusal and records nothing; the deployment's success
 * status records it.
 */
const GATES = FLOWS.filter((flow) => flow.name.startsWith("gate decision"));
const CALLBACK = `/deployment_protection_rule`;
const SERVER_ERROR = { status: 500, body: { message: "Server Error" } };

const figures: string[] = [];
afterAll(() => {
  if (process.env.MAINLINE_FAULT_FIGURES) console.log(figures.join("\n"));
});

const isCallback = (method: string, path: string) => method === "POST" && path.endsWith(CALLBACK);
const attempts = (github: GitHubTestServer, from: number) => github.log.slice(from).filter((r) => isCallback(r.method, r.path)).length;

/** Fails the callback's first attempt only. */
function failFirstAttempt(github: GitHubTestServer, fault: Fault): () => void {
  let seen = 0;
  return github.injectFault((method, path) => (isCallback(method, path) && seen++ === 0 ? fault : undefined));
}

const ONCE: Array<[string, Fault]> = [
  ["a 500", SERVER_ERROR],
  // Past the answer's own attempt limit (3 s), well inside the client's request timeout (15 s).
  ["a hang past the attempt limit", { ...SERVER_ERROR, delayMs: ANSWER_RETRY.attemptMs + 2_000 }],
  ["a dropped connection", { drop: true, delayMs: 200 }],
  ["a dropped connection after GitHub took the answer", { drop: true, delayMs: 200, applied: true }],
];

describe.each(GATES.map((flow) => [flow.name, flow] as const))("%s", (_name, flow: Flow) => {
  test.each(ONCE)("the answer meets %s once: answered in the same delivery, once", async (what, fault) => {
    const { github, webhook, restore } = await story(populate, flow.setup);
    try {
      const { before, calls, reference } = await cleanDelivery(github, webhook, restore);
      // Carried out without an answer reaching the app: the fault suite's lost answer on the answer call.
      const k = calls.findIndex((call) => call.endsWith(CALLBACK)) + 1;
      const inGap = Boolean(fault.applied) && (flow.gap?.covers(calls, k, "lost answer") ?? false);

      restore();
      const from = github.log.length;
      const heal = failFirstAttempt(github, fault);
      const started = Date.now();
      await (await loadApp(github))(webhook, "the-delivery");
      const tookMs = Date.now() - started;
      heal();

      const runAnswers = repoOf(github).protectionRuleAnswers.filter((a) => a.runId === RUN_ID);
      expect(runAnswers).toHaveLength(1);
      expect(flow.never?.(repoOf(github)) ?? []).toEqual([]);
      expect(runAnswers).toEqual(reference.answers.filter((a) => a.runId === RUN_ID));
      const expected = inGap ? gapState(before, reference, reference.answers, flow.gap!.opened?.(calls, k, "lost answer") ?? false) : reference;
      expect(describeDifference(expected, stateOf(github))).toBe("");
      expect(attempts(github, from)).toBe(2);
      expect(tookMs).toBeLessThan(10_000);
      if (inGap) {
        await (await loadApp(github))(flow.gap!.backstop.webhook(webhook), "the-status");
        expect(flow.gap!.backstop.missing(repoOf(github), webhook)).toEqual([]);
      }
      figures.push(
        `${flow.name}, ${what} once: answered (${runAnswers[0]!.state}) after 2 attempts, delivery took ${tookMs} ms` +
          (inGap ? "; in the flow's gap: recorded by the deployment's success status" : ""),
      );
      expect(github.problems).toEqual([]);
    } finally {
      await github.stop();
    }
  }, 30_000);
});

const ALWAYS: Array<[string, Fault]> = [
  ["fails (500) every time", SERVER_ERROR],
  ["hangs every time", { ...SERVER_ERROR, delayMs: ANSWER_RETRY.attemptMs + 1_000 }],
];

test.each(ALWAYS)("the answer %s for more than 10 s: the delivery fails inside the window, and a redelivery answers", async (what, fault) => {
  const flow = GATES[0]!;
  const { github, webhook, restore } = await story(populate, flow.setup);
  try {
    const { reference } = await cleanDelivery(github, webhook, restore);

    restore();
    const from = github.log.length;
    const heal = github.fail(isCallback, fault);
    const started = Date.now();
    const failed = await (await loadApp(github))(webhook, "the-delivery").then(() => false, () => true);
    const tookMs = Date.now() - started;
    const tries = attempts(github, from);
    heal();
    expect(failed).toBe(true);
    expect(tookMs).toBeLessThan(10_000);
    expect(repoOf(github).protectionRuleAnswers).toEqual([]);

    await (await loadApp(github))(webhook, "the-delivery");
    expect(repoOf(github).protectionRuleAnswers.filter((a) => a.runId === RUN_ID)).toHaveLength(1);
    expect(flow.never?.(repoOf(github)) ?? []).toEqual([]);
    expect(describeDifference(reference, stateOf(github))).toBe("");
    figures.push(`${flow.name}, the answer ${what}: delivery failed after ${tries} attempts in ${tookMs} ms; the redelivery answered`);
    expect(github.problems).toEqual([]);
  } finally {
    await github.stop();
  }
}, 40_000);
