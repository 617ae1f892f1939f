import { createHmac } from "node:crypto";
import type { CommentLike } from "../src/github/client.js";
import { threadRecords } from "../src/github/own-comments.js";
import { looksLikeRecord, readRecord, recordBody, type RecordFields, type RecordKind, type RecordScope } from "../src/records.js";
import { TEST_RECORD_KEY } from "./helpers/test-app.js";

const KEY = TEST_RECORD_KEY;
const APP_ID = 123;
const READER = { appId: APP_ID, key: KEY };
const REPO_ID = 186853002;
const SCOPE: RecordScope = { repo: REPO_ID, incident: 12 };

const S = "5b3c9d1e2f4a6b8c0d1e2f3a4b5c6d7e8f9a0b1c";
const AT = "2026-11-20T10:00:00.000Z";
const LATER = "2026-11-20T14:00:00.000Z";
/** User text that would break a naive record: spaces, comment syntax, `%`, `=`, HTML, unicode, a line break, a forged record line. */
const HOSTILE = 'db down --> <b>100%</b> a=b & ü 🚀 %E0 "quoted"\nnext line <!-- mainline:record kind=revoke -->';

type Example = { [K in RecordKind]: [K, RecordFields<K>] }[RecordKind];

const EXAMPLES: Example[] = [
  ["incident", { by: "alice", via: "label", at: AT, rca: 40 }],
  ["incident", { by: "mainline[bot]", via: "unapproved", at: AT, rca: 40, deployment: 9001 }],
  ["rca", { issue: 41, at: AT }],
  ["merge-back", { sha: S, issue: 42, at: AT }],
  ["exception", { sha: S, env: "prod eu-west", by: "alice", at: AT, expires: LATER, reason: HOSTILE, source: "101:2" }],
  ["exception", { sha: S, env: "production", by: "alice", at: AT, expires: AT, reason: "", source: "0:1" }],
  // Hotfix discipline: the criterion the reason began with, and the approvals the grant decided it needs.
  ["exception", { sha: S, env: "production", by: "alice", at: AT, expires: LATER, reason: "Data  Loss: orders vanish", source: "101:3", criterion: "data loss", approvals: 2 }],
  ["exception", { sha: S, env: "production", by: "alice", at: AT, expires: LATER, reason: "checkout is down", source: "101:4", approvals: 1 }],
  ["approval", { sha: S, by: "bob", at: AT, source: "102:1" }],
  // Who granted and who approved, by account id too (a renamed account is still its person); older records have none.
  ["exception", { sha: S, env: "production", by: "alice", account: 5001, at: AT, expires: LATER, reason: "checkout is down", source: "101:5", approvals: 2 }],
  ["approval", { sha: S, by: "bob", account: 5002, at: AT, source: "102:2" }],
  ["revoke", { sha: S, by: "carol", at: AT, source: "103:1" }],
  ["deploy", { sha: S, env: "production", deployment: 9001, at: AT, issue: 42 }],
  ["deployed", { sha: S, env: "production", deployment: 9001, at: LATER, issue: 42 }],
  ["force-close", { by: "dana", at: AT, reason: HOSTILE, source: "104:1" }],
  ["reminder", { issue: 42, interval: 4 }],
  ["rollback", { sha: S, env: "prod eu-west", deployment: 9002, of: 9001, by: "bob", at: AT, source: "105:1" }],
  ["transfer", { moved: 12, by: "bob", to: "Codertocat/elsewhere", at: AT }],
  ["unread-transfer", { by: "bob", to: "Codertocat/secret", at: AT, read: "none" }],
];

/** A comment as GitHub lists it; by default written by this app. */
let nextId = 1000;
function comment(body: string, over: Partial<CommentLike> = {}): CommentLike {
  const id = nextId++;
  return {
    id,
    body,
    created_at: AT,
    updated_at: AT,
    html_url: `https://github.com/Codertocat/Hello-World/issues/12#issuecomment-${id}`,
    user: { login: "mainline[bot]", type: "Bot" },
    performed_via_github_app: { id: APP_ID },
    ...over,
  };
}

describe("recordBody and readRecord: a round trip", () => {
  test.each<Example>(EXAMPLES)("%s", (kind, fields) => {
    const body = recordBody(KEY, kind, SCOPE, fields, "🟠 What people read.");
    const record = readRecord(KEY, body);
    expect(record).toEqual({ kind, repo: REPO_ID, incident: 12, fields, sig: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  test("the body is the signed line, a blank line, then the text; field values are URI-encoded on that line", () => {
    const body = recordBody(KEY, "force-close", SCOPE, { by: "dana", at: AT, reason: HOSTILE, source: "104:1" }, "Force-closed.");
    const [first, blank, ...rest] = body.split("\n");
    expect(first).toMatch(
      new RegExp(
        `^<!-- mainline:record kind=force-close repo=${REPO_ID} incident=12 by=dana at=2026-11-20T10%3A00%3A00\\.000Z ` +
          "reason=db%20down%20--%3E%20%3Cb%3E100%25%3C%2Fb%3E%20a%3Db%20%26%20%C3%BC%20%F0%9F%9A%80%20%25E0%20%22quoted%22%0Anext%20line%20" +
          "%3C!--%20mainline%3Arecord%20kind%3Drevoke%20--%3E source=104%3A1 sig=[0-9a-f]{64} -->$",
      ),
    );
    expect(first!.indexOf("-->")).toBe(first!.length - 3);
    expect(blank).toBe("");
    expect(rest.join("\n")).toBe("Force-closed.");
  });

  test("the people's text cannot carry marker syntax, and still reads back as the record", () => {
    const body = recordBody(KEY, "exception", SCOPE, EXAMPLES[4]![1] as RecordFields<"exception">, `Reason: ${HOSTILE}\n<!-- mainline:ledger incident=12 -->`);
    const text = body.slice(body.indexOf("\n\n") + 2);
    expect(text).not.toMatch(/<!--|-->/);
    expect(text).toBe(`Reason: ${HOSTILE}\n<!-- mainline:ledger incident=12 -->`.replace(/<!--/g, "<!-\u200b-").replace(/-->/g, "-\u200b->"));
    expect(readRecord(KEY, body)?.kind).toBe("exception");
  });

  test("an exception needs 1 or 2 approvals and names a criterion or none: anything else would not read back, so it is never written", () => {
    const grant = { sha: S, env: "production", by: "alice", at: AT, expires: LATER, reason: "outage: 500s", source: "101:5" };
    expect(() => recordBody(KEY, "exception", SCOPE, { ...grant, approvals: 3 as never }, "x")).toThrow("a exception record with these fields could not be read back: approvals");
    expect(() => recordBody(KEY, "exception", SCOPE, { ...grant, criterion: "" }, "x")).toThrow("a exception record with these fields could not be read back: criterion");
  });

  test("the same record written twice is the same body (a redelivery writes the same bytes)", () => {
    const fields = { sha: S, issue: 42, at: AT };
    expect(recordBody(KEY, "merge-back", SCOPE, fields, "x")).toBe(recordBody(KEY, "merge-back", SCOPE, fields, "x"));
  });
});

describe("an edited record is absent", () => {
  // Every kind, with text that has multi-byte characters in it: GitHub stores bytes, a writer may change any one.
  const bodies = EXAMPLES.map(([kind, fields]) => recordBody(KEY, kind, SCOPE, fields as never, `Text for people: ü 🚀 ${kind}.`));

  test.each(bodies.map((body, i) => [EXAMPLES[i]![0], i, body] as const))("%s (#%i): any one byte changed, deleted or added anywhere", (_kind, _i, body) => {
    expect(readRecord(KEY, body)).toBeDefined();
    const bytes = Buffer.from(body, "utf8");
    const survivors: string[] = [];
    for (let at = 0; at <= bytes.length; at++) {
      const edits = [
        ...(at < bytes.length ? [Buffer.concat([bytes.subarray(0, at), Buffer.from([bytes[at]! ^ 0x01]), bytes.subarray(at + 1)])] : []),
        ...(at < bytes.length ? [Buffer.concat([bytes.subarray(0, at), Buffer.from([bytes[at]! ^ 0x20]), bytes.subarray(at + 1)])] : []),
        ...(at < bytes.length ? [Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])] : []),
        Buffer.concat([bytes.subarray(0, at), Buffer.from(" "), bytes.subarray(at)]),
      ];
      for (const edited of edits) {
        const text = edited.toString("utf8");
        if (text !== body && readRecord(KEY, text) !== undefined) survivors.push(`byte ${at}: ${JSON.stringify(text.slice(0, 120))}`);
      }
    }
    expect(survivors).toEqual([]);
  });

  test("a line added at the end of the text, or a trailing newline, makes it absent too", () => {
    const body = recordBody(KEY, "revoke", SCOPE, { sha: S, by: "carol", at: AT, source: "103:1" }, "Withdrawn.");
    expect(readRecord(KEY, `${body}\n`)).toBeUndefined();
    expect(readRecord(KEY, `${body}\n\nEdited: never mind.`)).toBeUndefined();
    expect(readRecord(KEY, body.replace(/\n\n/, "\r\n\r\n"))).toBeUndefined();
  });
});

describe("readRecord: what is not a record", () => {
  const fields: RecordFields<"approval"> = { sha: S, by: "bob", at: AT, source: "102:1" };
  const body = recordBody(KEY, "approval", SCOPE, fields, "Approved.");

  test("a record signed with another key (another app, or a person who guessed the format)", () => {
    expect(readRecord("another-key", body)).toBeUndefined();
    expect(readRecord(KEY, recordBody("another-key", "approval", SCOPE, fields, "Approved."))).toBeUndefined();
  });

  test.each([
    ["after other text", `Hello.\n\n${body}`],
    ["after a blank line", `\n${body}`],
    ["after a space", ` ${body}`],
    ["inside a quote", body.split("\n").map((line) => `> ${line}`).join("\n")],
    ["inside a code block", `\`\`\`\n${body}\n\`\`\``],
  ])("a record line not on the first line: %s", (_case, text) => {
    expect(readRecord(KEY, text)).toBeUndefined();
  });

  test("the line alone, without the blank line and text the signature covers", () => {
    expect(readRecord(KEY, body.split("\n")[0])).toBeUndefined();
    expect(readRecord(KEY, body.replace("\n\n", "\n"))).toBeUndefined();
  });

  test.each([null, undefined, "", "no record here", "<!-- mainline:ledger incident=12 -->"])("%j", (text) => {
    expect(readRecord(KEY, text)).toBeUndefined();
  });

  /**
   * A record line signed by hand, as a forger who knew the key could write one (recordBody refuses
   * fields it could not read back): the line without `sig`, then `\n`, then the text, HMAC-SHA256.
   */
  function handSigned(kind: string, pairs: Record<string, string | number | undefined>, text: string, key = KEY): string {
    const line = `<!-- mainline:record kind=${kind} ${Object.entries(pairs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join(" ")}`;
    const sig = createHmac("sha256", key).update(line).update("\n").update(text).digest("hex");
    return `${line} sig=${sig} -->\n\n${text}`;
  }
  const scoped = (pairs: Record<string, string | number | undefined>) => ({ repo: REPO_ID, incident: 12, ...pairs });

  test("signing by hand gives exactly what recordBody writes (so the cases below differ only in their fields)", () => {
    expect(handSigned("approval", scoped(fields), "Approved.")).toBe(body);
    expect(readRecord(KEY, handSigned("approval", scoped(fields), "Approved."))?.fields).toEqual(fields);
  });

  test.each<[string, string, Record<string, string | number | undefined>]>([
    ["a date that is not ISO", "approval", scoped({ ...fields, at: "yesterday" })],
    ["an empty login", "approval", scoped({ ...fields, by: "" })],
    ["a short sha", "approval", scoped({ ...fields, sha: S.slice(0, 7) })],
    ["an upper-case sha", "approval", scoped({ ...fields, sha: S.toUpperCase() })],
    ["a missing field", "approval", scoped({ sha: S, by: "bob", at: AT })],
    ["a source that is not comment:line", "approval", scoped({ ...fields, source: "102" })],
    ["a negative number", "merge-back", scoped({ sha: S, issue: -1, at: AT })],
    ["a fractional number", "merge-back", scoped({ sha: S, issue: 1.5, at: AT })],
    ["a word for a number", "merge-back", scoped({ sha: S, issue: "twelve", at: AT })],
    ["an empty number", "merge-back", scoped({ sha: S, issue: "", at: AT })],
    ["an unknown way of becoming an incident", "incident", scoped({ by: "alice", via: "title", at: AT, rca: 40 })],
    ["a kind this version does not know", "verdict", scoped({ by: "alice" })],
    ["no repository", "approval", { incident: 12, ...fields }],
    ["no incident", "approval", { repo: REPO_ID, ...fields }],
    ["an incident that is not a number", "approval", { repo: REPO_ID, incident: "x", ...fields }],
  ])("correctly signed, but %s", (_case, kind, pairs) => {
    expect(readRecord(KEY, handSigned(kind, pairs, "x"))).toBeUndefined();
  });
});

describe("looksLikeRecord: a claim, valid or not", () => {
  test.each<[string | null | undefined, boolean]>([
    [recordBody(KEY, "rca", SCOPE, { issue: 41, at: AT }, "x"), true],
    [recordBody(KEY, "rca", SCOPE, { issue: 41, at: AT }, "x").replace("issue=41", "issue=43"), true],
    ["<!-- mainline:record kind=rca", true],
    [`Hello\n${recordBody(KEY, "rca", SCOPE, { issue: 41, at: AT }, "x")}`, false],
    ["<!-- mainline:ledger incident=12 -->", false],
    ["", false],
    [null, false],
    [undefined, false],
  ])("%j → %s", (body, expected) => {
    expect(looksLikeRecord(body)).toBe(expected);
  });
});

describe("threadRecords: the records of one incident in one repository", () => {
  const approval = (by: string, source = "102:1"): RecordFields<"approval"> => ({ sha: S, by, at: AT, source });
  const body = (by: string, scope: RecordScope = SCOPE, key = KEY) => recordBody(key, "approval", scope, approval(by), `Approved by ${by}.`);
  const bys = (comments: CommentLike[]) => threadRecords(comments, READER, SCOPE).of("approval").map((r) => r.by);

  test("a record of this app, in scope, is read with its comment's id and time", () => {
    const written = comment(body("bob"), { created_at: LATER });
    expect(threadRecords([written], READER, SCOPE).of("approval")).toEqual([{ ...approval("bob"), commentId: written.id, createdAt: LATER }]);
  });

  test("records of another repository (an issue transferred here, or a copy) do not count", () => {
    expect(bys([comment(body("bob", { repo: REPO_ID + 1, incident: 12 })), comment(body("carol"))])).toEqual(["carol"]);
  });

  test("records of another incident do not count", () => {
    expect(bys([comment(body("bob", { repo: REPO_ID, incident: 13 })), comment(body("carol"))])).toEqual(["carol"]);
  });

  test("the same body twice counts once (a restore, a redelivery)", () => {
    const first = comment(body("bob"));
    const again = comment(body("bob"));
    const found = threadRecords([first, again, comment(body("carol"))], READER, SCOPE).of("approval");
    expect(found.map((r) => [r.by, r.commentId])).toEqual([
      ["bob", first.id],
      ["carol", again.id + 1],
    ]);
  });

  test("two lines of one comment are two acts: two records with different sources both count", () => {
    const first = comment(recordBody(KEY, "approval", SCOPE, approval("bob", "500:1"), "x"));
    const second = comment(recordBody(KEY, "approval", SCOPE, approval("bob", "500:2"), "x"));
    expect(threadRecords([first, second], READER, SCOPE).of("approval").map((r) => r.source)).toEqual(["500:1", "500:2"]);
  });

  test("only this app's comments: a person's copy or another app's is neither a record nor tampering", () => {
    const copied = body("bob");
    const person = comment(copied, { user: { login: "mallory", type: "User" }, performed_via_github_app: null });
    const otherApp = comment(copied, { user: { login: "other[bot]", type: "Bot" }, performed_via_github_app: { id: 999 } });
    const noApp = comment(copied, { performed_via_github_app: undefined });
    const found = threadRecords([person, otherApp, noApp], READER, SCOPE);
    expect(found.of("approval")).toEqual([]);
    expect(found.tampered).toEqual([]);
  });

  test("this app's comment that claims to be a record but fails the check is tampered, and absent", () => {
    const edited = comment(body("bob").replace("Approved by bob.", "Approved by bob and mallory."));
    const forged = comment(body("mallory").replace("by=mallory", "by=bob"));
    const wrongKey = comment(body("bob", SCOPE, "another-key"));
    const ledger = comment("<!-- mainline:ledger incident=12 -->\n\n## mainline ledger");
    const found = threadRecords([edited, forged, wrongKey, ledger, comment(body("carol"))], READER, SCOPE);
    expect(found.of("approval").map((r) => r.by)).toEqual(["carol"]);
    expect(found.tampered.map((c) => c.id)).toEqual([edited.id, forged.id, wrongKey.id]);
  });

  test("a record line further down this app's comment is not a record: the comment was changed (the app never writes one there)", () => {
    const changed = comment(`Note.\n\n${body("bob")}`);
    const found = threadRecords([changed], READER, SCOPE);
    expect(found.of("approval")).toEqual([]);
    expect(found.tampered).toEqual([changed]);
  });

  test("records are told apart by kind", () => {
    const comments = [comment(body("bob")), comment(recordBody(KEY, "revoke", SCOPE, { sha: S, by: "carol", at: AT, source: "103:1" }, "x"))];
    const found = threadRecords(comments, READER, SCOPE);
    expect(found.of("approval").map((r) => r.by)).toEqual(["bob"]);
    expect(found.of("revoke").map((r) => r.by)).toEqual(["carol"]);
    expect(found.of("exception")).toEqual([]);
  });
});
