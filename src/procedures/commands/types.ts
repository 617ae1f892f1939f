import type { DecisionLog } from "../../decision-log.js";
import type { IssueLike } from "../../github/client.js";
import type { Deps } from "../../delivery/deps.js";
import type { RepoContext } from "../../delivery/repo-context.js";

/** What a command runs with: the repository (with the delivery's clock and logger), the issue it was written in, who wrote it, and which line. */
export type CommandEnv = {
  repo: RepoContext;
  deps: Deps;
  issue: IssueLike;
  comment: { id: number; html_url: string };
  actor: string;
  /** GitHub's id of the actor's account: who they are whatever their login is now or becomes. */
  account: number;
  /** The delivery's decision lines: each command line is one, a close it decides is another. */
  decisions: DecisionLog;
  /** The records say this issue is an incident (`/incident` earlier in the same comment makes it one). */
  isIncident: boolean;
  /** `<comment id>:<line number>`: what each record a command line writes is keyed by. */
  source: string;
};

/** ok: the command did its work (👍); reply: text to post as well (help, status). */
export type Outcome = { ok: true; reply?: string } | { ok: false; error: string };
