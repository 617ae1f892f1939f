import { threadRecords } from "../../src/github/own-comments.js";
import type { CommentLike } from "../../src/github/client.js";
import { OWNER } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository, type Role } from "../helpers/github-server.js";
import { renderComment } from "../helpers/github-server/render.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WEBHOOK_SECRET, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * The adversarial suite's world: the app started as users start it (`npm start`), without write
 * spacing (none of these tests is about it), the loopback GitHub, and one scene per test — its own
 * repository and installation, so scenes run side by side — with a cast of every role.
 */
export const sha = (c: string) => c.repeat(40);
export const ROOT = sha("a");
export const MAIN_HEAD = sha("b");
/** A commit on a side branch, never merged: the commit an attacker wants in production. */
export const SIDE = sha("d");
export const SIDE_PATCH = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";

/** Who can do what (GitHub's roles); `rex` is anyone who can comment on a public repository. */
export const CAST: Record<string, Role | "none"> = { rex: "none", rita: "read", tess: "triage", wendy: "write", mona: "maintain", max: "maintain", ada: "admin" };

export type World = { github: GitHubTestServer; app: RunningApp; nextScene: () => number };

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  const app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING, ...env });
  let scenes = 0;
  return { github, app, nextScene: () => ++scenes };
}

export async function stopWorld(world: World | undefined): Promise<void> {
  await world?.app.stop();
  await world?.github.stop();
}

/** A repository with main (ROOT → MAIN_HEAD) and SIDE off it, its own installation, and the cast's roles. */
/** Every scene has its own config file, so no delivery reads the owner's `.github` repository (which all scenes share). */
export function scene(world: World, config = "environments: [production]\n") {
  const { github, app } = world;
  const n = world.nextScene();
  const repo: Repository = github.addRepo(OWNER, `scene-${n}`, "main");
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, SIDE, MAIN_HEAD, "hotfix/side", "Side fix", SIDE_PATCH);
  repo.files.set(".github/mainline.yml", config);
  for (const [login, role] of Object.entries(CAST)) if (role !== "none") github.setRole(repo, login, role);
  const hooks = storyWebhooks(github, repo, 100 + n);
  let runs = 1000 * n;

  const send = async ([event, payload]: readonly [string, unknown]) => {
    const res = await app.deliverSettled(event, payload);
    if (res.status !== 200) throw new Error(`${event} answered ${res.status}:\n${app.output().slice(-3000)}`);
  };
  const comments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number);
  const appComments = (number: number) => comments(number).filter((c) => c.user.type === "Bot");
  const asApi = (number: number): CommentLike[] => comments(number).map((c) => renderComment(github, repo, c) as unknown as CommentLike);

  return {
    repo,
    hooks,
    send,
    comments,
    appComments,
    /** What the app believes about incident `number`: its records, read back exactly as the app reads them. */
    records: (number: number, on = number) => threadRecords(asApi(on), { appId: github.app.id, key: WEBHOOK_SECRET }, { repo: repo.id, incident: number }),
    issue: (number: number) => repo.issues.get(number)!,
    byLabel: (label: string) => [...repo.issues.values()].filter((i) => i.labels.includes(label)),
    /** Asks the gate about (S, production) as GitHub Actions would; returns what the app answered. */
    async gate(commit: string, environment = "production") {
      const runId = ++runs;
      await send(hooks.protectionRule(commit, environment, runId, "wendy"));
      return repo.protectionRuleAnswers.find((a) => a.runId === runId)?.state;
    },
    /** tess (triage) opens an issue and labels it an incident. */
    async incident(title = "Payments down") {
      const number = github.userIssue(repo, { title, login: "tess" }).number;
      await send(hooks.issueLabeled(number, "tess", "incident"));
      return number;
    },
    /** Someone comments; returns the comment's id. */
    async say(number: number, login: string, body: string) {
      const [event, payload] = hooks.comment(number, login, body);
      await send([event, payload]);
      return (payload as { comment: { id: number } }).comment.id;
    },
    replyTo(number: number, commentId: number) {
      return appComments(number).find((c) => c.body.includes(`<!-- mainline:reply source=${commentId} -->`))?.body;
    },
  };
}

export type Scene = ReturnType<typeof scene>;
