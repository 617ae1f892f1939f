import { keptRecordText, transferTrailText, transferTrailTitle, unreadRecordText, unreadTrailText, unreadTrailTitle } from "../../src/policy/transfer-trail.js";

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
  expect(transferTrailText({ incident: 12, moved: 12, by: "bob", to, deploys: [deploy], unread: [] })).toContain(`\n\n${line}`);
});

test("an issue that kept the deploys, moved in turn, says so", () => {
  expect(transferTrailText({ incident: 12, moved: 20, by: "bob", to, deploys: [], unread: [] })).toMatch(/^#20, which kept the exception deploys of incident #12 here, left this repository: \*\*bob\*\* transferred it to \[Codertocat\/elsewhere\\#3\]/);
});

test("each record written again says what it records and why it is here", () => {
  const fields = { sha: S, env: "production", deployment: 9, at: AT };
  expect(keptRecordText("deployed", fields, 12, 12)).toBe(
    "🚀 `1111111` reached production at 2026-11-12T10:00:00.000Z under an exception in incident #12 (deployment 9): its record, written here again when #12 left this repository.",
  );
});

describe("an issue that left where mainline could not read it", () => {
  const left = { moved: 12, by: "bob", to: "Codertocat/secret", at: AT, read: "none" as const };
  const secret = { repository: "Codertocat/secret", number: 3, url: "https://github.com/Codertocat/secret/issues/3" };

  test("its issue names the number, not an incident (it may have been none)", () => {
    expect(unreadTrailTitle(12)).toBe("Issue #12 left this repository unread");
  });

  test("the issue says what left, that labels cannot tell it was no incident, and what the budget does meanwhile", () => {
    expect(unreadTrailText({ moved: 12, by: "bob", to: secret, read: "none" })).toBe(
      "#12 left this repository: **bob** transferred it to [Codertocat/secret\\#3](https://github.com/Codertocat/secret/issues/3), " +
        "a repository mainline cannot read (its app is not installed on it), so mainline could not see what it held.\n\n" +
        "It may have been an incident, or an issue keeping one's exception deploys here, and taken its deploy records along. Labels are views: mainline cannot know it was not, " +
        "so any issue that leaves this way counts. For `hotfix.budget.days` from now, mainline cannot tell that the hotfix budget (`hotfix.budget`) is not spent, " +
        "and every new exception needs a second person's `/hotfix approve`. The record below says so.\n\n" +
        "Close this issue whenever you like: open or closed, the record below counts.",
    );
    expect(unreadTrailText({ moved: 12, by: "bob", to: secret, read: "part" })).toMatch(/^#12 left this repository: \*\*bob\*\* transferred it to \[.*\)\. It held more comments than mainline reads, so mainline could not see all of it\.\n\n/);
  });

  test("its record's text, and the same written again after the issue keeping it left", () => {
    expect(unreadRecordText(left)).toBe(
      "⚠️ #12 left this repository unread: **bob** transferred it to Codertocat/secret (a repository mainline cannot read), mainline heard of it at 2026-11-12T10:00:00.000Z. " +
        "It may have held exception deploys: until `hotfix.budget.days` after that, the hotfix budget counts as not verified.",
    );
    expect(unreadRecordText({ ...left, read: "part" }, 20)).toMatch(/\(more comments than mainline reads\).* Its record, written here again when #20 left this repository\.$/);
  });

  test("the issue keeping that record, moved in turn, says so and lists it", () => {
    const text = transferTrailText({ incident: 12, moved: 20, by: "bob", to, deploys: [], unread: [left] });
    expect(text).toMatch(/^#20, which kept mainline's record that #12 left unread here, left this repository: \*\*bob\*\* transferred it to \[Codertocat\/elsewhere\\#3\]/);
    expect(text).not.toContain("exception deploys happened here");
    expect(text).toContain("\n\n- #12, transferred to Codertocat/secret by **bob**; mainline heard of it at 2026-11-12T10:00:00.000Z: a repository mainline cannot read\n\n");
  });
});
