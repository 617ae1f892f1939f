import { marker, readMarker, readMarkers, type MarkerFields, type MarkerKind } from "../src/markers.js";
import { exceptionRunState } from "./helpers/exception-fixtures.js";

const S = "5b3c9d1e2f4a6b8c0d1e2f3a4b5c6d7e8f9a0b1c";
const ON_MAIN = "0123456789abcdef0123456789abcdef01234567";
const AT = "2026-11-20T10:00:00.000Z";
/** User text that would break a naive marker: spaces, a comment close, a percent sign, `=`, HTML, unicode. */
const HOSTILE = "db down --> <b>100%</b> a=b & ü 🚀 %E0 \"quoted\"\nnext line";
/** An exception's state as its check run holds it (the kinds that were records moved to test/records.test.ts). */
const RUN = exceptionRunState({ incident: 12, sha: S, at: AT, expires: "2026-11-20T14:00:00.000Z", approvals: 2, source: "101:1" });

describe("marker: the exact text written into GitHub", () => {
  test("a merge-back marker is the form the SPEC names", () => {
    expect(marker("merge-back", { incident: 12, sha: S })).toBe(`<!-- mainline:merge-back incident=12 sha=${S} -->`);
  });

  test("a ledger marker", () => {
    expect(marker("ledger", { incident: 12 })).toBe("<!-- mainline:ledger incident=12 -->");
  });

  test("user text is encoded so it cannot close the comment early", () => {
    const text = marker("unapproved", { deployment: 7, env: HOSTILE, sha: S });
    expect(text).toBe(
      "<!-- mainline:unapproved deployment=7 " +
        `env=db%20down%20--%3E%20%3Cb%3E100%25%3C%2Fb%3E%20a%3Db%20%26%20%C3%BC%20%F0%9F%9A%80%20%25E0%20%22quoted%22%0Anext%20line sha=${S} -->`,
    );
    expect(text.indexOf("-->")).toBe(text.length - 3);
  });
});

type Example = { [K in MarkerKind]: [K, MarkerFields<K>] }[MarkerKind];

describe("readMarkers: every kind reads back what was written", () => {
  test.each<Example>([
    ["ledger", { incident: 12 }],
    ["rca", { incident: 12 }],
    ["merge-back", { incident: 12, sha: S }],
    ["unapproved", { deployment: 9001, env: HOSTILE, sha: S }],
    ["unapproved", { deployment: 0, env: "prod eu-west", sha: S }],
    ["exception-run", { ...RUN, env: HOSTILE, approved: "bob,dave", revoked: "carol", used: AT, ended: AT, suspended: "mallory" }],
    ["exception-run", RUN],
    ["reply", { source: 104 }],
    ["tamper-notice", { comment: 105, at: AT }],
    ["merge-back-done", { sha: S, commit: ON_MAIN, way: "cherry-picked (-x trailer) 100% ✓ -->" }],
    ["reopened", { closed: AT }],
  ])("%s", (kind, fields) => {
    const body = `Some text before.\n\n${marker(kind, fields)}\n\nAnd after, with <!-- a comment of its own -->.`;
    expect(readMarkers(body, kind)).toEqual([fields]);
  });

  test("several markers of a kind are all read, in order, and other kinds are left out", () => {
    const body = [
      marker("merge-back-done", { sha: S, commit: ON_MAIN, way: "reachable" }),
      marker("reopened", { closed: AT }),
      marker("merge-back-done", { sha: ON_MAIN, commit: S, way: "patch-id" }),
    ].join("\n");
    expect(readMarkers(body, "merge-back-done")).toEqual([
      { sha: S, commit: ON_MAIN, way: "reachable" },
      { sha: ON_MAIN, commit: S, way: "patch-id" },
    ]);
  });

  test("a field added by a newer version does not hide the marker", () => {
    expect(readMarkers("<!-- mainline:ledger incident=12 layout=2 -->", "ledger")).toEqual([{ incident: 12 }]);
  });

  test.each([null, undefined, "", "no markers here"])("%j has no markers", (text) => {
    expect(readMarkers(text, "ledger")).toEqual([]);
  });
});

describe("readMarkers: malformed and foreign markers are skipped", () => {
  test.each([
    ["a short sha", `<!-- mainline:merge-back incident=12 sha=${S.slice(0, 7)} -->`],
    ["an upper-case sha", `<!-- mainline:merge-back incident=12 sha=${S.toUpperCase()} -->`],
    ["a sha that is not hex", `<!-- mainline:merge-back incident=12 sha=${"g".repeat(40)} -->`],
    ["a missing field", `<!-- mainline:merge-back incident=12 -->`],
    ["a negative number", `<!-- mainline:merge-back incident=-1 sha=${S} -->`],
    ["a fractional number", `<!-- mainline:merge-back incident=1.5 sha=${S} -->`],
    ["a word for a number", `<!-- mainline:merge-back incident=twelve sha=${S} -->`],
    ["another kind", "<!-- mainline:rca incident=12 -->"],
    ["an unknown kind", "<!-- mainline:merge-back-v2 incident=12 -->"],
    ["another app's marker", `<!-- otherbot:merge-back incident=12 sha=${S} -->`],
    ["a truncated marker", `<!-- mainline:merge-back incident=12 sha=${S}`],
  ])("%s", (_case, text) => {
    expect(readMarkers(text, "merge-back")).toEqual([]);
  });

  test.each([
    ["a date that is not ISO", marker("exception-run", RUN).replace(/ at=\S+/, " at=yesterday")],
    ["an empty login", marker("exception-run", RUN).replace("by=alice", "by=")],
  ])("an exception run with %s", (_case, text) => {
    expect(readMarker(marker("exception-run", RUN), "exception-run")).toEqual(RUN);
    expect(readMarkers(text, "exception-run")).toEqual([]);
  });

  test("an empty number is skipped, not read as 0", () => {
    expect(readMarkers(`<!-- mainline:merge-back incident= sha=${S} -->`, "merge-back")).toEqual([]);
  });

  test("a malformed marker does not hide a valid one after it", () => {
    const body = `<!-- mainline:merge-back incident=12 sha=abc -->\n${marker("merge-back", { incident: 13, sha: S })}`;
    expect(readMarkers(body, "merge-back")).toEqual([{ incident: 13, sha: S }]);
  });
});

describe("readMarker: the first valid marker", () => {
  test("returns the first of several", () => {
    const body = [marker("ledger", { incident: 12 }), marker("ledger", { incident: 13 })].join("\n");
    expect(readMarker(body, "ledger")).toEqual({ incident: 12 });
  });

  test("skips a malformed first marker", () => {
    expect(readMarker(`<!-- mainline:ledger incident=x -->\n${marker("ledger", { incident: 13 })}`, "ledger")).toEqual({ incident: 13 });
  });

  test("is undefined when there is none", () => {
    expect(readMarker(marker("rca", { incident: 12 }), "ledger")).toBeUndefined();
  });
});
