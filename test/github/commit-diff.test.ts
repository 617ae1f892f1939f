import nock from "nock";
import { ProbotOctokit } from "probot";
import { commitDiff } from "../../src/github/commits.js";
import { ConditionalReads } from "../../src/github/conditional-reads.js";
import { patchId } from "../../src/policy/patch-id.js";
import { mockGitHub } from "../helpers/github-mock.js";
import { gitPatchId } from "../policy/real-git.js";

const SHA = "abcdef0123456789abcdef0123456789abcdef01";
const OTHER_SHA = "1234567890abcdef1234567890abcdef12345678";
/** A diff whose added line is not UTF-8: decoding would turn 0xff and 0xfe both into U+FFFD. */
const DIFF = Buffer.concat([Buffer.from("diff --git a/x b/x\nindex 1111111..2222222 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+"), Buffer.from([0xff, 0x0c, 0xfe]), Buffer.from("\r\n")]);

let github: ReturnType<typeof mockGitHub>;
// As the app's installation clients are made: every GET goes through the conditional-read cache.
const client = (repo: string) => ({
  octokit: new ConditionalReads().apply(new ProbotOctokit({ auth: { token: "ghs_x" }, throttle: { enabled: false }, retry: { enabled: false } }), 2),
  owner: "Codertocat",
  repo,
  repoId: 1,
});

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  github = mockGitHub();
});
afterEach(() => {
  github.done();
  nock.cleanAll();
});

test("a commit's diff comes back as the bytes GitHub sent, whatever content type says it is text", async () => {
  github.scope
    .get(`/repos/Codertocat/Hello-World/commits/${SHA}`)
    .matchHeader("accept", "application/vnd.github.v3.diff")
    .reply(200, DIFF, { "content-type": "application/vnd.github.diff; charset=utf-8" });

  const diff = await commitDiff(client("Hello-World"), SHA);

  expect(Buffer.from(diff).equals(DIFF)).toBe(true);
  expect(patchId(diff)).toBe(gitPatchId(DIFF));
});

test("it is read once per process: a second ask costs no request", async () => {
  github.scope.get(`/repos/Codertocat/Once/commits/${OTHER_SHA}`).reply(200, DIFF, { "content-type": "text/plain; charset=utf-8" });

  const first = await commitDiff(client("Once"), OTHER_SHA);
  const second = await commitDiff(client("Once"), OTHER_SHA);

  expect(second).toBe(first);
  expect(github.calls()).toEqual([`GET /repos/Codertocat/Once/commits/${OTHER_SHA}`]);
});
