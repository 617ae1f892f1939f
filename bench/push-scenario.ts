import { INSTALLATION_ID } from "../test/helpers/fixtures.js";
import { openIssue } from "../test/helpers/github-server/issues.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import { OWNER, sha, type Scenario } from "./scenario.js";

/**
 * A push to main while `open` merge-back items are open, seeded as mainline writes them (by its
 * bot, label `merge-back`, body marker `mainline:merge-back incident=<n> sha=<S>`), each for its
 * own hotfix commit with its own patch. Every push cherry-picks (`-x`) the oldest item's commit,
 * so it closes that item and checks all the others; a new item is opened before the next push
 * so `open` stay open. The decision ends with the incident's ledger rewritten.
 */
function pushWithOpenItems(open: number): Scenario {
  return {
    key: `push-${open}`,
    title: `push to main, ${open} open merge-back item${open === 1 ? "" : "s"} (closes 1)`,
    gate: false,
    count: 3,
    concurrency: 1,
    maxSeconds: 40,
    seed(github) {
      const repo = github.addRepo(OWNER, `push-${open}`, "main");
      const root = github.commit(repo, sha(`${repo.name} root`), null, "main");
      const head = github.commit(repo, sha(`${repo.name} head`), root, "main");
      const hooks = storyWebhooks(github, repo);
      const incident = github.userIssue(repo, { title: "Checkout fails", labels: ["incident"], login: "bob" }).number;
      const ledger = `<!-- mainline:ledger incident=${incident} -->`;
      const waiting: Array<{ number: number; sha: string; diff: string }> = [];
      let opened = 0;
      const openItem = () => {
        const k = opened++;
        const diff = `diff --git a/svc${k}.js b/svc${k}.js\n--- a/svc${k}.js\n+++ b/svc${k}.js\n@@ -1 +1 @@\n-retry(${k})\n+retry(${k + 1})\n`;
        const hotfix = github.commit(repo, sha(`${repo.name} hotfix ${k}`), head, `hotfix/${k}`, `Hotfix ${k}`, diff);
        const issue = openIssue(repo, github.mint, github.app.bot, {
          title: `Merge back ${hotfix.slice(0, 7)} to main (incident #${incident})`,
          body: `<!-- mainline:merge-back incident=${incident} sha=${hotfix} -->\n\nCommit \`${hotfix}\` was deployed under an exception, but it is not on \`main\`.`,
          labels: ["merge-back"],
        });
        waiting.push({ number: issue.number, sha: hotfix, diff });
      };
      return {
        warmUp: 1,
        installationOf: () => INSTALLATION_ID,
        next(i) {
          while (waiting.length < open) openItem();
          const item = waiting.shift()!;
          const [event, payload] = hooks.push("main", "bob", [{ sha: sha(`${repo.name} pick ${i}`), message: `Hotfix\n\n(cherry picked from commit ${item.sha})`, diff: item.diff }]);
          if (i === 0) return { event, payload };
          return {
            event,
            payload,
            isEnd: (request) =>
              request.method === "PATCH" && /\/issues\/comments\/\d+$/.test(request.path) && String((request.body as { body?: string }).body).includes(ledger),
            verify: () => (repo.issues.get(item.number)?.state === "closed" ? undefined : `merge-back #${item.number} is still open`),
          };
        },
      };
    },
  };
}

export const pushScenarios = [1, 10, 100].map(pushWithOpenItems);
