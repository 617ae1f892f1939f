import fc from "fast-check";
import { parseCommands } from "../../src/commands/parse.js";

const RUNS = { numRuns: 300 };

const HEX_SHA = /^[0-9a-f]{7,40}$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;

const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 1, maxLength: 45 });

/** Pieces that make the parser's decisions: command words, separators, fences, quotes, SHAs. */
const fragment = fc.oneof(
  fc.constantFrom(
    "/hotfix", "/HotFix", "allow", "ALLOW", "approve", "revoke", "/incident", "close", "force-close",
    "/merge-back", "/merge", "/mainline", "status", "report", "help", "--", "-", "```", "~~~", "````",
    ">", "> >", "production", "prod/eu", "@octocat", "<b>", "`",
  ),
  hex,
  fc.string({ maxLength: 6 }),
);
const separator = fc.constantFrom(" ", "  ", "\t", "", "\u00a0");
const indent = fc.constantFrom("", " ", "   ", "    ", "\t");
/** How a line begins: anything, a command word, or a grant whose SHA the fragments may complete. */
const start = fc.oneof(
  fc.constant(""),
  fc
    .tuple(
      fc.constantFrom("/hotfix allow ", "/HOTFIX Allow "),
      hex,
      fc.constantFrom(" ", "\t", " production ", " prod/eu ", " a b "),
      fc.constantFrom("", "-- ", "--\t", "--"),
    )
    .map((parts) => parts.join("")),
  fc.constantFrom(
    "/hotfix allow ", "/HOTFIX Allow ", "/hotfix approve ", "/merge-back ", "/incident ", "/incident force-close ", "/mainline ",
  ),
);
const line = fc
  .tuple(indent, start, fc.array(fc.tuple(fragment, separator), { maxLength: 8 }))
  .map(([lead, command, parts]) => lead + command + parts.map(([piece, gap]) => piece + gap).join(""));
const lines = fc.array(line, { maxLength: 12 });
const lineBreak = fc.constantFrom("\n", "\r\n", "\r");
const assembled = fc.tuple(lines, lineBreak).map(([all, eol]) => all.join(eol));

/** UTF-16 code units, lone surrogates included: what a JSON payload can carry. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)) });
const anyBody = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  codeUnits,
  { arbitrary: assembled, weight: 4 },
);

describe("parseCommands on arbitrary comments", () => {
  test("never throws, and returns only command lines of the input, in order", () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const parsed = parseCommands(body);
        const lineCount = body.split(/\r\n|\r|\n/).length;
        let previous = 0;
        for (const { line, lineNumber } of parsed) {
          expect(body).toContain(line);
          expect(line.startsWith("/")).toBe(true);
          expect(lineNumber).toBeGreaterThan(previous);
          expect(lineNumber).toBeLessThanOrEqual(lineCount);
          previous = lineNumber;
        }
      }),
      RUNS,
    );
  });

  test("every accepted command carries valid arguments; every refusal says why and how", () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        for (const parsed of parseCommands(body)) {
          if (!parsed.ok) {
            expect(parsed.error).not.toBe("");
            expect(parsed.usage).toMatch(/^\//);
            continue;
          }
          const { command } = parsed;
          if ("sha" in command) expect(command.sha).toMatch(HEX_SHA);
          if ("reason" in command) expect(command.reason.trim()).toBe(command.reason);
          if ("reason" in command) expect(command.reason.length).toBeGreaterThan(0);
          if ("reason" in command) expect(command.reason.length).toBeLessThanOrEqual(1000);
          if (command.name === "hotfix-allow" && command.environment !== undefined) expect(command.environment).toMatch(ENVIRONMENT);
        }
      }),
      RUNS,
    );
  });

  test("LF, CRLF and CR line endings give the same commands", () => {
    fc.assert(
      fc.property(lines, (all) => {
        const lf = parseCommands(all.join("\n"));
        expect(parseCommands(all.join("\r\n"))).toEqual(lf);
        expect(parseCommands(all.join("\r"))).toEqual(lf);
      }),
      RUNS,
    );
  });

  test.each([
    ["inside a long fence", (all: string[]) => ["~".repeat(100), ...all].join("\n")],
    ["quoted", (all: string[]) => all.map((text) => `> ${text}`).join("\n")],
    ["indented as code", (all: string[]) => all.map((text) => `    ${text}`).join("\n")],
  ])("nothing %s is a command", (_where, wrap) => {
    fc.assert(
      fc.property(lines, (all) => {
        expect(parseCommands(wrap(all))).toEqual([]);
      }),
      RUNS,
    );
  });

  test("a well-formed /hotfix allow is read back exactly", () => {
    const sha = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 7, maxLength: 40 });
    // An environment named `--` would be the separator: the first `--` always is.
    const environment = fc.option(
      fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/).filter((name) => name !== "--"),
      { nil: undefined },
    );
    const reason = fc.string({ minLength: 1, maxLength: 200 }).filter((text) => text.trim() !== "");
    fc.assert(
      fc.property(sha, environment, reason, (sha, environment, reason) => {
        const env = environment === undefined ? "" : ` ${environment}`;
        const line = `/hotfix allow ${sha}${env} -- ${reason}`;
        const command = {
          name: "hotfix-allow",
          sha: sha.toLowerCase(),
          ...(environment === undefined ? {} : { environment }),
          reason: reason.trim(),
        };
        expect(parseCommands(line)).toEqual([{ ok: true, line: line.trimEnd(), lineNumber: 1, command }]);
      }),
      RUNS,
    );
  });
});
