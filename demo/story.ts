import type { Repository } from "../test/helpers/github-server.js";
import type { storyWebhooks } from "../test/helpers/story-webhooks.js";
import { CHERRY_PICK, HOTFIX, HOTFIX_PATCH, type Person, type Scene } from "./scene.js";

/** The webhook GitHub sends for what a person just did (building it applies the act to the loopback GitHub). */
export type Act = () => readonly [string, unknown];

/**
 * What a person does, the webhooks that follow, and how the step must end: `check` reads the
 * loopback GitHub and returns what a person should now see, or what was expected instead.
 */
export type Step = { actor: Person; did: string; acts: Act[]; check: () => { ok: boolean; outcome: string } };

const short = (sha: string) => sha.slice(0, 7);
const REASON = "card payments down, the fix must ship now";
const RCA_TEXT: Record<string, string> = {
  Timeline: "16:02 card payments fail at checkout. 16:40 the retry fix is deployed under an exception.",
  "Root cause": "The refactor of the payment client dropped the retry flag.",
  "Action items": "- [ ] A contract test for the retry flag",
};

/**
 * An outage from the first deploy to the incident's close. Every check reads GitHub's state
 * (the protection rule's answers, issues, comments), never the app's logs.
 */
export function story({ github, repo }: Scene, hooks: ReturnType<typeof storyWebhooks>): Step[] {
  let incident = 0;
  const issue = (number: number | undefined) => (number === undefined ? undefined : repo.issues.get(number));
  const withLabel = (label: string) => [...repo.issues.values()].find((i) => i.labels.includes(label));
  const botComments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");
  const answerOf = (runId: number) => repo.protectionRuleAnswers.find((a) => a.runId === runId);
  const rca = () => withLabel("rca");
  const mergeBack = () => withLabel("merge-back");

  return [
    {
      actor: "bob",
      did: `runs the deploy workflow for branch hotfix/payments (${short(HOTFIX)}, not on main) to production`,
      acts: [() => hooks.protectionRule(HOTFIX, "production", 101, "bob")],
      check: () => ({ ok: answerOf(101)?.state === "rejected", outcome: `The deploy of ${short(HOTFIX)} to production is refused: it is not on main.` }),
    },
    {
      actor: "bob",
      did: 'opens an issue "Payments fail at checkout" and comments "/incident"',
      acts: [
        () => {
          incident = github.userIssue(repo, { title: "Payments fail at checkout", body: "Card payments time out since 16:02.", login: "bob" }).number;
          return hooks.comment(incident, "bob", "/incident");
        },
      ],
      check: () => ({
        ok: labels(repo, incident).includes("incident") && rca() !== undefined && botComments(incident).some((c) => c.body.includes("<!-- mainline:ledger ")),
        outcome: `#${incident} is an incident (label "incident"), with its RCA issue #${rca()?.number} and a ledger comment.`,
      }),
    },
    {
      actor: "alice",
      did: `comments "/hotfix allow ${short(HOTFIX)} production -- ${REASON}"`,
      acts: [() => hooks.comment(incident, "alice", `/hotfix allow ${short(HOTFIX)} production -- ${REASON}`)],
      check: () => ({
        ok: botComments(incident).some((c) => c.body.startsWith("<!-- mainline:record kind=exception ")) && exceptionRuns(repo, HOTFIX).includes("Exception active"),
        outcome: `Exception granted: ${short(HOTFIX)} may deploy to production, recorded in #${incident} and in a check run on the commit.`,
      }),
    },
    {
      actor: "bob",
      did: `re-runs the deploy workflow for ${short(HOTFIX)} to production`,
      acts: [() => hooks.protectionRule(HOTFIX, "production", 102, "bob")],
      check: () => ({
        ok: answerOf(102)?.state === "approved" && mergeBack()?.body?.includes(`sha=${HOTFIX}`) === true,
        outcome: `The deploy is allowed under the exception; merge-back issue #${mergeBack()?.number} tracks bringing ${short(HOTFIX)} to main.`,
      }),
    },
    {
      actor: "bob",
      did: "closes the incident with GitHub's Close button: the site is up again",
      acts: [() => hooks.issueClosed(incident, "bob")],
      check: () => {
        const reply = botComments(incident).at(-1)?.body ?? "";
        return {
          ok: issue(incident)?.state === "open" && reply.includes(`merge-back #${mergeBack()?.number}`) && reply.includes(`RCA #${rca()?.number}`),
          outcome: `The close is refused: #${incident} is open again, blocked by merge-back #${mergeBack()?.number} and RCA #${rca()?.number}.`,
        };
      },
    },
    {
      actor: "bob",
      did: `pushes the fix to main: git cherry-pick -x ${short(HOTFIX)} (commit ${short(CHERRY_PICK)})`,
      acts: [() => hooks.push("main", "bob", [{ sha: CHERRY_PICK, message: `Retry charges\n\n(cherry picked from commit ${HOTFIX})`, diff: HOTFIX_PATCH }])],
      check: () => ({ ok: mergeBack()?.state === "closed", outcome: `Merge-back #${mergeBack()?.number} is done: ${short(HOTFIX)}'s change is on main.` }),
    },
    {
      actor: "bob",
      did: "writes the RCA under its three headings and closes it",
      acts: [() => hooks.issueEdited(rca()!.number, "bob", written(rca()!.body ?? "")), () => hooks.issueClosed(rca()!.number, "bob")],
      check: () => ({ ok: rca()?.state === "closed", outcome: `RCA #${rca()?.number} is written and stays closed.` }),
    },
    {
      actor: "bob",
      did: 'comments "/incident close"',
      acts: [() => hooks.comment(incident, "bob", "/incident close")],
      check: () => ({ ok: issue(incident)?.state === "closed", outcome: `Incident #${incident} is closed: its fix is on main and its RCA is written.` }),
    },
  ];
}

/** The RCA template with text under each heading, as a person fills it in. */
function written(template: string): string {
  return Object.entries(RCA_TEXT).reduce((body, [heading, text]) => body.replace(`## ${heading}\n`, `## ${heading}\n${text}\n`), template);
}

const labels = (repo: Repository, number: number) => repo.issues.get(number)?.labels ?? [];
const exceptionRuns = (repo: Repository, sha: string) =>
  [...(repo.checkRuns?.values() ?? [])].filter((r) => r.head_sha === sha && r.name === "mainline/exception").map((r) => r.output.title);
