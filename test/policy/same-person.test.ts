import { samePerson, type Person } from "../../src/policy/same-person.js";

describe("samePerson: one person, whatever their login is now", () => {
  test.each<[string, Person, Person, boolean]>([
    // case, one mention, the other, same person?
    ["same login, same account", { login: "alice", account: 501 }, { login: "alice", account: 501 }, true],
    ["the account renamed since: same account, other login", { login: "alice", account: 501 }, { login: "alice-renamed", account: 501 }, true],
    ["someone who claimed the freed login: same login, other account", { login: "alice", account: 501 }, { login: "alice", account: 999 }, false],
    ["other login, other account", { login: "alice", account: 501 }, { login: "bob", account: 502 }, false],
    // A record written before accounts were recorded: the logins are all there is.
    ["no account on one side, same login", { login: "alice" }, { login: "alice", account: 501 }, true],
    ["no account on the other side, same login", { login: "alice", account: 501 }, { login: "alice" }, true],
    ["no account on one side, other login", { login: "alice" }, { login: "alice-renamed", account: 501 }, false],
    ["no account on either side, same login", { login: "alice" }, { login: "alice" }, true],
    ["no account on either side, the login in another case", { login: "Alice" }, { login: "alice" }, true],
    ["no account on either side, other login", { login: "alice" }, { login: "bob" }, false],
    ["an account that is undefined counts as none", { login: "alice", account: undefined }, { login: "alice", account: 999 }, true],
  ])("%s → %s", (_case, a, b, expected) => {
    expect(samePerson(a, b)).toBe(expected);
    expect(samePerson(b, a)).toBe(expected);
  });
});
