import type { AncestryReader } from "../github/ancestry.js";
import type { ConditionalReads } from "../github/conditional-reads.js";
import type { RepositoryQueue } from "./one-at-a-time.js";

/** What every handler shares for the life of the process. */
export type Deps = {
  ancestry: AncestryReader;
  /** What each installation last read, so its clients can read again conditionally. */
  conditionalReads: ConditionalReads;
  /** Writes that check GitHub first wait here for the repository's earlier ones. */
  queue: RepositoryQueue;
  now: () => Date;
  /** This app's id: only comments it wrote itself count as records. */
  appId: number;
  /** This app's bot login (`<slug>[bot]`), how its reactions are recognised. */
  botLogin: () => Promise<string>;
};
