import { INSTALLATION_ID } from "../test/helpers/fixtures.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import { OWNER, sha, type Scenario } from "./scenario.js";

/**
 * An incident command: a maintainer's comment `/hotfix allow <short sha> production -- <reason>`
 * with `/mainline help` on the next line, each time for another hotfix commit. Warm-up: the issue
 * becomes an incident (RCA issue, ledger), then a first command. The decision ends with the
 * reply that carries `mainline:reply source=<comment id>`.
 */
export const incidentCommand: Scenario = {
  key: "incident-command",
  title: "incident comment: /hotfix allow, then /mainline help",
  gate: false,
  count: 5,
  concurrency: 1,
  maxSeconds: 45,
  seed(github) {
    const repo = github.addRepo(OWNER, "incident", "main");
    const root = github.commit(repo, sha("incident root"), null, "main");
    const head = github.commit(repo, sha("incident head"), root, "main");
    github.setRole(repo, "alice", "maintain");
    const hooks = storyWebhooks(github, repo);
    const incident = github.userIssue(repo, { title: "Checkout fails", body: "Card payments time out.", login: "bob" }).number;
    const comments = `/repos/${OWNER}/${repo.name}/issues/${incident}/comments`;
    return {
      warmUp: 2,
      installationOf: () => INSTALLATION_ID,
      next(i) {
        if (i === 0) {
          // Labelling makes an incident only when the labeller has the triage role or higher: alice (maintain).
          const [event, payload] = hooks.issueLabeled(incident, "alice", "incident");
          return { event, payload };
        }
        const hotfix = github.commit(repo, sha(`incident hotfix ${i}`), head, `hotfix/${i}`);
        const [event, payload] = hooks.comment(incident, "alice", `/hotfix allow ${hotfix.slice(0, 7)} production -- bench grant ${i}\n/mainline help`);
        const reply = `<!-- mainline:reply source=${payload.comment.id} -->`;
        const bodyOf = (request: { body: unknown }) => String((request.body as { body?: string }).body);
        return {
          event,
          payload,
          isEnd: (request) => request.method === "POST" && request.path === comments && bodyOf(request).includes(reply),
          verify: (request) => (bodyOf(request).includes("could not run") ? `comment ${payload.comment.id}: ${bodyOf(request).split("\n").slice(0, 2).join(" ")}` : undefined),
        };
      },
    };
  },
};
