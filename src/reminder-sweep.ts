import type { Probot } from "probot";
import type { RepoClient } from "./github/client.js";
import { readConfig } from "./github/read-config.js";
import type { Deps } from "./handlers/deps.js";
import { remindOverdue } from "./handlers/remind-overdue.js";

/**
 * Overdue merge-backs are a matter of time, not of events: every `intervalMs` the app walks its
 * installations' repositories and sends the reminders that are due. Returns a stop function.
 */
export function startReminderSweep(probot: Probot, deps: Deps, intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce(probot, deps)
      .catch((error: unknown) => probot.log.error({ err: error }, "reminder sweep failed"))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function sweepOnce(probot: Probot, deps: Deps): Promise<void> {
  const app = await probot.auth();
  const installations = await app.paginate("GET /app/installations", { per_page: 100 });
  for (const installation of installations) {
    const octokit = await deps.clientFor(installation.id);
    const repositories = await octokit.paginate("GET /installation/repositories", { per_page: 100 });
    for (const repository of repositories) {
      const client: RepoClient = { octokit, owner: repository.owner.login, repo: repository.name, repoId: repository.id, threads: new Map() };
      try {
        const { config, unreadable } = await readConfig(client);
        if (unreadable) continue;
        const sent = await remindOverdue(client, config, deps);
        if (sent > 0) probot.log.info({ repo: repository.full_name, sent }, "overdue merge-back reminders sent");
      } catch (error) {
        probot.log.error({ err: error, repo: repository.full_name }, "reminder sweep failed for a repository");
      }
    }
  }
}
