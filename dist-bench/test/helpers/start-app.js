import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:net";
export const WEBHOOK_SECRET = "test-webhook-secret";
export async function startApp(env, readyPath = "/healthz") {
    const port = await freePort();
    const child = spawn("npm", ["start", "--silent"], {
        cwd: process.cwd(),
        env: { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", ...env },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(`${url}${readyPath}`, child, () => output);
    return {
        url,
        output: () => output,
        async deliver(event, payload, { id = `delivery-${Math.random().toString(16).slice(2)}`, signature } = {}) {
            const body = JSON.stringify(payload);
            const headers = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": id };
            const signed = signature === undefined ? sign(body) : signature;
            if (signed !== null)
                headers["x-hub-signature-256"] = signed;
            return fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
        },
        stop: () => stopProcessGroup(child),
    };
}
export function sign(body, secret = WEBHOOK_SECRET) {
    return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
async function waitUntilServing(url, child, output) {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null)
            throw new Error(`the app exited with ${child.exitCode}:\n${output()}`);
        try {
            const res = await fetch(url);
            if (res.ok)
                return;
        }
        catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    await stopProcessGroup(child);
    throw new Error(`the app did not answer ${url} within 20 s:\n${output()}`);
}
async function stopProcessGroup(child) {
    if (child.exitCode !== null || child.pid === undefined)
        return;
    const exited = new Promise((resolve) => child.once("exit", () => resolve()));
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
}
async function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}
