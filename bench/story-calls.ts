import { INSTALLATION_ID } from "../test/helpers/fixtures.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import type { Budget, Delivery } from "./drive.js";
import { OWNER, sha, type Scenario } from "./scenario.js";

const PATCH_1 = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";
const PATCH_2 = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -2 +2 @@\n-timeout(1)\n+timeout(5)\n";
const RCA_SECTIONS = { Timeline: "16:02 payments fail; 16:40 hotfix deployed.", "Root cause": "The retry flag was dropped in the refactor." };

type Step = {
  webhook: () => readonly [string, unknown];
  budget?: Budget;
  /** What is wrong when the step did not leave what the story test expects of it: the later steps' calls would mean nothing. */
  check?: () => string | undefined;
};

const unless = (ok: boolean, wrong: string) => (ok ? undefined : wrong);

/**
 * The Friday outage of test/server/incident-story.test.ts, told to the app as users start it:
 * the same roles, config (`environments: [production]`), commits and webhooks in the same order,
 * each delivery sent once the previous one has ended (past Probot's 202 if need be), so that
 * every request the server sees meanwhile is that delivery's. Issue 15's budgeted steps carry
 * their budget (the test's); the steps between them are told too, as the later ones depend on
 * them. The warm-up is the story's first webhook, the `payments` label. The story changes the
 * repository as it goes, so it is told once per pass: there are no rounds to repeat it in.
 */
export const incidentStory: Scenario = {
  key: "incident-story",
  title: "incident story: a Friday outage, from the first alert to the close",
  gate: false,
  count: 12,
  concurrency: 1,
  maxSeconds: 240,
  settled: true,
  seed(github) {
    const repo = github.addRepo(OWNER, "story", "main");
    const root = github.commit(repo, sha("story root"), null, "main");
    const mainHead = github.commit(repo, sha("story main head"), root, "main");
    const hotfix1 = github.commit(repo, sha("story hotfix 1"), mainHead, "hotfix/payments", "Retry charges", PATCH_1);
    const hotfix2 = github.commit(repo, sha("story hotfix 2"), hotfix1, "hotfix/payments", "Longer payment timeout", PATCH_2);
    const cherryPick = sha("story cherry-pick");
    for (const [login, role] of [["alice", "maintain"], ["bob", "write"], ["carol", "admin"]] as const) github.setRole(repo, login, role);
    repo.files.set(".github/mainline.yml", "environments: [production]\n");
    const hooks = storyWebhooks(github, repo);
    const incident = github.userIssue(repo, { title: "Payments fail at checkout", body: "Card payments time out.", login: "bob" }).number;

    const labelled = (label: string) => [...repo.issues.values()].filter((i) => i.labels.includes(label));
    const state = (number: number | undefined) => (number === undefined ? undefined : repo.issues.get(number)?.state);
    const approved = (runId: number) => unless(repo.protectionRuleAnswers.find((a) => a.runId === runId)?.state === "approved", `run ${runId} was not approved`);
    const rca = () => labelled("rca")[0]!.number;
    let partial = "";
    const steps: Step[] = [
      { webhook: () => hooks.issueLabeled(incident, "bob", "payments") },
      {
        webhook: () => hooks.issueLabeled(incident, "bob", "incident"),
        budget: { step: "incident labeled", limit: 8, of: "calls" },
        check: () => unless(labelled("rca").length === 1, "no RCA issue"),
      },
      {
        webhook: () => hooks.comment(incident, "alice", `/hotfix allow ${hotfix1.slice(0, 7)} production -- card payments down, fix needs to ship now`),
        budget: { step: "/hotfix allow", limit: 9, of: "calls" },
        check: () => unless([...repo.comments.values()].some((c) => c.issue_number === incident && c.body.startsWith("<!-- mainline:record kind=exception ")), "no exception recorded"),
      },
      {
        webhook: () => hooks.protectionRule(hotfix1, "production", 101, "bob"),
        budget: { step: "deploy under an exception", limit: 12, of: "calls" },
        check: () => approved(101) ?? unless(labelled("merge-back").length === 1, "no merge-back issue"),
      },
      {
        webhook: () => hooks.issueClosed(incident, "bob"),
        budget: { step: "incident closed early", limit: 10, of: "calls" },
        check: () => unless(state(incident) === "open", "the incident closed early stayed closed"),
      },
      { webhook: () => hooks.comment(incident, "alice", `/hotfix allow ${hotfix2} -- timeouts still too short`) },
      { webhook: () => hooks.protectionRule(hotfix2, "production", 102, "bob"), check: () => approved(102) },
      {
        webhook: () =>
          hooks.push("main", "bob", [
            { sha: cherryPick, message: `Retry charges\n\n(cherry picked from commit ${hotfix1})`, diff: PATCH_1 },
            { sha: sha("story merge"), message: "Merge branch 'hotfix/payments'", parents: [cherryPick, hotfix2] },
          ]),
        // Two open items: at most one read each, and 6 more.
        // Issue 15's N+6 for the items, and 2 for what a push by hand also opens (SPEC 11): its post-merge review's find and look again.
        budget: { step: "push to main by hand, 2 open items (N+6, +2 for its post-merge review)", limit: 2 + 6 + 2, of: "reads" },
        check: () => unless(labelled("merge-back").every((i) => i.state === "closed"), "a merge-back item stayed open"),
      },
      {
        webhook: () => {
          const template = repo.issues.get(rca())!.body!;
          partial = Object.entries(RCA_SECTIONS).reduce((body, [heading, text]) => body.replace(`## ${heading}\n`, `## ${heading}\n${text}\n`), template);
          return hooks.issueEdited(rca(), "bob", partial);
        },
        budget: { step: "RCA edited", limit: 6, of: "calls" },
      },
      { webhook: () => hooks.issueClosed(rca(), "bob"), check: () => unless(state(rca()) === "open", "the unwritten RCA stayed closed") },
      { webhook: () => hooks.issueEdited(rca(), "bob", partial.replace("## Action items\n", "## Action items\n- [ ] Contract test for the retry flag\n")) },
      { webhook: () => hooks.issueClosed(rca(), "bob"), check: () => unless(state(rca()) === "closed", "the written RCA was reopened") },
      {
        webhook: () => hooks.comment(incident, "bob", "/incident close"),
        budget: { step: "/incident close", limit: 10, of: "calls" },
        check: () => unless(state(incident) === "closed", "/incident close left the incident open"),
      },
    ];
    return {
      warmUp: 1,
      installationOf: () => INSTALLATION_ID,
      next(i): Delivery {
        const { webhook, budget, check } = steps[i]!;
        const [event, payload] = webhook();
        return { event, payload, budget, check };
      },
    };
  },
};
