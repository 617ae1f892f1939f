import { describeDifference, loadApp, stateOf, story, type Webhook, type World } from "../helpers/fault-world.js";
import { ALLOW, HOTFIX, RUN_ID, openIncident, populate } from "./flows.js";

/**
 * Webhooks that arrive together — GitHub redelivering while the first delivery still runs, or
 * two people acting on one incident at once — taken by the app at the same moment (and a few
 * milliseconds apart, to vary how their calls would interleave). The state must be one that
 * delivering them one after the other produces.
 */
type Together = { name: string; setup: (world: World) => Promise<readonly [Webhook, Webhook]> };

const STAGGER_MS = [0, 1, 3, 7, 15];

const SAME_TWICE: Array<[string, (world: World) => Promise<Webhook>]> = [
  ["an incident label", async ({ github, repo, hooks }) => hooks.issueLabeled(github.userIssue(repo, { title: "Checkout down", login: "bob" }).number, "bob", "incident")],
  ["/hotfix allow", async (world) => world.hooks.comment(await openIncident(world), "alice", ALLOW)],
  [
    "a deploy under an exception",
    async (world) => {
      await world.deliver(world.hooks.comment(await openIncident(world), "alice", ALLOW));
      return world.hooks.protectionRule(HOTFIX, "production", RUN_ID, "bob");
    },
  ],
  [
    "a push that brings a hotfix to main",
    async (world) => {
      await world.deliver(world.hooks.comment(await openIncident(world), "alice", ALLOW));
      await world.deliver(world.hooks.protectionRule(HOTFIX, "production", RUN_ID, "bob"));
      return world.hooks.push("main", "bob", [{ sha: "c".repeat(40), message: `Retry charges\n\n(cherry picked from commit ${HOTFIX})` }]);
    },
  ],
];

const TOGETHER: Together[] = [
  ...SAME_TWICE.map(([name, setup]): Together => ({ name: `the same webhook twice: ${name}`, setup: async (world) => { const webhook = await setup(world); return [webhook, webhook]; } })),
  {
    name: "/hotfix allow while the incident is closed early",
    async setup(world) {
      const incident = await openIncident(world);
      return [world.hooks.comment(incident, "alice", ALLOW), world.hooks.issueClosed(incident, "bob")];
    },
  },
  {
    name: "a second /hotfix allow while the first deploy goes out",
    async setup(world) {
      const incident = await openIncident(world);
      await world.deliver(world.hooks.comment(incident, "alice", ALLOW));
      return [world.hooks.protectionRule(HOTFIX, "production", RUN_ID, "bob"), world.hooks.comment(incident, "alice", `/hotfix allow ${HOTFIX} staging -- staging too`)];
    },
  },
];

test.each(TOGETHER.map((t) => [t.name, t] as const))("%s", async (_name, { setup }) => {
  const { github, webhook, restore } = await story(populate, async (world) => JSON.stringify(await setup(world)) as unknown as Webhook);
  const [first, second] = JSON.parse(webhook as unknown as string) as [Webhook, Webhook];
  try {
    const inOrder: Array<ReturnType<typeof stateOf>> = [];
    for (const order of [[first, second], [second, first]] as const) {
      restore();
      const app = await loadApp(github);
      for (const [i, hook] of order.entries()) await app(hook, `delivery-${i}`);
      inOrder.push(stateOf(github));
    }
    const outcomes: string[] = [];
    for (const stagger of STAGGER_MS) {
      restore();
      const app = await loadApp(github);
      await Promise.all([app(first, "delivery-0"), new Promise((r) => setTimeout(r, stagger)).then(() => app(second, "delivery-1"))]);
      const state = stateOf(github);
      if (!inOrder.some((s) => JSON.stringify(s) === JSON.stringify(state))) outcomes.push(`${stagger} ms apart:\n    ${describeDifference(inOrder[0]!, state)}`);
    }
    expect(outcomes).toEqual([]);
    expect(github.problems).toEqual([]);
  } finally {
    await github.stop();
  }
});
