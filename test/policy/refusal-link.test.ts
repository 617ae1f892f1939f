import type { GateOutcome } from "../../src/policy/gate.js";
import { refusalLink } from "../../src/policy/refusal-link.js";

const REPO = "https://github.com/acme/shop";
const SHA = "a".repeat(40);

describe("refusalLink: where a refused deployment's status explains itself", () => {
  test.each<[GateOutcome, string, string]>([
    // outcome, main branch, link
    ["off-main", "main", `${REPO}/compare/main...${SHA}`],
    ["not-comparable", "main", `${REPO}/compare/main...${SHA}`],
    ["unverifiable", "main", `${REPO}/compare/main...${SHA}`],
    ["off-main", "release/v2", `${REPO}/compare/release%2Fv2...${SHA}`],
    ["not-soaked", "main", `${REPO}/deployments`],
    ["never-reached", "main", `${REPO}/deployments`],
    ["failed-after-success", "main", `${REPO}/deployments`],
    ["promotion-unverifiable", "main", `${REPO}/deployments`],
  ])("%s on %s → %s", (outcome, mainBranch, link) => {
    expect(refusalLink(REPO, mainBranch, SHA, outcome)).toBe(link);
  });
});
