import { GitHubTestServer } from "../test/helpers/github-server.js";
import { PRIVATE_KEY, PUBLIC_KEY } from "../test/helpers/keys.js";
import { startApp, WEBHOOK_SECRET } from "../test/helpers/start-app.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import { execSync } from "node:child_process";
const github = new GitHubTestServer(PUBLIC_KEY);
await github.start();
const repo = github.addRepo("bench", "gates", "main");
github.commit(repo, "a".repeat(40), null, "main");
const t0 = Date.now();
const app = await startApp({ APP_ID: "123", PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST: github.host, GHE_PROTOCOL: "http", LOG_LEVEL: "warn" });
console.log("started in", Date.now() - t0);
console.log(execSync("ps -eo pid,pgid,rss,args | grep -v grep | grep -E 'probot|npm'").toString());
const hooks = storyWebhooks(github, repo);
for (let i = 0; i < 3; i++) {
    const [e, p] = hooks.protectionRule("a".repeat(40), "production", 100 + i, "bob");
    const s = Date.now();
    const r = await app.deliver(e, p);
    console.log(r.status, Date.now() - s);
}
console.log(github.calls().join("\n"), github.problems);
await app.stop();
await github.stop();
