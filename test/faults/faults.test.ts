import { SHORT_TIMEOUT_MS, cleanDelivery, describeDifference, failCall, faultKinds, gapState, loadApp, repoOf, stateOf, story } from "../helpers/fault-world.js";
import { FLOWS, populate, type Flow } from "./flows.js";

/**
 * For each flow: one clean delivery gives the reference state and the number of API calls it
 * makes; then, for every call position k and every kind of fault, the k-th call fails. Whatever
 * the first delivery did, redelivering the webhook must leave GitHub exactly as the clean
 * delivery did, and the flow's promises must hold throughout.
 */
const tried: string[] = [];

afterAll(() => {
  // The figures quoted in release notes: how many fault positions each flow was broken at.
  if (process.env.MAINLINE_FAULT_FIGURES) console.log(tried.join("\n"));
});

describe.each(FLOWS.map((flow) => [flow.name, flow] as const))("%s", (_name, flow: Flow) => {
  test("every call, failed every way, then redelivered: the state of one clean delivery", async () => {
    const { github, webhook, restore } = await story(populate, flow.setup);
    try {
      const { before, calls, reference } = await cleanDelivery(github, webhook, restore);
      expect(github.problems).toEqual([]);

      const wrong: string[] = [];
      let failedDeliveries = 0;
      let runs = 0;
      const gapRuns: string[] = [];
      for (let k = 1; k <= calls.length; k++) {
        for (const kind of faultKinds(calls[k - 1]!)) {
          runs += 1;
          restore();
          const faulty = await loadApp(github, SHORT_TIMEOUT_MS);
          const heal = failCall(github, k, kind);
          const failed = await faulty(webhook, "the-delivery").then(() => false, () => true);
          heal();
          const broken = flow.never?.(repoOf(github)) ?? [];
          // GitHub (or mainline's redelivery sweep) delivers it again; any replica may take it.
          await (await loadApp(github))(webhook, "the-delivery");
          broken.push(...(flow.never?.(repoOf(github)) ?? []));
          if (failed) failedDeliveries += 1;
          const inGap = flow.gap?.covers(calls, k, kind) ?? false;
          if (inGap) gapRuns.push(`call ${k} ${kind}`);
          const held = stateOf(github).answers;
          const expected = inGap ? gapState(before, reference, held, flow.gap?.opened?.(calls, k, kind) ?? false) : expectedState(before, reference, held);
          const state = stateOf(github);
          if (JSON.stringify(state) !== JSON.stringify(expected)) broken.push(`state differs:\n    ${describeDifference(expected, state)}`);
          if (inGap && flow.gap && held.at(-1)?.state === "approved") {
            // The deploy goes out; its success status records what the gap left out.
            await (await loadApp(github))(flow.gap.backstop.webhook(webhook), "the-status");
            broken.push(...flow.gap.backstop.missing(repoOf(github), webhook).map((m) => `after the deployment's success status: ${m}`));
          }
          for (const what of broken) wrong.push(`call ${k} (${calls[k - 1]}), ${kind}: ${what}`);
        }
      }
      tried.push(
        `${flow.name}: ${calls.length} calls, ${runs} runs (3 faults per read, 4 per write, 5 on the gate's answer), ${failedDeliveries} first deliveries failed` +
          (flow.gap ? `; ${gapRuns.length} runs (${gapRuns.join(", ")}) where ${flow.gap.why}` : ""),
      );
      if (flow.gap) expect(gapRuns.length).toBe(flow.gap.runs);
      expect(wrong).toEqual([]);
      expect(github.problems).toEqual([]);
    } finally {
      await github.stop();
    }
  }, 120_000);
});

type State = ReturnType<typeof stateOf>;

/**
 * GitHub keeps the first answer to a protection rule. When a fault made that a refusal ("could
 * not verify") where the clean delivery approved, the run is refused for good: nothing may be
 * recorded as let through, so the state is the one before the webhook plus that answer.
 */
function expectedState(before: State, clean: State, held: State["answers"]): State {
  const added = held.slice(before.answers.length);
  const cleanAdded = clean.answers.slice(before.answers.length);
  if (JSON.stringify(added) === JSON.stringify(cleanAdded)) return clean;
  return { ...before, answers: held };
}
