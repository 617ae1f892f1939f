import { readMarker } from "../../src/markers.js";
import { closeBlockers, type RcaStatus } from "../../src/policy/close-gate.js";
import type { ExceptionState } from "../../src/policy/exceptions.js";
import { renderLedger, type LedgerFacts } from "../../src/policy/ledger.js";

const S1 = "5b3c9d1e2f4a6b8c0d1e2f3a4b5c6d7e8f9a0b1c";
const S2 = "6c4d0e2f3a5b7c9d1e2f3a4b5c6d7e8f9a0b1c2d";
const S3 = "7d5e1f3a4b6c8d0e2f3a4b5c6d7e8f9a0b1c2d3e";
const S4 = "8e6f2a4b5c7d9e1f3a4b5c6d7e8f9a0b1c2d3e4f";
const ROLLBACK_PROD = "0123456789abcdef0123456789abcdef01234567";
const ROLLBACK_STAGING = "fedcba9876543210fedcba9876543210fedcba98";

const exception = (over: Partial<ExceptionState>): ExceptionState => ({
  incident: 12,
  sha: S1,
  environment: "production",
  grantedBy: "alice",
  reason: "checkout returns 500",
  grantedAt: "2026-11-20T10:00:00.000Z",
  expiresAt: "2026-11-20T14:00:00.000Z",
  approvedBy: [],
  deploys: [],
  status: "active",
  ...over,
});

const rca: RcaStatus = { exists: true, number: 40, closed: false, emptySections: ["Root cause"], missingSections: [] };
const mergeBacks = [
  { number: 31, sha: S1, closed: true, overdue: false, dueAt: "2026-11-21T11:00:00.000Z" },
  { number: 32, sha: S2, closed: false, overdue: true, dueAt: "2026-11-20T12:30:00.000Z" },
  { number: 33, sha: S3, closed: false, overdue: false, dueAt: "2026-11-21T13:00:00.000Z" },
];

/** Incident #12, mid-way: one hotfix shipped and merged back, one overdue, the RCA half written. */
const facts: LedgerFacts = {
  incident: 12,
  mainBranch: "main",
  exceptions: [
    exception({
      approvedBy: ["bob"],
      deploys: [{ sha: S1, env: "production", deployment: 9001, at: "2026-11-20T11:00:00.000Z", reached: false }],
      status: "used",
    }),
    exception({ sha: S2, environment: "staging", reason: "retry storm", grantedAt: "2026-11-20T12:00:00.000Z", expiresAt: "2026-11-20T16:00:00.000Z" }),
    exception({ sha: S3, grantedBy: "carol", reason: "wrong commit", status: "revoked" }),
    exception({ sha: S4, status: "awaiting-approval" }),
    exception({ sha: S4, environment: "eu-west", status: "expired" }),
  ],
  mergeBacks,
  rca,
  blockers: closeBlockers(mergeBacks, rca, "main"),
  cascade: {
    incidents: [12, 13],
    deploys: [
      { incident: 12, sha: S1, env: "production", at: "2026-11-20T11:00:00.000Z" },
      { incident: 13, sha: S2, env: "production", at: "2026-11-20T15:00:00.000Z" },
    ],
  },
  rollback: [
    { environment: "production", sha: ROLLBACK_PROD, deploymentId: 8800, createdAt: "2026-11-19T09:00:00Z" },
    { environment: "staging", sha: ROLLBACK_STAGING, deploymentId: 8790, createdAt: "2026-11-19T08:00:00Z" },
  ],
};

const quiet: LedgerFacts = {
  incident: 7,
  mainBranch: "trunk",
  exceptions: [],
  mergeBacks: [],
  rca: { exists: true, number: 8, closed: true, emptySections: [], missingSections: [] },
  blockers: [],
  rollback: [],
};

/** The cells of a GFM table row: a `|` splits cells unless a backslash escapes it. */
function cells(row: string): string[] {
  const found: string[] = [];
  let cell = "";
  for (let i = 0; i < row.length; i++) {
    const ch = row[i]!;
    if (ch === "\\") {
      cell += ch + (row[i + 1] ?? "");
      i++;
    } else if (ch === "|") {
      found.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  found.push(cell.trim());
  return found.slice(1, -1);
}

describe("renderLedger: a realistic incident", () => {
  const text = renderLedger(facts);

  test("renders the whole ledger, section by section", () => {
    expect(text).toBe(
      [
        "<!-- mainline:ledger incident=12 -->",
        "## mainline ledger",
        [
          "**Status:** cannot close yet (4 blocking):",
          "- merge-back #32: 6c4d0e2 is not on main yet (overdue)",
          "- merge-back #33: 7d5e1f3 is not on main yet",
          '- RCA #40: "Root cause" has no content yet',
          "- RCA #40 is still open (close it when it is written)",
        ].join("\n"),
        "> [!WARNING]\n> **Hotfix cascade:** 2 hotfix deploys within the cascade window: " +
          "`5b3c9d1` to production at 2026-11-20T11:00:00.000Z (#12), `6c4d0e2` to production at 2026-11-20T15:00:00.000Z (#13). " +
          "Stop, roll back to the last deployment on main, and look at what the fixes share.",
        "### Exceptions",
        [
          "| commit | environment | granted | reason | state |",
          "| --- | --- | --- | --- | --- |",
          "| `5b3c9d1` | production | **alice**, approved by **bob** at 2026-11-20T10:00:00.000Z | checkout returns 500 | used: deployment 9001 allowed at 2026-11-20T11:00:00.000Z |",
          "| `6c4d0e2` | staging | **alice** at 2026-11-20T12:00:00.000Z | retry storm | active until 2026-11-20T16:00:00.000Z |",
          "| `7d5e1f3` | production | **carol** at 2026-11-20T10:00:00.000Z | wrong commit | revoked |",
          "| `8e6f2a4` | production | **alice** at 2026-11-20T10:00:00.000Z | checkout returns 500 | awaiting approval |",
          "| `8e6f2a4` | eu-west | **alice** at 2026-11-20T10:00:00.000Z | checkout returns 500 | expired |",
        ].join("\n"),
        "### Merge-back",
        [
          "| issue | commit | state |",
          "| --- | --- | --- |",
          "| #31 | `5b3c9d1` | done (on main) |",
          "| #32 | `6c4d0e2` | **overdue** (was due 2026-11-20T12:30:00.000Z) |",
          "| #33 | `7d5e1f3` | open, due 2026-11-21T13:00:00.000Z |",
        ].join("\n"),
        "### RCA",
        "#40: open; to write: Root cause.",
        "### Roll back first",
        [
          "| environment | last commit from main | deployed |",
          "| --- | --- | --- |",
          "| production | `0123456` | deployment 8800 at 2026-11-19T09:00:00Z |",
          "| staging | `fedcba9` | deployment 8790 at 2026-11-19T08:00:00Z |",
        ].join("\n"),
        "_mainline rewrites this comment from GitHub's records (issues, comments, deployments) at each change; edits here are overwritten._",
      ].join("\n\n"),
    );
  });

  test("starts with the ledger marker, which reads back as this incident", () => {
    expect(text.split("\n")[0]).toBe("<!-- mainline:ledger incident=12 -->");
    expect(readMarker(text, "ledger")).toEqual({ incident: 12 });
  });

  test("the same facts give byte-identical text, so a redelivery writes nothing", () => {
    expect(renderLedger(structuredClone(facts))).toBe(text);
  });
});

describe("renderLedger: the quiet cases", () => {
  const text = renderLedger(quiet);

  test.each([
    ["nothing blocks", "**Status:** nothing blocks closing: `/incident close` closes it."],
    ["no exceptions", "### Exceptions\n\nNone granted."],
    ["no merge-back items", "### Merge-back\n\nNo commit needs merging back."],
    ["RCA done", "### RCA\n\n#8: done."],
    ["no rollback candidate", "### Roll back first\n\nNo deployment of a trunk commit that succeeded among the 5 newest of each gated environment searched; `/incident rollback [env]` looks further back (the environment's 30 newest)."],
  ])("%s", (_case, expected) => {
    expect(text).toContain(expected);
  });

  test("no cascade warning without a cascade", () => {
    expect(text).not.toContain("[!WARNING]");
  });

  test("once the incident is closed, the status says so instead of inviting /incident close", () => {
    expect(renderLedger({ ...quiet, closed: true })).toContain("**Status:** closed: its fixes are on main and its RCA is written.");
  });
});

describe("renderLedger: the RCA line", () => {
  test.each<[string, RcaStatus, string]>([
    ["missing", { exists: false }, "Missing."],
    ["done", { exists: true, number: 40, closed: true, emptySections: [], missingSections: [] }, "#40: done."],
    ["open, all written", { exists: true, number: 40, closed: false, emptySections: [], missingSections: [] }, "#40: open."],
    [
      "closed with sections to write, missing first",
      { exists: true, number: 40, closed: true, emptySections: ["Root cause"], missingSections: ["Timeline"] },
      "#40: closed; to write: Timeline, Root cause.",
    ],
  ])("%s", (_case, rcaStatus, expected) => {
    expect(renderLedger({ ...quiet, rca: rcaStatus })).toContain(`### RCA\n\n${expected}\n\n### Roll back first`);
  });
});

describe("renderLedger: force-close", () => {
  test("the status names who force-closed, when, and why", () => {
    const text = renderLedger({
      ...facts,
      forceClose: { by: "dana", at: "2026-11-21T09:00:00.000Z", reason: "vendor outage, nothing to merge", source: "77:1" },
    });
    expect(text).toContain("\n\n**Status:** force-closed by **dana** at 2026-11-21T09:00:00.000Z: vendor outage, nothing to merge\n\n");
    expect(text).not.toContain("cannot close yet");
  });
});

describe("renderLedger: the criterion of each grant (hotfix.criteria)", () => {
  const table = (exceptions: ExceptionState[]) => {
    const lines = renderLedger({ ...quiet, exceptions }).split("\n");
    return lines.filter((line) => line.startsWith("| ") && !line.startsWith("| environment"));
  };

  test("has a column once a grant named one; a grant from before says —; a criterion with a pipe stays in its cell", () => {
    const rows = table([exception({ reason: "checkout returns 500" }), exception({ sha: S2, criterion: "outage", reason: "outage: 500s" }), exception({ sha: S3, criterion: "data|loss", reason: "data|loss: gone" })]);
    expect(rows).toEqual([
      "| commit | environment | granted | criterion | reason | state |",
      "| --- | --- | --- | --- | --- | --- |",
      "| `5b3c9d1` | production | **alice** at 2026-11-20T10:00:00.000Z | — | checkout returns 500 | active until 2026-11-20T14:00:00.000Z |",
      "| `6c4d0e2` | production | **alice** at 2026-11-20T10:00:00.000Z | outage | outage: 500s | active until 2026-11-20T14:00:00.000Z |",
      "| `7d5e1f3` | production | **alice** at 2026-11-20T10:00:00.000Z | data\\|loss | data\\|loss: gone | active until 2026-11-20T14:00:00.000Z |",
    ]);
    expect(rows.map((row) => cells(row).length)).toEqual([6, 6, 6, 6, 6]);
  });

  test("without one the table is as it always was", () => {
    expect(table([exception({})])[0]).toBe("| commit | environment | granted | reason | state |");
  });
});

describe("renderLedger: hostile user text stays inert", () => {
  const HOSTILE = "<script>alert(1)</script> @acme/oncall | forged | cell |\n## Heading\r\n<img src=x onerror=alert(1)>";
  const text = renderLedger({
    ...quiet,
    exceptions: [exception({ reason: HOSTILE, environment: "prod|<b>@x</b>" })],
    forceClose: { by: "dana", at: "2026-11-21T09:00:00.000Z", reason: HOSTILE, source: "77:1" },
    rollback: [{ environment: "prod|<i>", sha: ROLLBACK_PROD, deploymentId: 8800, createdAt: "2026-11-19T09:00:00Z" }],
  });
  const lines = text.split("\n");
  const exceptionRow = lines.find((line) => line.startsWith("| `5b3c9d1`"))!;

  test("the reason is escaped exactly", () => {
    expect(exceptionRow).toBe(
      "| `5b3c9d1` | prod\\|&lt;b&gt;@\u200bx&lt;/b&gt; | **alice** at 2026-11-20T10:00:00.000Z | " +
        "&lt;script&gt;alert(1)&lt;/script&gt; @\u200bacme/oncall \\| forged \\| cell \\| \\#\\# Heading &lt;img src=x onerror=alert(1)&gt; | active until 2026-11-20T14:00:00.000Z |",
    );
  });

  test("the exceptions row keeps its five cells", () => {
    expect(cells(exceptionRow)).toHaveLength(5);
  });

  test("the rollback row keeps its three cells", () => {
    const row = lines.find((line) => line.includes("deployment 8800"))!;
    expect(cells(row)).toEqual(["prod\\|&lt;i&gt;", "`0123456`", "deployment 8800 at 2026-11-19T09:00:00Z"]);
  });

  test("no raw HTML, live mention or forged heading anywhere", () => {
    expect(text).not.toMatch(/<(script|img|b|i)\b/);
    expect(text).not.toMatch(/@acme/);
    expect(lines.filter((line) => line.startsWith("## "))).toEqual(["## mainline ledger"]);
  });

  test("the force-close reason stays on the status line", () => {
    const status = lines.find((line) => line.startsWith("**Status:**"))!;
    expect(status).toBe(
      "**Status:** force-closed by **dana** at 2026-11-21T09:00:00.000Z: " +
        "&lt;script&gt;alert(1)&lt;/script&gt; @\u200bacme/oncall \\| forged \\| cell \\| \\#\\# Heading &lt;img src=x onerror=alert(1)&gt;",
    );
  });

  test("the only HTML comment is the app's own marker", () => {
    expect(text.match(/<!--/g)).toEqual(["<!--"]);
  });
});
