import { recordBody, type RecordFields, type RecordKind } from "../src/records.js";
import { INSTALLATION_ID } from "../test/helpers/fixtures.js";
import type { GitHubTestServer } from "../test/helpers/github-server.js";
import { addComment, openIssue } from "../test/helpers/github-server/issues.js";
import { WEBHOOK_SECRET } from "../test/helpers/start-app.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import type { Delivery } from "./drive.js";
import { OWNER, sha, type Scenario } from "./scenario.js";

type Item = { number: number; sha: string; diff: string };

/**
 * A repository with an incident and its open merge-back items, seeded as mainline writes them: the
 * incident's signed records in its thread (the incident with its RCA issue, one `merge-back` record
 * per item; the app's key is WEBHOOK_SECRET in a started app) and each item's issue (by its bot,
 * label `merge-back`, body marker `mainline:merge-back incident=<n> sha=<S>`, a view), each for its
 * own hotfix commit with its own patch. `push()` cherry-picks (`-x`) the oldest item's commit to
 * main, so it closes that item and checks all the others; the decision ends with that item closed,
 * after the incident's ledger is edited (it lists the items the records name, so it changes with
 * every item done; the ledger says so before the item's issue closes).
 */
function pushRepo(github: GitHubTestServer, name: string) {
  const repo = github.addRepo(OWNER, name, "main");
  const root = github.commit(repo, sha(`${name} root`), null, "main");
  const head = github.commit(repo, sha(`${name} head`), root, "main");
  const hooks = storyWebhooks(github, repo);
  const incident = github.userIssue(repo, { title: "Checkout fails", labels: ["incident"], login: "bob" }).number;
  const record = <K extends RecordKind>(kind: K, fields: RecordFields<K>, text: string) =>
    addComment(repo, github.mint, repo.issues.get(incident)!, github.app.bot, recordBody(WEBHOOK_SECRET, kind, { repo: repo.id, incident }, fields, text));
  const rca = openIssue(repo, github.mint, github.app.bot, { title: "RCA: Checkout fails", body: "RCA to be written.", labels: ["rca"] }).number;
  record("incident", { by: "bob", via: "label", at: github.mint.now(), rca }, "🚨 This issue is an incident.");
  const ledger = `<!-- mainline:ledger incident=${incident} -->`;
  // The incident's ledger is there already, so every push edits it (before closing the item).
  addComment(repo, github.mint, repo.issues.get(incident)!, github.app.bot, `${ledger}\n\nNot rendered yet.`);
  const waiting: Item[] = [];
  let opened = 0;
  const openItem = () => {
    const k = opened++;
    const diff = `diff --git a/svc${k}.js b/svc${k}.js\n--- a/svc${k}.js\n+++ b/svc${k}.js\n@@ -1 +1 @@\n-retry(${k})\n+retry(${k + 1})\n`;
    const hotfix = github.commit(repo, sha(`${name} hotfix ${k}`), head, `hotfix/${k}`, `Hotfix ${k}`, diff);
    const issue = openIssue(repo, github.mint, github.app.bot, {
      title: `Merge back ${hotfix.slice(0, 7)} to main (incident #${incident})`,
      body: `<!-- mainline:merge-back incident=${incident} sha=${hotfix} -->\n\nCommit \`${hotfix}\` was deployed under an exception, but it is not on \`main\`.`,
      labels: ["merge-back"],
    });
    record("merge-back", { sha: hotfix, issue: issue.number, at: github.mint.now() }, `🔁 \`${hotfix.slice(0, 7)}\` must reach \`main\`: #${issue.number} tracks it.`);
    waiting.push({ number: issue.number, sha: hotfix, diff });
  };
  return {
    /** Opens items until `open` are open. */
    fillTo(open: number) {
      while (waiting.length < open) openItem();
    },
    push(i: number): Delivery {
      const item = waiting.shift()!;
      const [event, payload] = hooks.push("main", "bob", [{ sha: sha(`${name} pick ${i}`), message: `Hotfix\n\n(cherry picked from commit ${item.sha})`, diff: item.diff }]);
      return {
        event,
        payload,
        isEnd: (request) => request.method === "PATCH" && request.path.endsWith(`/issues/${item.number}`) && (request.body as { state?: string }).state === "closed",
        verify: () => (repo.issues.get(item.number)?.state === "closed" ? undefined : `merge-back #${item.number} is still open`),
      };
    },
  };
}

const PUSH_LOAD = { gate: false, count: 3, concurrency: 1, maxSeconds: 40 } as const;

/**
 * Pushes to one repository while `open` items stay open: a new item is opened before each push.
 * The app has seen the other items at earlier pushes, as it has in a long-running process.
 */
function pushWithOpenItems(open: number): Scenario {
  return {
    key: `push-${open}`,
    title: `push to main, ${open} open merge-back item${open === 1 ? "" : "s"} (closes 1)`,
    ...PUSH_LOAD,
    seed(github) {
      const target = pushRepo(github, `push-${open}`);
      return {
        warmUp: 1,
        installationOf: () => INSTALLATION_ID,
        next(i) {
          target.fillTo(open);
          return target.push(i);
        },
      };
    },
  };
}

/**
 * Each push goes to a repository the app has not seen, with `open` items it has never checked:
 * nothing about them is cached yet, as on the first push after the app starts.
 */
function firstPushWithOpenItems(open: number): Scenario {
  return {
    key: `push-${open}-cold`,
    title: `first push to main, ${open} open merge-back items never checked (closes 1)`,
    ...PUSH_LOAD,
    seed(github) {
      return {
        warmUp: 1,
        installationOf: () => INSTALLATION_ID,
        next(i) {
          const target = pushRepo(github, `push-${open}-cold-${i}`);
          target.fillTo(open);
          return target.push(i);
        },
      };
    },
  };
}

export const pushScenarios = [...[1, 10, 100].map(pushWithOpenItems), ...[10, 100].map(firstPushWithOpenItems)];
