/** Repository roles from least to most; custom roles fall back to the base permission GitHub reports. */
const ORDER = ["read", "triage", "write", "maintain", "admin"] as const;
export type Role = (typeof ORDER)[number];

/** The effective role from GitHub's permission answer (`role_name` tells maintain and triage apart). */
export function effectiveRole(roleName: string | undefined, permission: string | undefined): Role | "none" {
  const named = ORDER.find((role) => role === roleName);
  if (named) return named;
  const base = ORDER.find((role) => role === permission);
  return base ?? "none";
}

export function hasRole(actual: Role | "none", required: Role): boolean {
  return actual !== "none" && ORDER.indexOf(actual) >= ORDER.indexOf(required);
}
