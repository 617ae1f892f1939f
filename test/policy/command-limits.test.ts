import { linesToRun, MAX_COMMAND_LINES, skippedSentence } from "../../src/policy/command-limits.js";

const lines = (...texts: string[]) => texts.map((line, i) => ({ line, lineNumber: i + 1 }));
const numbered = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `/merge-back ${String(from + i).padStart(7, "a")}`);
const split = (texts: string[]) => {
  const { run, repeated, overLimit } = linesToRun(lines(...texts));
  return { run: run.map((l) => l.lineNumber), repeated: repeated.map((l) => l.lineNumber), overLimit: overLimit.map((l) => l.lineNumber) };
};

describe("linesToRun: each distinct line once, in order, at most 10", () => {
  test("the limit is 10 (SPEC section 8)", () => {
    expect(MAX_COMMAND_LINES).toBe(10);
  });

  test.each<[string, string[], { run: number[]; repeated: number[]; overLimit: number[] }]>([
    // case, the comment's command lines, which line numbers run / are repeats / are past the limit
    ["no lines", [], { run: [], repeated: [], overLimit: [] }],
    ["one line", ["/mainline help"], { run: [1], repeated: [], overLimit: [] }],
    ["two different lines", ["/hotfix revoke abc1234", "/hotfix revoke def5678"], { run: [1, 2], repeated: [], overLimit: [] }],
    ["the same line twice", ["/hotfix revoke abc1234", "/hotfix revoke abc1234"], { run: [1], repeated: [2], overLimit: [] }],
    ["the same line with other spacing", ["/hotfix  revoke abc1234 ", "  /hotfix revoke\tabc1234"], { run: [1], repeated: [2], overLimit: [] }],
    ["lines that differ in case are different lines", ["/hotfix revoke ABC1234", "/hotfix revoke abc1234"], { run: [1, 2], repeated: [], overLimit: [] }],
    ["a repeat between others", ["/mainline status", "/mainline help", "/mainline status"], { run: [1, 2], repeated: [3], overLimit: [] }],
    ["exactly 10 distinct lines", numbered(10), { run: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], repeated: [], overLimit: [] }],
    ["11 distinct lines: the 11th is past the limit", numbered(11), { run: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], repeated: [], overLimit: [11] }],
    ["12 distinct lines", numbered(12), { run: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], repeated: [], overLimit: [11, 12] }],
    [
      "repeats do not use up the limit",
      [...numbered(5), ...numbered(5), ...numbered(5, 6)],
      { run: [1, 2, 3, 4, 5, 11, 12, 13, 14, 15], repeated: [6, 7, 8, 9, 10], overLimit: [] },
    ],
    ["past the limit, a repeat of a line that ran is a repeat", [...numbered(10), numbered(1)[0]!], { run: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], repeated: [11], overLimit: [] }],
    [
      "past the limit, a line that did not run is past the limit each time",
      [...numbered(10), "/mainline help", "/mainline help"],
      { run: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], repeated: [], overLimit: [11, 12] },
    ],
  ])("%s", (_case, texts, expected) => {
    expect(split(texts)).toEqual(expected);
  });

  test("a thousand identical lines run once", () => {
    expect(split(Array.from({ length: 1000 }, () => "/hotfix revoke abc1234")).run).toEqual([1]);
  });

  test("each line comes back as it was given (the same object, other fields kept)", () => {
    const given = lines("/mainline help", "/mainline help");
    const { run, repeated } = linesToRun(given);
    expect(run[0]).toBe(given[0]);
    expect(repeated[0]).toBe(given[1]);
  });
});

describe("skippedSentence: the reply names what did not run", () => {
  test.each<[number, number, string | undefined]>([
    // repeated, over the limit, sentence
    [0, 0, undefined],
    [1, 0, "Skipped: 1 repeated line (each distinct line runs once)."],
    [3, 0, "Skipped: 3 repeated lines (each distinct line runs once)."],
    [0, 1, "Skipped: 1 command line past the first 10 (post them in another comment)."],
    [0, 5, "Skipped: 5 command lines past the first 10 (post them in another comment)."],
    [2, 1, "Skipped: 1 command line past the first 10 (post them in another comment); 2 repeated lines (each distinct line runs once)."],
  ])("%i repeated, %i over the limit", (repeated, overLimit, expected) => {
    expect(skippedSentence({ repeated, overLimit })).toBe(expected);
  });
});
