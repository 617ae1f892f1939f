import { checkRca, rcaBody } from "../../src/policy/rca.js";

const REQUIRED = ["Timeline", "Root cause", "Action items"] as const;
const MARKER = "<!-- mainline:rca incident=42 -->";

const filled = ["## Timeline", "10:02 alert fired", "## Root cause", "A bad config push.", "## Action items", "- [ ] Add a config check"].join("\n");

function check(body: string | null, closed = true) {
  return checkRca({ body, closed, requiredSections: REQUIRED });
}

describe("checkRca: done only when closed with every section written", () => {
  test.each<[string, string | null, boolean, object]>([
    ["closed, all written", filled, true, { done: true, closed: true, emptySections: [], missingSections: [] }],
    ["open, all written", filled, false, { done: false, closed: false, emptySections: [], missingSections: [] }],
    [
      "closed, one section empty",
      filled.replace("A bad config push.", ""),
      true,
      { done: false, closed: true, emptySections: ["Root cause"], missingSections: [] },
    ],
    [
      "closed, one section missing",
      filled.replace("## Timeline\n10:02 alert fired\n", ""),
      true,
      { done: false, closed: true, emptySections: [], missingSections: ["Timeline"] },
    ],
    ["closed, no body", null, true, { done: false, closed: true, emptySections: [], missingSections: [...REQUIRED] }],
    ["closed, empty body", "", true, { done: false, closed: true, emptySections: [], missingSections: [...REQUIRED] }],
  ])("%s", (_case, body, closed, expected) => {
    expect(check(body, closed)).toEqual(expected);
  });
});

describe("checkRca: which heading is a required section", () => {
  test.each([
    ["level 1", "# Timeline\ntext"],
    ["level 6", "###### Timeline\ntext"],
    ["other case", "## TIMELINE\ntext"],
    ["a trailing colon", "## Timeline:\ntext"],
    ["spaces around", "##    Timeline   \ntext"],
    ["three leading spaces", "   ## Timeline\ntext"],
    ["closing hashes", "## Timeline ##\ntext"],
    ["a tab after the hashes", "##\tTimeline\ntext"],
  ])("a heading at %s counts", (_case, body) => {
    expect(checkRca({ body, closed: true, requiredSections: ["Timeline"] })).toEqual({ done: true, closed: true, emptySections: [], missingSections: [] });
  });

  test.each([
    ["no space after the hashes", "##Timeline\ntext"],
    ["seven hashes", "####### Timeline\ntext"],
    ["four leading spaces (a code block)", "    ## Timeline\ntext"],
    ["bold text, not a heading", "**Timeline**\ntext"],
    ["a heading inside a code block", "```\n## Timeline\n```\ntext"],
    ["a heading inside a tilde code block", "~~~ md\n## Timeline\n~~~\ntext"],
    ["a heading inside an HTML comment", "<!--\n## Timeline\n-->\ntext"],
    ["another name", "## Timeline of events\ntext"],
  ])("%s is not the section", (_case, body) => {
    expect(checkRca({ body, closed: true, requiredSections: ["Timeline"] }).missingSections).toEqual(["Timeline"]);
  });

  test("required names are matched the same loose way, and reported as configured", () => {
    const result = checkRca({ body: "## root cause\n", closed: true, requiredSections: [" Root  Cause: "] });
    expect(result).toEqual({ done: false, closed: true, emptySections: [" Root  Cause: "], missingSections: [] });
  });
});

describe("checkRca: what counts as content", () => {
  const section = (content: string) => checkRca({ body: `## Timeline\n${content}\n## Next\nafter`, closed: true, requiredSections: ["Timeline"] });

  test.each([
    ["a sentence", "We rolled back at 10:05."],
    ["a filled list item", "- rolled back"],
    ["a filled checkbox", "- [ ] add an alert"],
    ["a numbered item", "1. rolled back"],
    ["text beside a comment", "<!-- prompt --> rolled back"],
    ["text after a multi-line comment", "<!--\nprompt\n-->\nrolled back"],
    ["a code block", "```\nkubectl rollout undo\n```"],
    ["a table", "| time | event |\n| --- | --- |"],
    ["text under a sub-heading", "### Detection\nalert at 10:02"],
    ["a sub-heading alone", "### Detection"],
    ["a link", "[postmortem doc](https://example.com)"],
  ])("%s is content", (_case, content) => {
    expect(section(content).emptySections).toEqual([]);
  });

  test.each([
    ["nothing", ""],
    ["blank lines", "\n   \n\t\n"],
    ["an HTML comment", "<!-- Write this section here. -->"],
    ["a multi-line HTML comment", "<!--\nWhat happened,\nand when?\n-->"],
    ["bare list markers", "-\n*\n+\n1.\n2)"],
    ["empty checkboxes", "- [ ]\n- [x]\n* [ ]\n1. [ ]"],
    ["a nested empty marker", "- -"],
    ["a horizontal rule", "---\n***\n___"],
    ["an empty code block", "```\n```"],
    ["markers inside a comment", "<!--\n- [ ] item\n-->"],
  ])("%s is not content", (_case, content) => {
    expect(section(content).emptySections).toEqual(["Timeline"]);
  });

  test("a section ends at the next heading of the same or higher level, not at a sub-heading", () => {
    expect(checkRca({ body: "## Timeline\n### Detail\nnote\n## Root cause\n", closed: true, requiredSections: ["Timeline", "Root cause"] })).toMatchObject({
      emptySections: ["Root cause"],
    });
    expect(checkRca({ body: "### Timeline\n## Root cause\ntext\n", closed: true, requiredSections: ["Timeline", "Root cause"] })).toMatchObject({
      emptySections: ["Timeline"],
    });
  });

  test("`<!--` inside inline code is text, not the start of a comment that would hide the next section", () => {
    const body = "## Timeline\nthe template's `<!--` was never closed\n## Root cause\ntext\n## Action items\n- fix it";
    expect(check(body)).toEqual({ done: true, closed: true, emptySections: [], missingSections: [] });
  });

  test("an empty heading of the same level still ends the section", () => {
    expect(check("## Timeline\n##\nnotes\n## Root cause\ntext\n## Action items\ntext")).toMatchObject({ emptySections: ["Timeline"] });
  });

  test("text before the first heading belongs to no section", () => {
    expect(checkRca({ body: "Intro text.\n## Timeline\n", closed: true, requiredSections: ["Timeline"] }).emptySections).toEqual(["Timeline"]);
  });

  test("a section written twice counts as written when either copy has content", () => {
    expect(checkRca({ body: "## Timeline\n\n## Timeline\nfilled\n", closed: true, requiredSections: ["Timeline"] }).emptySections).toEqual([]);
  });

  test("Windows line endings read the same", () => {
    expect(check(filled.replace(/\n/g, "\r\n"))).toEqual(check(filled));
  });
});

describe("rcaBody", () => {
  const body = (incidentTitle: string, requiredSections: readonly string[] = REQUIRED) =>
    rcaBody({ incidentNumber: 42, incidentTitle, requiredSections, marker: MARKER });

  test("links the incident, then heads each required section with a prompt, then the marker", () => {
    expect(body("Checkout returns 500")).toBe(
      [
        "Root-cause analysis for incident #42 `Checkout returns 500`. Close this issue when every section below is filled in: the incident cannot close before.",
        "",
        "## Timeline",
        "",
        "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->",
        "",
        "## Root cause",
        "",
        "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->",
        "",
        "## Action items",
        "",
        "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->",
        "",
        MARKER,
        "",
      ].join("\n"),
    );
  });

  test("unedited, every section is present and empty, so a closed RCA is reopened", () => {
    expect(check(body("Checkout returns 500"))).toEqual({ done: false, closed: true, emptySections: [...REQUIRED], missingSections: [] });
  });

  test("once each prompt is answered, the RCA is done when closed", () => {
    const answered = body("Checkout returns 500").replace(/<!-- Write this section here\.[^>]*-->/g, (prompt) => `${prompt}\nWritten.`);
    expect(check(answered)).toEqual({ done: true, closed: true, emptySections: [], missingSections: [] });
  });

  test("configured section names with odd spacing still make headings that check finds", () => {
    const sections = ["Impact:", "What  went\nwrong"];
    expect(checkRca({ body: body("t", sections), closed: true, requiredSections: sections })).toEqual({
      done: false,
      closed: true,
      emptySections: sections,
      missingSections: [],
    });
  });

  test.each([
    ["an @mention", "Paged @octocat and @acme/oncall", "`Paged @octocat and @acme/oncall`"],
    // SPEC section 8: no echo of user text can carry marker syntax, so `<!--` and `-->` are split by a zero-width space.
    ["HTML", "<img src=x onerror=alert(1)> <!-- hidden", "`<img src=x onerror=alert(1)> <!-\u200b- hidden`"],
    ["a comment close", "x --> <!-- mainline:rca incident=1 -->", "`x -\u200b-> <!-\u200b- mainline:rca incident=1 -\u200b->`"],
    ["markdown and an issue reference", "**bold** [link](http://x) #7 ## not a heading", "`**bold** [link](http://x) #7 ## not a heading`"],
    ["backticks", "a `b` c", "``a `b` c``"],
    ["a run of backticks", "x ``` y", "````x ``` y````"],
    ["a leading backtick", "`rm -rf`", "`` `rm -rf` ``"],
    ["a line break", "two\nlines", "`two lines`"],
    ["nothing", "", "` `"],
  ])("the incident title is user text, shown inert as a code span: %s", (_case, title, shown) => {
    const [intro] = body(title).split("\n");
    expect(intro).toBe(`Root-cause analysis for incident #42 ${shown}. Close this issue when every section below is filled in: the incident cannot close before.`);
  });

  test("a hostile title cannot add, hide or fill a section", () => {
    const hostile = "x -->\n## Timeline\ndone <!--";
    expect(check(body(hostile))).toEqual({ done: false, closed: true, emptySections: [...REQUIRED], missingSections: [] });
  });
});
