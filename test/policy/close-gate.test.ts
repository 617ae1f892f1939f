import { closeBlockers, decideIncidentClosed, type MergeBackItem, type RcaStatus } from "../../src/policy/close-gate.js";

const A = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const B = "b2c3d4e5f60718293a4b5c6d7e8f901234567890";

const item = (number: number, sha: string, state: "done" | "open" | "overdue" | "done-late"): MergeBackItem => ({
  number,
  sha,
  closed: state === "done" || state === "done-late",
  overdue: state === "overdue" || state === "done-late",
});
const rca = (over: Partial<Extract<RcaStatus, { exists: true }>> = {}): RcaStatus => ({
  exists: true,
  number: 40,
  closed: true,
  emptySections: [],
  missingSections: [],
  ...over,
});

describe("closeBlockers: one line per thing that keeps the incident open", () => {
  test.each<[string, MergeBackItem[], RcaStatus, string[]]>([
    ["everything done", [item(31, A, "done"), item(32, B, "done")], rca(), []],
    ["no merge-back items, RCA done", [], rca(), []],
    ["an open merge-back", [item(31, A, "open")], rca(), ["merge-back #31: a1b2c3d is not on main yet"]],
    ["an overdue merge-back", [item(32, B, "overdue")], rca(), ["merge-back #32: b2c3d4e is not on main yet (overdue)"]],
    ["a merge-back done after it was overdue", [item(32, B, "done-late")], rca(), []],
    [
      "two open merge-backs, in their order",
      [item(32, B, "overdue"), item(31, A, "open")],
      rca(),
      ["merge-back #32: b2c3d4e is not on main yet (overdue)", "merge-back #31: a1b2c3d is not on main yet"],
    ],
    ["the RCA issue missing", [], { exists: false }, ["the RCA issue is missing (run `/mainline status` to open it)"]],
    [
      "an open merge-back and the RCA missing",
      [item(31, A, "open")],
      { exists: false },
      ["merge-back #31: a1b2c3d is not on main yet", "the RCA issue is missing (run `/mainline status` to open it)"],
    ],
    ["one empty section", [], rca({ emptySections: ["Root cause"] }), ['RCA #40: "Root cause" has no content yet']],
    ["one missing section", [], rca({ missingSections: ["Timeline"] }), ['RCA #40: "Timeline" has no content yet']],
    [
      "missing and empty sections: missing first",
      [],
      rca({ emptySections: ["Action items"], missingSections: ["Timeline", "Root cause"] }),
      ['RCA #40: "Timeline", "Root cause", "Action items" have no content yet'],
    ],
    ["RCA written but still open", [], rca({ closed: false }), ["RCA #40 is still open (close it when it is written)"]],
    [
      "RCA open with empty sections",
      [],
      rca({ closed: false, emptySections: ["Timeline", "Root cause"] }),
      ['RCA #40: "Timeline", "Root cause" have no content yet', "RCA #40 is still open (close it when it is written)"],
    ],
    [
      "everything at once, merge-backs first",
      [item(31, A, "open"), item(32, B, "done")],
      rca({ closed: false, missingSections: ["Action items"] }),
      ["merge-back #31: a1b2c3d is not on main yet", 'RCA #40: "Action items" has no content yet', "RCA #40 is still open (close it when it is written)"],
    ],
  ])("%s", (_case, mergeBacks, rcaStatus, expected) => {
    expect(closeBlockers(mergeBacks, rcaStatus, "main")).toEqual(expected);
  });

  test("names the configured main branch", () => {
    expect(closeBlockers([item(31, A, "open")], rca(), "trunk")).toEqual(["merge-back #31: a1b2c3d is not on trunk yet"]);
  });
});

describe("decideIncidentClosed: a close with blockers is undone unless an admin forced it", () => {
  const blocked = ["merge-back #31: a1b2c3d is not on main yet"];
  test.each<[boolean, readonly string[], "stays-closed" | "reopen"]>([
    // forceClosed, blockers, outcome
    [false, blocked, "reopen"],
    [false, [], "stays-closed"],
    [true, blocked, "stays-closed"],
    [true, [], "stays-closed"],
  ])("forceClosed %s, blockers %j → %s", (forceClosed, blockers, expected) => {
    expect(decideIncidentClosed({ forceClosed, blockers })).toBe(expected);
  });
});
