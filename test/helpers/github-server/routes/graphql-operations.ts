import type { GraphQLOperation } from "./graphql.js";
import { mainHistorySince } from "./graphql-history.js";

/** The app's named GraphQL queries, each answered from the model: one file per query. */
export const graphQLOperations: Record<string, GraphQLOperation> = {
  MainHistorySince: mainHistorySince,
};
