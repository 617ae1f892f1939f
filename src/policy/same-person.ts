/**
 * A person as an event or a record names them: the login they had then, and GitHub's numeric id
 * of their account (absent in records written before it was recorded).
 */
export type Person = { login: string; account?: number | undefined };

/**
 * Whether two mentions are the same person, wherever "a person other than X" decides something
 * (a second approval, a post-merge review). A login is not a person: its owner can rename the
 * account at any time and someone else may then claim the old login. The account id never
 * changes, so it decides when both mentions carry one; otherwise the logins, in any case (GitHub
 * treats `Alice` and `alice` as one login).
 */
export function samePerson(a: Person, b: Person): boolean {
  if (a.account !== undefined && b.account !== undefined) return a.account === b.account;
  return a.login.toLowerCase() === b.login.toLowerCase();
}
