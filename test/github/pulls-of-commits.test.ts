import type { RepoClient } from "../../src/github/client.js";
import { pullsOfCommits, pullsOfCommitsOnce } from "../../src/github/pulls-of-commits.js";
import { checkRequest } from "../helpers/openapi.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const MERGE = "e".repeat(40);
const MAIN = "9".repeat(40);

/** A client whose GraphQL endpoint answers `answer`, logging each query it is sent (checked against GitHub's schema). */
function github(answer: (variables: Record<string, string>) => unknown) {
  const sent: Array<{ query: string; variables: Record<string, string> }> = [];
  const graphql = async (query: string, variables: Record<string, string>) => {
    sent.push({ query, variables });
    expect(checkRequest({ method: "POST", path: "/api/graphql", body: { query, variables } })).toEqual([]);
    return answer(variables);
  };
  return { client: { octokit: { graphql }, owner: "Codertocat", repo: "Hello-World", repoId: 1 } as unknown as RepoClient, sent };
}

const node = (over: Record<string, unknown> = {}) => ({
  number: 20,
  state: "MERGED",
  merged: true,
  mergedAt: "2026-11-20T11:59:00Z",
  baseRepository: { databaseId: 1 },
  baseRefName: "main",
  baseRefOid: MAIN,
  headRefName: "hotfix/payments",
  headRefOid: A,
  mergeCommit: { oid: MERGE },
  ...over,
});

test("every commit in one query, each under its own alias; a pull request as REST's commits/{sha}/pulls gives it", async () => {
  const { client, sent } = github(() => ({
    repository: {
      c0: { associatedPullRequests: { nodes: [node()] } },
      c1: { associatedPullRequests: { nodes: [node({ number: 21, state: "OPEN", merged: false, mergedAt: null, mergeCommit: null, headRefName: "wip" }), null] } },
    },
  }));

  const pulls = await pullsOfCommits(client, [A, B.toUpperCase(), A]);

  expect(sent.map((q) => q.variables)).toEqual([{ owner: "Codertocat", name: "Hello-World", c0: A, c1: B }]);
  expect(pulls).toEqual(
    new Map([
      [A, [{ number: 20, state: "closed", baseRef: "main", baseSha: MAIN, headRef: "hotfix/payments", headSha: A, mergedAt: "2026-11-20T11:59:00Z", mergeCommitSha: MERGE }]],
      [B, [{ number: 21, state: "open", baseRef: "main", baseSha: MAIN, headRef: "wip", headSha: A, mergedAt: null, mergeCommitSha: null }]],
    ]),
  );
});

test("a pull request of another repository in the fork network (merged into a fork's main) is not this repository's", async () => {
  const { client } = github(() => ({
    repository: { c0: { associatedPullRequests: { nodes: [node({ number: 7, baseRepository: { databaseId: 99 } }), node({ number: 8, baseRepository: null }), node()] } } },
  }));
  expect((await pullsOfCommits(client, [A])).get(A)!.map((pull) => pull.number)).toEqual([20]);
});

test("twenty commits are one valid query", async () => {
  const shas = Array.from({ length: 20 }, (_, i) => `${i}`.padStart(40, "c"));
  const { client, sent } = github((variables) => ({
    repository: Object.fromEntries(Object.keys(variables).filter((k) => k.startsWith("c")).map((k) => [k, { associatedPullRequests: { nodes: [] } }])),
  }));
  expect([...(await pullsOfCommits(client, shas)).keys()]).toEqual(shas);
  expect(sent).toHaveLength(1);
});

test("a commit GitHub does not know fails the read (an empty list would say no pull request merged it); no commit asks nothing", async () => {
  const { client, sent } = github(() => ({ repository: { c0: { associatedPullRequests: { nodes: [] } }, c1: null } }));
  await expect(pullsOfCommits(client, [A, B])).rejects.toThrow(`GitHub knows no commit ${B}`);
  sent.length = 0;
  expect(await pullsOfCommits(client, [])).toEqual(new Map());
  expect(sent).toEqual([]);
});

test("shared: asked once however often it is read", async () => {
  const { client, sent } = github(() => ({ repository: { c0: { associatedPullRequests: { nodes: [] } } } }));
  const read = pullsOfCommitsOnce(client, [A]);
  await Promise.all([read(), read()]);
  await read();
  expect(sent).toHaveLength(1);
});
