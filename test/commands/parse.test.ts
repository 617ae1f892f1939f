import { helpText, parseCommands, USAGE, type Command, type ParsedLine } from "../../src/commands/parse.js";

const FULL_SHA = "0123456789abcdef0123456789abcdef01234567";
const HOTFIX_FORMS = "/hotfix allow <sha> [env] -- <reason>\n/hotfix approve <sha>\n/hotfix revoke <sha>";
const MAINLINE_FORMS = "/mainline status\n/mainline report\n/mainline help";

/** The single command a one-line comment holds. */
function only(body: string): ParsedLine {
  const parsed = parseCommands(body);
  expect(parsed).toHaveLength(1);
  return parsed[0]!;
}

describe("parseCommands: each command, as typed", () => {
  test.each<[string, Command]>([
    ["/incident", { name: "incident" }],
    ["/incident   ", { name: "incident" }],
    ["/incident Database is down", { name: "incident", title: "Database is down" }],
    ["/incident   checkout  500s  ", { name: "incident", title: "checkout  500s" }],
    ["/incident closed-loop failure", { name: "incident", title: "closed-loop failure" }],
    ["/incident close", { name: "incident-close" }],
    ["/incident force-close duplicate of #41", { name: "incident-force-close", reason: "duplicate of #41" }],
    ["/hotfix allow abc1234 -- customers cannot log in", { name: "hotfix-allow", sha: "abc1234", reason: "customers cannot log in" }],
    [
      "/hotfix allow abc1234 production-eu -- fix",
      { name: "hotfix-allow", sha: "abc1234", environment: "production-eu", reason: "fix" },
    ],
    [`/hotfix allow ${FULL_SHA} prod_eu.1 -- fix`, { name: "hotfix-allow", sha: FULL_SHA, environment: "prod_eu.1", reason: "fix" }],
    ["/hotfix allow abc1234 prod -- a -- b", { name: "hotfix-allow", sha: "abc1234", environment: "prod", reason: "a -- b" }],
    ["/hotfix allow abc1234 --   spaced out  ", { name: "hotfix-allow", sha: "abc1234", reason: "spaced out" }],
    ["/hotfix\tallow\tabc1234\t--\ttabs", { name: "hotfix-allow", sha: "abc1234", reason: "tabs" }],
    [
      "/hotfix allow abc1234 -- @everyone <img src=x onerror=alert(1)> **now** `x`",
      { name: "hotfix-allow", sha: "abc1234", reason: "@everyone <img src=x onerror=alert(1)> **now** `x`" },
    ],
    ["/hotfix approve abc1234", { name: "hotfix-approve", sha: "abc1234" }],
    [`/hotfix revoke ${FULL_SHA}`, { name: "hotfix-revoke", sha: FULL_SHA }],
    ["/merge-back abc1234", { name: "merge-back", sha: "abc1234" }],
    ["/mainline status", { name: "mainline-status" }],
    ["/mainline report", { name: "mainline-report" }],
    ["/mainline help", { name: "mainline-help" }],
  ])("%j", (line, command) => {
    expect(only(line)).toEqual({ ok: true, line: line.trimEnd(), lineNumber: 1, command });
  });

  test.each<[string, Command]>([
    [
      "/Hotfix ALLOW ABCDEF0123 Production -- Keep Case",
      { name: "hotfix-allow", sha: "abcdef0123", environment: "Production", reason: "Keep Case" },
    ],
    ["/INCIDENT CLOSE", { name: "incident-close" }],
    ["/Incident Force-Close Dup", { name: "incident-force-close", reason: "Dup" }],
    ["/Incident DB Down", { name: "incident", title: "DB Down" }],
    ["/MERGE-BACK ABC1234", { name: "merge-back", sha: "abc1234" }],
    ["/Mainline Help", { name: "mainline-help" }],
  ])("command words are case-insensitive, arguments keep their case, SHAs are lowercased: %j", (line, command) => {
    expect(only(line)).toMatchObject({ ok: true, command });
  });

  test("a reason of exactly 1000 characters is accepted", () => {
    const reason = "r".repeat(1000);
    expect(only(`/hotfix allow abc1234 -- ${reason}`)).toMatchObject({ ok: true, command: { reason } });
  });
});

describe("parseCommands: which lines are commands", () => {
  test("several commands in one comment come back in order with their line numbers", () => {
    const body = "Deploying the fix now.\n/hotfix allow abc1234 -- outage\n\n/hotfix approve abc1234\n/mainline bogus\nthanks";
    expect(parseCommands(body)).toEqual([
      {
        ok: true,
        line: "/hotfix allow abc1234 -- outage",
        lineNumber: 2,
        command: { name: "hotfix-allow", sha: "abc1234", reason: "outage" },
      },
      { ok: true, line: "/hotfix approve abc1234", lineNumber: 4, command: { name: "hotfix-approve", sha: "abc1234" } },
      {
        ok: false,
        line: "/mainline bogus",
        lineNumber: 5,
        error: "`/mainline bogus` is not a command: use status, report or help",
        usage: MAINLINE_FORMS,
      },
    ]);
  });

  test("up to 3 leading spaces still make a command; the line is returned without them", () => {
    expect(parseCommands(" /mainline status\n   /mainline help")).toEqual([
      { ok: true, line: "/mainline status", lineNumber: 1, command: { name: "mainline-status" } },
      { ok: true, line: "/mainline help", lineNumber: 2, command: { name: "mainline-help" } },
    ]);
  });

  test.each([
    ["an empty comment", ""],
    ["indented code (4 spaces)", "    /incident close"],
    ["indented code (a tab)", "\t/incident close"],
    ["indented code (2 spaces and a tab)", "  \t/incident close"],
    ["a block quote", "> /incident close"],
    ["a block quote without a space", ">/incident close"],
    ["an indented block quote", "   > /incident close"],
    ["a nested block quote", "> > /hotfix allow abc1234 -- r"],
    ["a ``` fence", "```\n/incident close\n```"],
    ["a ~~~ fence", "~~~\n/incident close\n~~~"],
    ["a fence with an info string", "```bash\n/incident close\n```"],
    ["an indented fence", "  ```\n/incident close\n  ```"],
    ["a longer fence that a shorter one does not close", "````\n```\n/incident close\n````"],
    ["a ``` fence that ~~~ does not close", "```\n~~~\n/incident close\n```"],
    ["an unclosed fence, to the end of the comment", "text\n```\n/incident close\n\n/mainline help"],
    ["a fence whose closing line has text after it", "```\n``` not a close\n/incident close"],
    ["a command of another bot", "/deploy production"],
    ["a path", "/usr/bin/foo"],
    ["/merge, which is not /merge-back", "/merge abc1234"],
    ["/merge-backs", "/merge-backs abc1234"],
    ["/incidents", "/incidents"],
    ["/hotfixes", "/hotfixes allow abc1234 -- r"],
    ["/mainline-status", "/mainline-status"],
    ["/incident: with a colon", "/incident: db down"],
    ["a command mid-line", "please run /incident close"],
    ["a command in a list item", "- /incident close"],
    ["a bare slash", "/"],
  ])("ignores %s", (_what, body) => {
    expect(parseCommands(body)).toEqual([]);
  });

  test("commands after a closed fence count again", () => {
    const body = "~~~~\n/incident close\n~~~\n~~~~~  \n/mainline help";
    expect(parseCommands(body)).toEqual([{ ok: true, line: "/mainline help", lineNumber: 5, command: { name: "mainline-help" } }]);
  });

  test("a line of backticks with a backtick after them is inline code, not a fence", () => {
    expect(parseCommands("``` `x` ```\n/mainline help")).toEqual([
      { ok: true, line: "/mainline help", lineNumber: 2, command: { name: "mainline-help" } },
    ]);
  });

  test("a fence opened inside a quote ends with the quote", () => {
    expect(parseCommands("> ```\n/mainline help")).toEqual([
      { ok: true, line: "/mainline help", lineNumber: 2, command: { name: "mainline-help" } },
    ]);
  });

  test("a command on the line after a quote is the author's own", () => {
    expect(parseCommands("> /incident close\n/mainline status")).toEqual([
      { ok: true, line: "/mainline status", lineNumber: 2, command: { name: "mainline-status" } },
    ]);
  });

  test.each([
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ])("%s line endings read like LF ones", (_name, eol) => {
    const body = ["fix:", "```", "/incident close", "```", "/hotfix allow abc1234 -- db", "/mainline status", ""].join(eol);
    expect(parseCommands(body)).toEqual([
      { ok: true, line: "/hotfix allow abc1234 -- db", lineNumber: 5, command: { name: "hotfix-allow", sha: "abc1234", reason: "db" } },
      { ok: true, line: "/mainline status", lineNumber: 6, command: { name: "mainline-status" } },
    ]);
  });

  test("/merge-back is read as /merge-back, never as /merge", () => {
    expect(only("/merge-back abc1234")).toMatchObject({ ok: true, command: { name: "merge-back", sha: "abc1234" } });
  });
});

describe("parseCommands: errors name what is wrong and show the right form", () => {
  test.each([
    [
      "/incident close now",
      "`/incident close` takes no arguments, but got `now` (a title cannot start with the word close)",
      "/incident close",
    ],
    [
      "/incident Close the DB",
      "`/incident close` takes no arguments, but got `the DB` (a title cannot start with the word close)",
      "/incident close",
    ],
    ["/incident force-close", "`/incident force-close` needs a reason", "/incident force-close <reason>"],
    ["/incident force-close   ", "`/incident force-close` needs a reason", "/incident force-close <reason>"],
    ["/hotfix", "`/hotfix` needs a subcommand: allow, approve or revoke", HOTFIX_FORMS],
    ["/hotfix deploy abc1234", "`/hotfix deploy` is not a command: use allow, approve or revoke", HOTFIX_FORMS],
    ["/hotfix allow", "a commit SHA is missing", USAGE["hotfix-allow"]],
    ["/hotfix allow -- outage", "a commit SHA is missing", USAGE["hotfix-allow"]],
    ["/hotfix allow xyz -- outage", "`xyz` is not a commit SHA: use 7 to 40 hex characters", USAGE["hotfix-allow"]],
    ["/hotfix allow abc123 -- outage", "`abc123` is not a commit SHA: use 7 to 40 hex characters", USAGE["hotfix-allow"]],
    [`/hotfix allow ${FULL_SHA}0 -- outage`, `\`${FULL_SHA}0\` is not a commit SHA: use 7 to 40 hex characters`, USAGE["hotfix-allow"]],
    ["/hotfix allow abc1234", "the reason is missing: end the command with `-- <reason>`", USAGE["hotfix-allow"]],
    ["/hotfix allow abc1234 production urgent fix", "the reason is missing: end the command with `-- <reason>`", USAGE["hotfix-allow"]],
    ["/hotfix allow abc1234 --outage", "the reason is missing: end the command with `-- <reason>`", USAGE["hotfix-allow"]],
    [
      "/hotfix allow abc1234 production eu -- outage",
      "too many words before `--`: expected a SHA and at most one environment, but got 3",
      USAGE["hotfix-allow"],
    ],
    [
      "/hotfix allow abc1234 prod/eu -- outage",
      "`prod/eu` is not an environment name: use at most 255 letters, digits, `-`, `_` or `.`",
      USAGE["hotfix-allow"],
    ],
    ["/hotfix allow abc1234 production --", "the reason after `--` is empty", USAGE["hotfix-allow"]],
    ["/hotfix approve", "a commit SHA is missing", "/hotfix approve <sha>"],
    ["/hotfix approve zzzzzzz", "`zzzzzzz` is not a commit SHA: use 7 to 40 hex characters", "/hotfix approve <sha>"],
    ["/hotfix revoke abc1234 def5678", "expected one SHA, but got 2 words", "/hotfix revoke <sha>"],
    ["/merge-back", "a commit SHA is missing", "/merge-back <sha>"],
    ["/merge-back main", "`main` is not a commit SHA: use 7 to 40 hex characters", "/merge-back <sha>"],
    ["/mainline", "`/mainline` needs a subcommand: status, report or help", MAINLINE_FORMS],
    ["/mainline deploy", "`/mainline deploy` is not a command: use status, report or help", MAINLINE_FORMS],
    ["/mainline status now", "`/mainline status` takes no arguments, but got `now`", "/mainline status"],
    ["/mainline help me please", "`/mainline help` takes no arguments, but got `me please`", "/mainline help"],
  ])("%j", (line, error, usage) => {
    expect(only(line)).toEqual({ ok: false, line: line.trimEnd(), lineNumber: 1, error, usage });
  });

  const x1001 = "x".repeat(1001);
  test.each([
    [
      "a force-close reason over 1000 characters",
      `/incident force-close ${x1001}`,
      "reason is longer than 1000 characters",
      USAGE["incident-force-close"],
    ],
    ["a title over 1000 characters", `/incident ${x1001}`, "title is longer than 1000 characters", USAGE.incident],
    [
      "a hotfix reason over 1000 characters",
      `/hotfix allow abc1234 -- ${x1001}`,
      "reason is longer than 1000 characters",
      USAGE["hotfix-allow"],
    ],
    [
      "an environment name over 255 characters",
      `/hotfix allow abc1234 ${"e".repeat(256)} -- outage`,
      `\`${"e".repeat(59)}…\` is not an environment name: use at most 255 letters, digits, \`-\`, \`_\` or \`.\``,
      USAGE["hotfix-allow"],
    ],
  ])("%s", (_what, line, error, usage) => {
    expect(only(line)).toEqual({ ok: false, line, lineNumber: 1, error, usage });
  });

  test.each([
    ["a mention", "/merge-back @octocat", "`@octocat` is not a commit SHA: use 7 to 40 hex characters"],
    ["backticks", "/merge-back `rm`", "`` `rm` `` is not a commit SHA: use 7 to 40 hex characters"],
    ["a run of backticks", "/merge-back a``b", "```a``b``` is not a commit SHA: use 7 to 40 hex characters"],
    ["a huge word", `/merge-back ${"g".repeat(100_000)}`, `\`${"g".repeat(59)}…\` is not a commit SHA: use 7 to 40 hex characters`],
  ])("user text in an error stays inside one short code span (%s)", (_what, line, error) => {
    expect(only(line)).toMatchObject({ ok: false, error });
  });
});

describe("parseCommands: huge and hostile comments", () => {
  test.each([
    ["a 2 MB reason", `/hotfix allow abc1234 -- ${"x".repeat(2_000_000)}`, 1],
    ["a 1 MB run of backticks before a line separator", `${"`".repeat(1_000_000)}\u2028\n/incident close`, 0],
    ["a 1 MB line of spaces and tabs after a fence", `\`\`\`${" \t".repeat(500_000)}x\n/incident close`, 0],
    ["100,000 commands", "/mainline status\n".repeat(100_000), 100_000],
    ["100,000 fence lines", "```\n".repeat(100_000), 0],
    ["1 MB of nested quote markers", `${"> ".repeat(500_000)}/incident close`, 0],
    ["1 MB of separators", `/hotfix allow abc1234 ${"-- ".repeat(300_000)}`, 1],
  ])("%s is parsed in linear time", (_what, body, commands) => {
    const started = performance.now();
    expect(parseCommands(body)).toHaveLength(commands);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("helpText", () => {
  /** The table's rows, each as its four cells. */
  const rows = helpText()
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.slice(2, -2).split(" | "));

  test("is a markdown table with one row per command", () => {
    expect(helpText()).toContain("| command | where | who | does |\n| --- | --- | --- | --- |\n");
    expect(rows.map(([command]) => command).sort()).toEqual(Object.values(USAGE).map((usage) => `\`${usage}\``).sort());
    for (const row of rows) expect(row).toHaveLength(4);
  });

  test.each([
    ["/incident [title]", "any issue", "write"],
    ["/hotfix allow <sha> [env] -- <reason>", "incident", "`override.permission` (default maintain)"],
    ["/hotfix approve <sha>", "incident", "`override.permission` (default maintain), not the grantor"],
    ["/hotfix revoke <sha>", "incident", "`override.permission` (default maintain)"],
    ["/merge-back <sha>", "incident", "write"],
    ["/incident close", "incident", "write"],
    ["/incident force-close <reason>", "incident", "admin"],
    ["/mainline status", "incident or PR", "anyone"],
    ["/mainline report", "any issue", "write"],
    ["/mainline help", "anywhere", "anyone"],
  ])("%s works in %s for %s", (usage, where, who) => {
    const row = rows.find(([command]) => command === `\`${usage}\``);
    expect(row?.slice(1, 3)).toEqual([where, who]);
    expect(row?.[3]).not.toBe("");
  });
});
