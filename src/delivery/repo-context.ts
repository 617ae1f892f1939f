import type { Context } from "probot";
import type { Config } from "../config.js";
import type { RepoClient } from "../github/client.js";
import { readConfig, type LoadedConfig } from "../github/read-config.js";
import { CONFIG_PATH } from "../public-names.js";
import { clientOf, type RepoPayload } from "./client-of.js";

/** What every incident-side handler starts from: the repository, its config, and its main branch. */
export type RepoContext = { client: RepoClient; loaded: LoadedConfig; config: Config; mainBranch: string };

/** The repository as procedures take it: its client (one view of GitHub per delivery, delivery-reads.ts), its config and its main branch. */
export type RepoScope = Pick<RepoContext, "client" | "config" | "mainBranch">;

export async function repoContext(context: Context & { payload: RepoPayload }): Promise<RepoContext> {
  const client = clientOf(context);
  const loaded = await readConfig(client);
  if (loaded.problems.length > 0) context.log.warn({ problems: loaded.problems }, "invalid config: defaults used for the listed keys");
  if (loaded.unreadable) throw new Error(`cannot read ${CONFIG_PATH}: ${loaded.unreadable}`);
  return {
    client,
    loaded,
    config: loaded.config,
    mainBranch: loaded.config.mainBranch || context.payload.repository.default_branch,
  };
}
