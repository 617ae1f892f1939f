import type { Probot } from "probot";
import { NO_SWEEP_LOCK, type SweepLock } from "./coordination/sweep-lock.js";
import type { RepoClient } from "./github/client.js";
import { readConfig } from "./github/read-config.js";
import type { AppDeps } from "./delivery/deps.js";
import type { RepoScope } from "./delivery/repo-context.js";
import { remindOverdue } from "./incidents/remind-overdue.js";

/**
 * Overdue merge-backs are a matter of time, not of events: every `intervalMs` the app walks its
 * installations' repositories and sends the reminders that are due. With several replicas one
 * sweeps per interval (`turn`), and each repository's reminders wait their turn with the
 * deliveries about it (deps.queue), so a reminder checked-then-sent is never sent twice.
 * Returns a stop function.
 */
export function startReminderSweep(probot: Probot, deps: AppDeps, intervalMs: number, turn: SweepLock = NO_SWEEP_LOCK): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepIfOurTurn(probot, deps, turn)
      .catch((error: unknown) => probot.log.error({ err: error }, "reminder sweep failed"))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

async function sweepIfOurTurn(probot: Probot, deps: AppDeps, turn: SweepLock): Promise<void> {
  if (!(await turn.acquire())) return;
  try {
    await sweepOnce(probot, deps);
  } catch (error) {
    // Failed: the next replica to tick may try at once.
    await turn.release();
    throw error;
  }
}

export async function sweepOnce(probot: Probot, deps: AppDeps): Promise<void> {
  const app = await probot.auth();
  const installations = await app.paginate("GET /app/installations", { per_page: 100 });
  for (const installation of installations) {
    const octokit = await deps.clientFor(installation.id);
    const repositories = await octokit.paginate("GET /installation/repositories", { per_page: 100 });
    for (const repository of repositories) {
      const client: RepoClient = { octokit, owner: repository.owner.login, repo: repository.name, repoId: repository.id };
      try {
        const { config, unreadable } = await readConfig(client);
        if (unreadable) continue;
        // The repository's scope, as a delivery's: the process clock, a logger naming the repository.
        const repo: RepoScope = { client, config, mainBranch: config.mainBranch || repository.default_branch, now: deps.now, log: probot.log.child({ repo: repository.full_name }) };
        const sent = await deps.queue.run(repository.id, () => remindOverdue(repo, deps));
        if (sent > 0) probot.log.info({ repo: repository.full_name, sent }, "overdue merge-back reminders sent");
      } catch (error) {
        probot.log.error({ err: error, repo: repository.full_name }, "reminder sweep failed for a repository");
      }
    }
  }
}
