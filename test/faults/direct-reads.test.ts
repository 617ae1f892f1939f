import type { Fault, GitHubTestServer } from "../helpers/github-server.js";
import { SHORT_TIMEOUT_MS, cleanDelivery, loadApp, repoOf, story } from "../helpers/fault-world.js";
import { FLOWS, populate, RUN_ID, type Flow } from "./flows.js";

/**
 * A gate decision's reads failing in the client as users run it: Probot's retry and throttling
 * plugins on, each read sent directly first. Unlike the fault suite (which breaks one call and
 * lets the next succeed), a read here fails on every attempt until the delivery is over, so the
 * direct attempt and every retry through the plugins meet it. The rule is still answered once,
 * never approved where a clean delivery refuses (an off-main commit without an exception never),
 * and a read is tried before the answer as often as the plugins alone would try it (four times;
 * a rate-limited one once, as Probot does not retry a secondary limit).
 */
const GATES = FLOWS.filter((flow) => flow.name.startsWith("gate decision"));
const ANSWER = "/deployment_protection_rule";

// A hang past the time limit ends as a dropped connection does (no answer); test/github/installation-client.test.ts shows the limit cuts it.
const KINDS: Array<[string, Fault, number]> = [
  ["a 500", { status: 500, body: { message: "Server Error" } }, 4],
  ["a dropped connection", { drop: true, delayMs: SHORT_TIMEOUT_MS / 2 }, 4],
  ["a secondary rate limit", { status: 403, headers: { "retry-after": "60" }, body: { message: "You have exceeded a secondary rate limit." } }, 1],
];

const figures: string[] = [];
afterAll(() => {
  if (process.env.MAINLINE_FAULT_FIGURES) console.log(figures.join("\n"));
});

/** The reads a clean decision makes before its answer, as "GET path" lines. */
function readsBeforeAnswer(calls: string[]): string[] {
  const answer = calls.findIndex((call) => call.endsWith(ANSWER));
  return [...new Set(calls.slice(0, answer).filter((call) => call.startsWith("GET ")))];
}

function failEveryAttempt(github: GitHubTestServer, read: string, fault: Fault): () => void {
  return github.injectFault((method, path) => (`${method} ${path}` === read ? fault : undefined));
}

describe.each(GATES.map((flow) => [flow.name, flow] as const))("%s", (_name, flow: Flow) => {
  test.each(KINDS)("each read failing with %s on every attempt: answered once, never wrongly approved", async (what, fault, attempts) => {
    const { github, webhook, restore } = await story(populate, flow.setup);
    try {
      const { calls, reference } = await cleanDelivery(github, webhook, restore);
      const reads = readsBeforeAnswer(calls);
      expect(reads.length).toBeGreaterThanOrEqual(3);
      const wrong: string[] = [];
      for (const read of reads) {
        restore();
        const from = github.log.length;
        const heal = failEveryAttempt(github, read, fault);
        const started = Date.now();
        await (await loadApp(github, SHORT_TIMEOUT_MS, true))(webhook, "the-delivery").catch(() => undefined);
        const tookMs = Date.now() - started;
        heal();
        const answers = repoOf(github).protectionRuleAnswers.filter((a) => a.runId === RUN_ID);
        const made = github.calls().slice(from);
        const tries = made.slice(0, made.findIndex((call) => call.endsWith(ANSWER))).filter((call) => call === read).length;
        const state = answers.map((a) => a.state).join(",");
        if (answers.length !== 1) wrong.push(`${read}: ${answers.length} answers`);
        // A failed read can only take an approval away (an exception approves wherever S stands, so a failed compare keeps it).
        const clean = reference.answers.find((a) => a.runId === RUN_ID)?.state;
        if (answers[0] && answers[0].state !== "rejected" && answers[0].state !== clean) wrong.push(`${read}: answered ${state}, a clean delivery answers ${clean}`);
        wrong.push(...(flow.never?.(repoOf(github)) ?? []).map((broken) => `${read}: ${broken}`));
        if (tries !== attempts) wrong.push(`${read}: tried ${tries} times, expected ${attempts}`);
        figures.push(`${flow.name}, ${read.replace(/[0-9a-f]{40}/g, "{sha}")} failing with ${what}: ${state} after ${tries} attempts, ${tookMs} ms`);
      }
      expect(wrong).toEqual([]);
      expect(github.problems).toEqual([]);
    } finally {
      await github.stop();
    }
  }, 60_000);
});
