import type { Context } from "probot";
import { defaultConfig } from "../config.js";
import { configAt } from "../github/config-at.js";
import { createComment } from "../github/issues.js";
import { readOpenIncidents } from "../github/open-incidents.js";
import { findOwnComment } from "../github/own-comments.js";
import { marker } from "../markers.js";
import { renderConfigNotice } from "../policy/config-notice.js";
import { configTouchingCommits } from "../policy/config-push.js";
import { weakenings } from "../policy/config-weakening.js";
import { appBody } from "../policy/text.js";
import { pushTime } from "../policy/push-time.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoContext } from "../delivery/repo-context.js";

/** At most this many incidents are written to per push: a delivery's cost stays bounded (SPEC 8). */
const NOTICE_INCIDENT_LIMIT = 20;

/**
 * A push to main that weakens `.github/mainline.yml` is announced in every open incident (SPEC 8):
 * 1. did the push change the file? (a listed commit touched it, history was rewritten, or the list is cut)
 * 2. the config at `before` and at `after`, and what loosened between them;
 * 3. one notice in each open incident, unless a delivery of this push already left it there.
 */
export async function announceConfigWeakening(context: Context<"push">, repo: RepoContext, deps: Deps): Promise<void> {
  const { payload } = context;
  const touching = configTouchingCommits(payload);
  if (!touching) return;
  // A main created anew (perhaps deleted and pushed again) is judged against the defaults: what it held before is not known.
  const [before, after] = await Promise.all([payload.created ? defaultConfig : configAt(repo.client, payload.before), configAt(repo.client, payload.after)]);
  const found = weakenings(before, after);
  if (found.length === 0) return;

  // The last pushed commit that changed the file; after a rewrite that lists none, the new head.
  const commit = touching.at(-1) ?? payload.head_commit;
  const sha = commit?.id ?? payload.after;
  const { incidents, more } = await readOpenIncidents(repo.client, repo.config.labels.incident, deps.records, NOTICE_INCIDENT_LIMIT);
  const text = renderConfigNotice({
    commit: { sha, url: `${payload.repository.html_url}/commit/${sha}` },
    author: commit?.author.username ?? commit?.author.name ?? "unknown",
    pusher: payload.pusher.name,
    weakenings: found,
    ...(more ? { leftOut: { limit: NOTICE_INCIDENT_LIMIT } } : {}),
  });
  const body = appBody(text, marker("config-weakened", { commit: sha }));
  // A notice counts only from after the push: a writer who knew the commit's sha could have planted one in an older comment.
  const pushed = pushTime(payload.repository.pushed_at);
  const pushedAt = pushed === undefined ? Number.NaN : Date.parse(pushed) - 1_000;
  let posted = 0;
  for (const { issue, thread } of incidents) {
    if (findOwnComment(thread.comments, deps.appId, "config-weakened", (m, notice) => m.commit === sha && !(Date.parse(notice.created_at) < pushedAt))) continue;
    await createComment(repo.client, issue.number, body);
    posted++;
  }
  context.log.info({ commit: sha, weakenings: found, incidents: incidents.length, posted, more }, "config on main weakened: announced in the open incidents");
}
