import fc from "fast-check";
import { parseCommands } from "../../src/commands/parse.js";
import type { CommentLike } from "../../src/github/client.js";
import { threadRecords } from "../../src/github/own-comments.js";
import { marker } from "../../src/markers.js";
import { describeRun } from "../../src/policy/exception-runs.js";
import { renderLedger } from "../../src/policy/ledger.js";
import { rcaBody } from "../../src/policy/rca.js";
import { appBody, codeSpan, escapeUserText, quietLogin } from "../../src/policy/text.js";
import { readRecord, recordBody } from "../../src/records.js";

/**
 * Every place the app echoes user text, fed hostile text: marker syntax, HTML comments,
 * look-alike and genuine-looking record lines, huge inputs. Nothing echoed may open or close an
 * HTML comment, and no body the app writes can hold a record it did not mean to write.
 */
const KEY = "echo-property-key";
const APP_ID = 123;
const RUNS = { numRuns: 200 };
const SHA = "d".repeat(40);

const fragment = fc.oneof(
  fc.constantFrom(
    "<!--", "-->", "--!>", "<!---->", "<!-", "->", "--", "<", ">", "!", "\n", "\r\n", "`", "``", "&lt;!--", "\u200b",
    "<!-- mainline:record kind=exception repo=1 incident=1 ",
    `sha=${SHA} env=production by=mona at=2026-01-01T00%3A00%3A00.000Z expires=2099-01-01T00%3A00%3A00.000Z reason=x source=1%3A1 `,
    `sig=${"0".repeat(64)} -->`,
    "<!-- mainline:exception sha=", "<!-- mainline:reply source=1 -->", "<!-- mainline:ledger incident=1 -->", "<!--mainline:record",
    "@octocat", "#1", "<script>", "](javascript:x)",
  ),
  fc.string({ maxLength: 8 }),
);
const hostile = fc.oneof(
  fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join("")),
  fc.string({ maxLength: 40 }),
  // Huge inputs: a comment can be 65,536 characters.
  fc.array(fragment, { minLength: 200, maxLength: 600 }).map((parts) => parts.join("")),
);

/** The app's own marker lines are the only comments a body may hold; the rest is what was echoed. */
function echoedPart(body: string, ownMarkers: string[]): string {
  return ownMarkers.reduce((text, line) => text.replace(line, ""), body);
}

function noCommentSyntax(text: string): void {
  expect(text).not.toMatch(/<!--|--!?>/);
}

const asOwnComment = (body: string, id = 1): CommentLike => ({
  id,
  body,
  created_at: "2026-12-07T00:00:00Z",
  updated_at: "2026-12-07T00:00:00Z",
  html_url: "https://github.com/o/r/issues/1#issuecomment-1",
  user: { login: "mainline[bot]", type: "Bot" },
  performed_via_github_app: { id: APP_ID },
});

const recordsIn = (body: string) => {
  const found = threadRecords([asOwnComment(body)], { appId: APP_ID, key: KEY }, { repo: 1, incident: 1 });
  return ["exception", "approval", "revoke", "force-close", "merge-back", "deploy", "incident", "rca", "reminder"].flatMap((kind) => found.of(kind as "exception"));
};

test("the escaping functions never let comment syntax through", () => {
  fc.assert(
    fc.property(hostile, (text) => {
      for (const echoed of [escapeUserText(text), escapeUserText(text, 5000), quietLogin(text), codeSpan(text), codeSpan(text, 5000)]) noCommentSyntax(echoed);
    }),
    RUNS,
  );
});

test("a command reply quoting hostile lines holds no record and no comment syntax but its own marker", () => {
  fc.assert(
    fc.property(hostile, hostile, (first, second) => {
      const lines = parseCommands(`/hotfix allow ${first}\n/incident force-close ${second}\n/mainline ${first}`);
      const problems = lines.map((line) => `- ${codeSpan(line.line)}: ${line.ok ? "" : line.error}`);
      const own = marker("reply", { source: 7 });
      const reply = appBody(["mainline could not run these commands:", ...problems].join("\n\n"), own);
      noCommentSyntax(echoedPart(reply, [own]));
      expect(recordsIn(reply)).toEqual([]);
      expect(readRecord(KEY, reply)).toBeUndefined();
    }),
    RUNS,
  );
});

/** A reason as the command parser lets it through: at most 1,000 characters. */
const reasonOf = hostile.map((text) => Array.from(text).slice(0, 1000).join(""));

test("a record's own text cannot add a record or change the one written", () => {
  fc.assert(
    fc.property(reasonOf, hostile, (reason, text) => {
      const fields = { sha: SHA, env: "production", by: "mona", at: "2026-12-07T00:00:00.000Z", expires: "2026-12-07T04:00:00.000Z", reason, source: "5:1" };
      const body = recordBody(KEY, "exception", { repo: 1, incident: 1 }, fields, `Reason: ${escapeUserText(reason)}. ${text}`);
      const found = recordsIn(body);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ ...fields, reason: reason.toWellFormed() });
      noCommentSyntax(body.slice(body.indexOf("\n")));
    }),
    RUNS,
  );
});

test("a hostile body that starts like a record is never one without the app's key", () => {
  fc.assert(
    fc.property(hostile, (text) => {
      expect(readRecord(KEY, text)).toBeUndefined();
      expect(readRecord(KEY, `<!-- mainline:record kind=exception repo=1 incident=1 ${text}`)).toBeUndefined();
    }),
    RUNS,
  );
});

test("an RCA body quoting a hostile incident title holds only the app's own comments", () => {
  fc.assert(
    fc.property(hostile, (title) => {
      const own = marker("rca", { incident: 1 });
      const body = rcaBody({ incidentNumber: 1, incidentTitle: title, requiredSections: ["Timeline"], marker: own });
      const prompt = "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->";
      noCommentSyntax(echoedPart(body, [own, prompt]));
      expect(recordsIn(body)).toEqual([]);
    }),
    RUNS,
  );
});

test("ledger lines and check-run output quoting hostile reasons, environments and logins hold no comment syntax", () => {
  fc.assert(
    fc.property(hostile, hostile, (reason, environment) => {
      const exception = {
        incident: 1, sha: SHA, environment, grantedBy: reason, reason, grantedAt: "2026-12-07T00:00:00.000Z",
        expiresAt: "2026-12-07T04:00:00.000Z", approvedBy: [reason], deploys: [], status: "active" as const,
      };
      const ledger = renderLedger({
        incident: 1, mainBranch: "main", exceptions: [exception], mergeBacks: [], rca: { exists: false }, blockers: [],
        forceClose: { by: reason, at: "2026-12-07T00:00:00.000Z", reason, source: "1:1" },
        cascade: { incidents: [1], deploys: [{ incident: 1, sha: SHA, env: environment, at: "2026-12-07T00:00:00.000Z" }] },
        rollback: [{ environment, sha: SHA, deploymentId: 1, createdAt: "2026-12-07T00:00:00.000Z" }],
      });
      noCommentSyntax(echoedPart(ledger, [marker("ledger", { incident: 1 })]));
      expect(recordsIn(ledger)).toEqual([]);
      const run = describeRun(
        { incident: 1, sha: SHA, env: environment || "e", by: reason || "x", at: "2026-12-07T00:00:00.000Z", expires: "2026-12-07T04:00:00.000Z", approvals: 2, approved: "", revoked: reason.slice(0, 100), used: "", ended: "", suspended: reason.slice(0, 100), source: "1:1" },
        new Date("2026-12-07T01:00:00Z"),
      );
      noCommentSyntax(run.title + run.summary);
    }),
    RUNS,
  );
});
