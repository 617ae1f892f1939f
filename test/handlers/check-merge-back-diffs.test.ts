import type { RepoClient } from "../../src/github/client.js";
import { checkMergeBack } from "../../src/incidents/check-merge-back.js";
import type { Deps } from "../../src/delivery/deps.js";
import { historyEvidence, pushEvidence } from "../../src/incidents/main-evidence.js";
import type { MainCommit } from "../../src/policy/merge-back.js";
import { mergeBackScenario } from "../policy/merge-back-scenario.js";

/**
 * The handler's side of a merge-back check: which diffs it reads to verify a note or a merged pull
 * request, that it reads each once, and that a bound on reads gives "could not verify". GitHub is
 * a stand-in that serves the real commits' diffs (raw bytes, as the diff media type does).
 */
const scenario = mergeBackScenario();
const { shas, diffs, messages } = scenario;
afterAll(() => scenario.remove());

const MAIN_HEAD = "9".repeat(40);
const diffBySha = new Map(Object.entries(shas).map(([name, sha]) => [sha, diffs[name as keyof typeof diffs]]));
/** What git shows on main now: the commits squash merges put there; S and everything else is off it. */
const onMainNow = new Set<string>([shas.squashWithS, shas.squashReverted]);
const deps = {
  ancestry: { read: async (_client: unknown, _main: string, sha: string) => (onMainNow.has(sha) ? { kind: "on-main", mainHead: MAIN_HEAD } : { kind: "off-main", mainHead: MAIN_HEAD, aheadBy: 1, behindBy: 1 }) },
} as unknown as Deps;

let repos = 0;
const THIS_REPO = 1;
/** A client of a repository of its own (the process-wide diff cache never answers for another test), logging what it asks. */
function github(pullsOf: Record<string, unknown[]> = {}) {
  const asked: string[] = [];
  const request = async (route: string, params: Record<string, string>) => {
    if (route === "GET /repos/{owner}/{repo}/commits/{ref}") {
      asked.push(`diff ${params.ref}`);
      return { data: new Response(diffBySha.get(params.ref!) ?? "").body };
    }
    if (route === "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls") {
      asked.push(`pulls ${params.commit_sha}`);
      return { data: pullsOf[params.commit_sha!] ?? [] };
    }
    throw new Error(`unexpected ${route}`);
  };
  const client = { octokit: { request }, owner: "Codertocat", repo: `repo-${++repos}`, repoId: THIS_REPO } as unknown as RepoClient;
  return { client, asked };
}

const onMain = (name: keyof typeof shas): MainCommit => ({ sha: shas[name], message: messages[name] });
/** A pull request as `commits/{sha}/pulls` lists it. */
const pull = (number: number, mergeCommit: string, baseRepo = THIS_REPO) => ({
  number,
  state: "closed",
  base: { ref: "main", sha: MAIN_HEAD, repo: { id: baseRepo } },
  head: { ref: `fix-${number}`, sha: shas.S },
  merged_at: "2026-11-20T10:00:00Z",
  merge_commit_sha: mergeCommit,
});

test("an honest `cherry-pick -x` on main: its diff and S's are read, once each, and it is done", async () => {
  const { client, asked } = github();
  const evidence = historyEvidence(client, [onMain("lyingNote"), onMain("honestPick")]);

  const match = await checkMergeBack(client, "main", shas.S, evidence, deps);

  expect(match).toMatchObject({ done: true, way: "cherry-pick", commitOnMain: shas.honestPick });
  expect(asked.sort()).toEqual([`diff ${shas.S}`, `diff ${shas.honestPick}`, `diff ${shas.lyingNote}`].sort());
});

test("a lying note: the item stays open, and the explanation says the note is a claim", async () => {
  const { client } = github();
  const evidence = pushEvidence(client, "main", [onMain("lyingNote")], async () => new Map([[shas.lyingNote, []]]));

  const match = await checkMergeBack(client, "main", shas.S, evidence, deps);

  expect(match.done).toBe(false);
  expect(match.explanation).toContain(
    `a note is a claim: ${shas.lyingNote.slice(0, 7)} says it was cherry-picked from ${shas.S.slice(0, 7)} but its change does not contain ${shas.S.slice(0, 7)}'s`,
  );
});

test("a squash-merged pull request with S: the commit it put on main is read, and it contains S's change", async () => {
  const { client } = github({ [shas.S]: [pull(12, shas.squashWithS)] });

  const match = await checkMergeBack(client, "main", shas.S, historyEvidence(client, []), deps);

  expect(match).toMatchObject({ done: true, way: "squash-or-rebase", commitOnMain: shas.squashWithS });
});

test("a pull request merged into a fork's main (another repository of the network, whose owner merges what they like) proves nothing here", async () => {
  const { client } = github({ [shas.S]: [pull(12, shas.squashWithS, 99)] });

  const match = await checkMergeBack(client, "main", shas.S, historyEvidence(client, []), deps);

  expect(match.done).toBe(false);
});

test("a squash merge whose commit is no longer on main (main rewound past it) proves nothing, whatever GitHub says it merged", async () => {
  const { client } = github({ [shas.S]: [pull(12, shas.squashWithS)] });
  onMainNow.delete(shas.squashWithS);
  try {
    const match = await checkMergeBack(client, "main", shas.S, historyEvidence(client, []), deps);
    expect(match.done).toBe(false);
  } finally {
    onMainNow.add(shas.squashWithS);
  }
});

test("a squash merge among main's listed commits is known on main without asking git", async () => {
  const { client } = github({ [shas.S]: [pull(12, shas.squashWithS)] });
  const asked: string[] = [];
  const watching = { ancestry: { read: async (...args: [unknown, string, string]) => (asked.push(args[2]), (deps.ancestry.read as (...a: unknown[]) => unknown)(...args)) } } as unknown as Deps;

  const match = await checkMergeBack(client, "main", shas.S, historyEvidence(client, [onMain("squashWithS")]), watching);

  expect(match).toMatchObject({ done: true, way: "squash-or-rebase" });
  expect(asked).toEqual([shas.S]);
});

test("a pull request that added S and reverted it merged nothing of S: not done", async () => {
  const { client } = github({ [shas.S]: [pull(12, shas.squashReverted)] });

  const match = await checkMergeBack(client, "main", shas.S, historyEvidence(client, []), deps);

  expect(match.done).toBe(false);
  expect(match.explanation).toContain("a pull request that adds a change and then reverts it merges nothing of it");
});

test("at most 20 commits on main are looked into; a note past the bound could not be verified", async () => {
  const { client, asked } = github();
  // 25 commits on main (newest first), each a lie about S; the honest pick is the oldest.
  const lies = Array.from({ length: 25 }, (_, i) => ({ ...onMain("lyingNote"), sha: `${i}`.padStart(40, "a") }));
  diffBySha.set(lies[0]!.sha, diffs.lyingNote);
  const evidence = historyEvidence(client, [...lies, onMain("honestPick")]);

  const match = await checkMergeBack(client, "main", shas.S, evidence, deps);

  expect(match.done).toBe(false);
  expect(asked.filter((line) => line.startsWith("diff ") && line !== `diff ${shas.S}`)).toHaveLength(20);
  expect(match.explanation).toContain("could not verify the cherry-pick note of");
  expect(match.explanation).toContain("could not verify 6 more: not looked into");
});
