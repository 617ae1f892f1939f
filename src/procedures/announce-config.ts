import { defaultConfig } from "../config.js";
import { configAt } from "../github/config-at.js";
import { createComment } from "../github/issues.js";
import { readOpenIncidents } from "../github/open-incidents.js";
import { findOwnComment } from "../github/own-comments.js";
import { marker } from "../markers.js";
import { renderConfigNotice } from "../policy/config-notice.js";
import { configTouchingCommits, type PushedCommit } from "../policy/config-push.js";
import { weakenings } from "../policy/config-weakening.js";
import { appBody } from "../policy/text.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoScope } from "../delivery/repo-context.js";

/** A pushed commit as the notice names it: its id, its author, and the paths it touched. */
export type ConfigPushCommit = PushedCommit & { id: string; author: { username?: string | undefined; name: string } };

/** A push to main as the announcement needs it: plain facts from its payload. */
export type ConfigPush = {
  before: string;
  after: string;
  /** Main was created by this push: what it held before is not known. */
  created: boolean;
  forced: boolean;
  commits: readonly ConfigPushCommit[];
  headCommit: ConfigPushCommit | null;
  /** The git pusher's name, as the payload gives it. */
  pusher: string;
  repositoryUrl: string;
  /** When GitHub says the push happened (push-time.ts); absent when the payload does not say. */
  pushedAt?: string;
};

/** At most this many incidents are written to per push: a delivery's cost stays bounded (SPEC 8). */
const NOTICE_INCIDENT_LIMIT = 20;

/**
 * A push to main that weakens `.github/mainline.yml` is announced in every open incident (SPEC 8):
 * 1. did the push change the file? (a listed commit touched it, history was rewritten, or the list is cut)
 * 2. the config at `before` and at `after`, and what loosened between them;
 * 3. one notice in each open incident, unless a delivery of this push already left it there.
 */
export async function announceConfigWeakening(repo: RepoScope, deps: Deps, push: ConfigPush): Promise<void> {
  const touching = configTouchingCommits(push);
  if (!touching) return;
  // A main created anew (perhaps deleted and pushed again) is judged against the defaults: what it held before is not known.
  const [before, after] = await Promise.all([push.created ? defaultConfig : configAt(repo.client, push.before), configAt(repo.client, push.after)]);
  const found = weakenings(before, after);
  if (found.length === 0) return;

  // The last pushed commit that changed the file; after a rewrite that lists none, the new head.
  const commit = touching.at(-1) ?? push.headCommit;
  const sha = commit?.id ?? push.after;
  const { incidents, more } = await readOpenIncidents(repo.client, repo.config.labels.incident, deps.records, NOTICE_INCIDENT_LIMIT);
  const text = renderConfigNotice({
    commit: { sha, url: `${push.repositoryUrl}/commit/${sha}` },
    author: commit?.author.username ?? commit?.author.name ?? "unknown",
    pusher: push.pusher,
    weakenings: found,
    ...(more ? { leftOut: { limit: NOTICE_INCIDENT_LIMIT } } : {}),
  });
  const body = appBody(text, marker("config-weakened", { commit: sha }));
  // A notice counts only from after the push: a writer who knew the commit's sha could have planted one in an older comment.
  const pushedAt = push.pushedAt === undefined ? Number.NaN : Date.parse(push.pushedAt) - 1_000;
  let posted = 0;
  for (const { issue, thread } of incidents) {
    if (findOwnComment(thread.comments, deps.appId, "config-weakened", (m, notice) => m.commit === sha && !(Date.parse(notice.created_at) < pushedAt))) continue;
    await createComment(repo.client, issue.number, body);
    posted++;
  }
  repo.log.info({ commit: sha, weakenings: found, incidents: incidents.length, posted, more }, "config on main weakened: announced in the open incidents");
}
