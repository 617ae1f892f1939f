import { codeSpan, escapeUserText, quietLogin, shortSha } from "../../src/policy/text.js";

const ZWSP = "\u200b";
/** A UTF-16 surrogate without its partner: GitHub shows it as a broken character. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("escapeUserText: user text echoed in a comment renders as the text it is", () => {
  test.each([
    ["plain text", "checkout is down", "checkout is down"],
    ["HTML tags", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    ["an HTML comment that would hide the rest", "<!-- hidden", "&lt;!-- hidden"],
    ["an ampersand", "R&D", "R&amp;D"],
    ["an entity stays literal", "&lt;b&gt;", "&amp;lt;b&amp;gt;"],
    ["a mention", "@octocat look", `@${ZWSP}octocat look`],
    ["a team mention", "cc @acme/oncall", `cc @${ZWSP}acme/oncall`],
    ["every @", "@a @b", `@${ZWSP}a @${ZWSP}b`],
    ["an issue reference", "see #12", "see \\#12"],
    ["a heading", "# Pwned", "\\# Pwned"],
    ["emphasis", "*bold* _it_ ~~gone~~", "\\*bold\\* \\_it\\_ \\~\\~gone\\~\\~"],
    ["a backtick", "run `rm -rf`", "run \\`rm -rf\\`"],
    ["a link", "[click](https://evil.example)", "\\[click\\](https://evil.example)"],
    ["table pipes", "a | b | c", "a \\| b \\| c"],
    ["a backslash, so an escape cannot be undone", "\\|", "\\\\\\|"],
    ["a newline", "line one\nline two", "line one line two"],
    ["CRLF and blank lines", "one\r\ntwo\n\n\nthree\rfour", "one two three four"],
    ["a forged table row", "x\n| a | b |", "x \\| a \\| b \\|"],
    ["unicode", "Zürich 🚀 down", "Zürich 🚀 down"],
    ["empty", "", ""],
  ])("%s", (_case, input, expected) => {
    expect(escapeUserText(input)).toBe(expected);
  });

  test.each([
    ["exactly the limit: kept whole", "x".repeat(300), undefined, "x".repeat(300)],
    ["one over the limit: clipped with an ellipsis", "x".repeat(301), undefined, `${"x".repeat(299)}…`],
    ["a custom limit", "abcdefghijk", 10, "abcdefghi…"],
    ["clipped before escaping, so no escape is cut in half", "<".repeat(12), 10, `${"&lt;".repeat(9)}…`],
  ])("%s", (_case, input, max, expected) => {
    expect(escapeUserText(input, max)).toBe(expected);
  });

  test("clipping never splits an emoji into a broken character", () => {
    const clipped = escapeUserText(`${"x".repeat(298)}🚀 and more`);
    expect(clipped).not.toMatch(LONE_SURROGATE);
  });
});

describe("codeSpan: user text shown verbatim as inline code", () => {
  test.each([
    ["plain text", "/hotfix allow abc", "`/hotfix allow abc`"],
    ["HTML and mentions stay literal inside code", "<b>@octocat</b> #12", "`<b>@octocat</b> #12`"],
    ["a backtick cannot close the span", "a`b", "`a'b`"],
    ["a fence cannot open a block", "```js", "`'''js`"],
    ["newlines become spaces", "one\ntwo\r\nthree\n\nfour", "`one two three four`"],
  ])("%s", (_case, input, expected) => {
    expect(codeSpan(input)).toBe(expected);
  });

  test.each([
    ["exactly the limit", "x".repeat(200), undefined, `\`${"x".repeat(200)}\``],
    ["one over the limit", "x".repeat(201), undefined, `\`${"x".repeat(199)}…\``],
    ["a custom limit", "abcdefgh", 5, "`abcd…`"],
    ["counted after newlines are flattened", "ab\r\ncd", 5, "`ab cd`"],
  ])("%s", (_case, input, max, expected) => {
    expect(codeSpan(input, max)).toBe(expected);
  });

  test("clipping never splits an emoji into a broken character", () => {
    expect(codeSpan(`${"x".repeat(198)}🚀 and more`)).not.toMatch(LONE_SURROGATE);
  });
});

describe("quietLogin: a login in bold that notifies nobody", () => {
  test.each([
    ["octocat", "**octocat**"],
    ["Mona-Lisa", "**Mona-Lisa**"],
    ["dependabot[bot]", "**dependabot\\[bot\\]**"],
    ["snake_case", "**snake\\_case**"],
    ["@octocat", `**@${ZWSP}octocat**`],
    ["x".repeat(101), `**${"x".repeat(99)}…**`],
  ])("%s → %s", (login, expected) => {
    expect(quietLogin(login)).toBe(expected);
  });
});

describe("shortSha", () => {
  test.each([
    ["a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "a1b2c3d"],
    ["a1b2c3d", "a1b2c3d"],
    ["abc", "abc"],
  ])("%s → %s", (sha, expected) => {
    expect(shortSha(sha)).toBe(expected);
  });
});
