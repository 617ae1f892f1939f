import type { GraphQLOperation } from "./graphql.js";
import { mainHistorySince } from "./graphql-history.js";
import { pullsOfCommits } from "./graphql-pulls.js";
import { resolveSha } from "./graphql-refs.js";

/** The app's named GraphQL queries, each answered from the model: one file per query. */
export const graphQLOperations: Record<string, GraphQLOperation> = {
  MainHistorySince: mainHistorySince,
  ResolveSha: resolveSha,
  PullsOfCommits: pullsOfCommits,
};
