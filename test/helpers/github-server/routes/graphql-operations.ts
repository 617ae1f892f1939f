import type { GraphQLOperation } from "./graphql.js";
import { pullsOfCommits } from "./graphql-pulls.js";
import { resolveSha } from "./graphql-refs.js";

/** The app's named GraphQL queries, each answered from the model: one file per query. */
export const graphQLOperations: Record<string, GraphQLOperation> = {
  ResolveSha: resolveSha,
  PullsOfCommits: pullsOfCommits,
};
