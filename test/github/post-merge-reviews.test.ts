import { closeRecordedDone, isOwnReviewIssue, reviewRecordOf } from "../../src/github/post-merge-reviews.js";
import { recordBody } from "../../src/records.js";
import type { CommentLike } from "../../src/github/client.js";

const KEY = "test-record-key";
const REPO = 1000;
const FIELDS = { after: "2".repeat(40), pusher: "alice", account: 501, at: "2026-11-20T09:00:00.000Z" };
const TEXT = "**alice** pushed to `main` commits that no pull request merged…";
const body = (scope: { repo: number; incident: number }, key = KEY) => recordBody(key, "post-merge-review", scope, FIELDS, TEXT);

describe("reviewRecordOf: what heads a review issue's body", () => {
  test.each<[string, string | null, ReturnType<typeof reviewRecordOf>]>([
    ["the app's record for this issue", body({ repo: REPO, incident: 12 }), { record: FIELDS }],
    ["a record copied from another review", body({ repo: REPO, incident: 11 }), "elsewhere"],
    ["a record of another repository (an issue transferred here)", body({ repo: 2000, incident: 12 }), "elsewhere"],
    ["the record edited (another pusher named)", body({ repo: REPO, incident: 12 }).replace("pusher=alice", "pusher=bob"), "changed"],
    ["the text below the record edited", `${body({ repo: REPO, incident: 12 })}\n\nLGTM`, "changed"],
    ["a record signed with another key", body({ repo: REPO, incident: 12 }, "another key"), "changed"],
    ["no record", TEXT, undefined],
    ["another kind of record", recordBody(KEY, "rca", { repo: REPO, incident: 12 }, { issue: 3, at: FIELDS.at }, TEXT), undefined],
    ["no body", null, undefined],
  ])("%s", (_name, text, expected) => {
    expect(reviewRecordOf(KEY, REPO, { number: 12, body: text })).toEqual(expected);
  });
});

describe("isOwnReviewIssue: the app opened it as a review, whatever became of its record", () => {
  const APP = 123;
  type Shown = Parameters<typeof isOwnReviewIssue>[0];
  const review: Shown = { title: "Post-merge review: 2222222…", body: body({ repo: REPO, incident: 12 }), labels: [{ name: "post-merge-review" }], performed_via_github_app: { id: APP } };
  test.each<[string, Partial<Shown>, boolean]>([
    ["as the app opened it", {}, true],
    ["the record line deleted", { body: TEXT }, true],
    ["the record line deleted and the label taken off", { body: TEXT, labels: [] }, true],
    ["the record line deleted and the title changed", { body: TEXT, title: "Pool size" }, true],
    ["the title changed and the label taken off: the record", { title: "Pool size", labels: [] }, true],
    ["only the marker the app opened it with", { body: `${TEXT}\n\n<!-- mainline:post-merge-review after=${"2".repeat(40)} -->`, title: "Pool size", labels: [] }, true],
    ["the label, named in another case", { body: TEXT, title: "Pool size", labels: [{ name: "Post-Merge-Review" }] }, true],
    ["every view gone", { body: TEXT, title: "Pool size", labels: [] }, false],
    ["a person's issue, as a review looks", { performed_via_github_app: null }, false],
    ["another app's issue", { performed_via_github_app: { id: 456 } }, false],
  ])("%s", (_name, change, expected) => {
    expect(isOwnReviewIssue({ ...review, ...change }, APP, "post-merge-review")).toBe(expected);
  });
});

describe("closeRecordedDone: the close the issue is in now was recorded as a review", () => {
  const CLOSED = "2026-11-20T10:00:00Z";
  const reader = { appId: 123, key: KEY };
  const doneComment = (closed: string, by: Partial<CommentLike> = {}): CommentLike => ({
    id: 7,
    body: recordBody(KEY, "post-merge-reviewed", { repo: REPO, incident: 12 }, { by: "carol", account: 503, role: "write", closed }, "✅ Reviewed"),
    created_at: CLOSED,
    updated_at: CLOSED,
    html_url: "https://github.com/acme/pay/issues/12#issuecomment-7",
    user: { login: "mainline[bot]", type: "Bot" },
    performed_via_github_app: { id: 123 },
    ...by,
  });

  test.each<[string, { state: string; closed_at: string | null }, CommentLike[], boolean]>([
    ["closed, and that close recorded", { state: "closed", closed_at: CLOSED }, [doneComment(CLOSED)], true],
    ["closed again since an earlier recorded close", { state: "closed", closed_at: "2026-11-20T11:00:00Z" }, [doneComment(CLOSED)], false],
    ["reopened since", { state: "open", closed_at: null }, [doneComment(CLOSED)], false],
    ["closed, nothing recorded", { state: "closed", closed_at: CLOSED }, [], false],
    ["a copy of the record posted by a person", { state: "closed", closed_at: CLOSED }, [doneComment(CLOSED, { user: { login: "alice", type: "User" }, performed_via_github_app: null })], false],
  ])("%s", (_name, state, comments, expected) => {
    expect(closeRecordedDone({ number: 12, ...state }, comments, reader, REPO)).toBe(expected);
  });
});
