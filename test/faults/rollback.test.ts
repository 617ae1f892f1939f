import { SHORT_TIMEOUT_MS, cleanDelivery, describeDifference, failCall, faultKinds, loadApp, repoOf, stateOf, story, type FaultKind, type World } from "../helpers/fault-world.js";
import type { Fault, GitHubTestServer, Repository } from "../helpers/github-server.js";
import { openIncident } from "./flows.js";

/**
 * `/incident rollback` broken call by call (as faults.test.ts breaks the other flows): whatever
 * the first delivery did, its redelivery leaves exactly one rollback deployment and GitHub as one
 * clean delivery leaves it, but for the 👍 in the one case `thumbsUpLost` names. The deployment's
 * own POST also fails the way only a create can: GitHub takes it, and the connection drops before
 * its answer.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const GOOD = sha("b");
const MAIN_HEAD = sha("c");
const HOTFIX = sha("1");
const DEPLOY_TOOL = { login: "deploy-tool[bot]", id: 7000, type: "Bot" } as const;
const CREATE = "POST /repos/Codertocat/Hello-World/deployments";
const REPLY = "POST /repos/Codertocat/Hello-World/issues/1/comments";

/** Production ran GOOD (on main), then HOTFIX (off main): GOOD is the candidate. */
function populate(github: GitHubTestServer, repo: Repository): void {
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, GOOD, ROOT, "main");
  github.commit(repo, MAIN_HEAD, GOOD, "main");
  github.commit(repo, HOTFIX, GOOD, "hotfix/payments", "Retry charges");
  github.setRole(repo, "bob", "write");
  for (const commit of [GOOD, HOTFIX]) {
    const { id } = github.addDeployment(repo, { sha: commit, environment: "production" });
    // The deploy tool creates the deployment it reports on: only its own `success` counts.
    repo.deployments.get(id)!.creator = DEPLOY_TOOL;
    const now = github.mint.now();
    repo.deploymentStatuses.set(id, [{ id: github.mint.id(), deployment_id: id, state: "success", description: "", environment: "production", log_url: "", environment_url: "", creator: DEPLOY_TOOL, created_at: now, updated_at: now }]);
  }
}

async function setup(world: World) {
  const incident = await openIncident(world);
  return world.hooks.comment(incident, "bob", "/incident rollback");
}

const rollbacks = (repo: Repository) => [...repo.deployments.values()].filter((d) => d.task === "deploy:rollback").map(({ sha, environment, task, payload, creator }) => ({ sha, environment, task, payload, creator: creator.login }));

/** GitHub carries the request out, and the connection is cut before its answer. */
const DROPPED_AFTER_TAKEN: Fault = { drop: true, applied: true, delayMs: SHORT_TIMEOUT_MS / 2 };

type Kind = FaultKind | "dropped after taken";

test("every call of /incident rollback, failed every way, then redelivered: one deployment, and the state of one clean delivery", async () => {
  const { github, webhook, restore } = await story(populate, setup);
  try {
    const { calls, reference } = await cleanDelivery(github, webhook, restore);
    const made = rollbacks(repoOf(github));
    expect(made).toHaveLength(1);
    expect(calls.filter((c) => c === CREATE)).toHaveLength(1);

    const wrong: string[] = [];
    let runs = 0;
    for (let k = 1; k <= calls.length; k++) {
      const kinds: Kind[] = [...faultKinds(calls[k - 1]!), ...(calls[k - 1] === CREATE ? (["dropped after taken"] as const) : [])];
      for (const kind of kinds) {
        runs += 1;
        restore();
        let seen = 0;
        const heal = kind === "dropped after taken" ? github.injectFault(() => (++seen === k ? DROPPED_AFTER_TAKEN : undefined)) : failCall(github, k, kind);
        await (await loadApp(github, SHORT_TIMEOUT_MS))(webhook, "the-delivery").catch(() => undefined);
        heal();
        await (await loadApp(github))(webhook, "the-delivery");
        const deployments = rollbacks(repoOf(github));
        if (JSON.stringify(deployments) !== JSON.stringify(made)) wrong.push(`call ${k} (${calls[k - 1]}), ${kind}: ${deployments.length} rollback deployments`);
        const expected = thumbsUpLost(calls, k, kind) ? { ...reference, comments: reference.comments.map((c) => ({ ...c, reactions: c.reactions.filter((r) => r !== `${github.app.bot.login}:+1`) })) } : reference;
        const state = stateOf(github);
        if (JSON.stringify(state) !== JSON.stringify(expected)) wrong.push(`call ${k} (${calls[k - 1]}), ${kind}: state differs:\n    ${describeDifference(expected, state)}`);
      }
    }
    // The figures quoted in the report: how many calls the command makes, how many ways they were broken.
    if (process.env.MAINLINE_FAULT_FIGURES) console.log(`/incident rollback: ${calls.length} calls, ${runs} runs\n   ${calls.join("\n   ")}`);
    expect(wrong).toEqual([]);
    expect(runs).toBeGreaterThan(calls.length * 3);
    expect(github.problems).toEqual([]);
  } finally {
    await github.stop();
  }
}, 120_000);

/**
 * The reply goes before the 👍 (issue-comment.ts, `answer`): the reply is never missing after a
 * redelivery. The 👍 is, in one case: GitHub took the reply (even if its answer was lost) and the
 * delivery failed before GitHub took the 👍; the redelivery finds the reply, takes the comment as
 * answered and runs nothing, so the 👍 is never added. The deployment, its record, the ledger line
 * and the reply are in place.
 */
function thumbsUpLost(calls: string[], k: number, kind: Kind): boolean {
  const reaction = calls.findIndex((c) => c.startsWith("POST") && c.endsWith("/reactions")) + 1;
  const reply = calls.lastIndexOf(REPLY) + 1;
  expect(reply).toBe(reaction - 1);
  return (k === reply && kind === "lost answer") || (k === reaction && kind !== "lost answer");
}
