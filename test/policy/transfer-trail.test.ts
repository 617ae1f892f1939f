import { keptRecordText, transferTrailText, transferTrailTitle } from "../../src/policy/transfer-trail.js";

const S = "1".repeat(40);
const AT = "2026-11-12T10:00:00.000Z";
const to = { repository: "Codertocat/elsewhere", number: 3, url: "https://github.com/Codertocat/elsewhere/issues/3" };

test("the title names the incident, whichever issue moved", () => {
  expect(transferTrailTitle(12)).toBe("Incident #12 left this repository");
});

test.each([
  ["let through, never reported", { sha: S, env: "production", deployment: 9, at: AT, reached: false }, "- `1111111` to production, deployment 9: let through at 2026-11-12T10:00:00.000Z (no success reported)"],
  ["reached", { sha: S, env: "production", deployment: 9, at: AT, reached: true }, "- `1111111` to production, deployment 9: reached it at 2026-11-12T10:00:00.000Z"],
  ["on main, past its promotion rule", { sha: S, env: "production", deployment: 9, at: AT, reached: true, skipped: "staging" }, "- `1111111` to production, skipping staging, deployment 9: reached it at 2026-11-12T10:00:00.000Z"],
  ["an environment name is user text", { sha: S, env: "prod <!-- x --> @team", deployment: 9, at: AT, reached: false }, "- `1111111` to prod &lt;!-- x --&gt; @\u200bteam, deployment 9:"],
])("a deploy listed: %s", (_case, deploy, line) => {
  expect(transferTrailText({ incident: 12, moved: 12, by: "bob", to, deploys: [deploy] })).toContain(`\n\n${line}`);
});

test("an issue that kept the deploys, moved in turn, says so", () => {
  expect(transferTrailText({ incident: 12, moved: 20, by: "bob", to, deploys: [] })).toMatch(/^#20, which kept the exception deploys of incident #12 here, left this repository: \*\*bob\*\* transferred it to \[Codertocat\/elsewhere\\#3\]/);
});

test("each record written again says what it records and why it is here", () => {
  const fields = { sha: S, env: "production", deployment: 9, at: AT };
  expect(keptRecordText("deployed", fields, 12, 12)).toBe(
    "🚀 `1111111` reached production at 2026-11-12T10:00:00.000Z under an exception in incident #12 (deployment 9): its record, written here again when #12 left this repository.",
  );
});
