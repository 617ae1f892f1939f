import { GitHubTestServer, type Repository } from "../test/helpers/github-server.js";
import { PUBLIC_KEY } from "../test/helpers/keys.js";

/**
 * The repository the demo plays in, on the loopback GitHub test server: main with two commits,
 * and a hotfix branch whose commit is not on main. No `.github/mainline.yml`: the defaults
 * (production gated, maintainers grant exceptions, RCA sections Timeline / Root cause / Action items).
 */
export const OWNER = "acme";
export const NAME = "shop";

const sha = (c: string) => c.repeat(40);
export const MAIN_HEAD = sha("b");
export const HOTFIX = sha("1");
export const CHERRY_PICK = sha("c");

export const HOTFIX_PATCH = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";

/** Who acts in the story, with the role GitHub gives them in the repository. */
export const PEOPLE = { alice: "maintain", bob: "write" } as const;
export type Person = keyof typeof PEOPLE;

export type Scene = { github: GitHubTestServer; repo: Repository };

export async function startScene(): Promise<Scene> {
  // With the app's public key, the server checks the app's JWTs as GitHub does.
  const github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  const repo = github.addRepo(OWNER, NAME, "main");
  const root = github.commit(repo, sha("a"), null, "main", "Initial commit");
  github.commit(repo, MAIN_HEAD, root, "main", "Checkout page");
  github.commit(repo, HOTFIX, MAIN_HEAD, "hotfix/payments", "Retry charges", HOTFIX_PATCH);
  for (const [login, role] of Object.entries(PEOPLE)) github.setRole(repo, login, role);
  return { github, repo };
}
