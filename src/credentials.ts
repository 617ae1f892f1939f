import { createPrivateKey } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Probot } from "probot";

/**
 * What the environment says about the app's credentials, read before Probot sees them: Probot
 * falls back to its setup page whenever APP_ID or the private key is missing *or unreadable*,
 * so a malformed key would quietly turn a production replica into a registration form.
 *
 * - `none`: no APP_ID and no key anywhere: Probot's setup page is what the user wants.
 * - `invalid`: some credential is given but cannot work: start-up stops with `message`.
 * - `given`: an APP_ID and a key that parses; GitHub still has to accept them (verifyCredentials).
 */
export type Credentials = { kind: "none" } | { kind: "invalid"; message: string } | { kind: "given"; appId: number };

/** Probot's own instruction for a key or id that GitHub refuses (probot/lib/helpers/get-error-handler.js). */
export const PROBOT_CREDENTIALS_HELP =
  "Your private key (a .pem file or PRIVATE_KEY environment variable) or APP_ID is incorrect. Go to https://github.com/settings/apps/YOUR_APP, verify that APP_ID is set correctly, and generate a new PEM file if necessary.";

const PEM = /-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]*-----END (RSA )?PRIVATE KEY-----/;

/** Reads the key where Probot looks for it (@probot/get-private-key): PRIVATE_KEY, then PRIVATE_KEY_PATH, then one *.pem file in `cwd`. */
export function readCredentials(env: NodeJS.ProcessEnv, cwd = process.cwd()): Credentials {
  const appIdText = env.APP_ID?.trim() ?? "";
  const source = keySource(env, cwd);
  if (!appIdText && source.kind === "none") return { kind: "none" };
  if (!/^[1-9]\d*$/.test(appIdText)) {
    return invalid(appIdText ? `APP_ID must be the app's numeric id, got ${JSON.stringify(appIdText.slice(0, 40))}.` : "APP_ID is not set, but a private key is.");
  }
  if (source.kind === "none") return invalid("APP_ID is set, but no private key is: set PRIVATE_KEY or PRIVATE_KEY_PATH.");
  if (source.kind === "unreadable") return invalid(source.why);
  try {
    // Never echo the key: the message names only where it came from.
    if (!PEM.test(source.text) || createPrivateKey(source.text).type !== "private") throw new Error("not a private key");
  } catch {
    return invalid(`${source.from} is not a private key in PEM format (-----BEGIN RSA PRIVATE KEY----- … -----END RSA PRIVATE KEY-----); copy the whole .pem file GitHub generated.`);
  }
  return { kind: "given", appId: Number(appIdText) };
}

type KeySource = { kind: "none" } | { kind: "unreadable"; why: string } | { kind: "text"; text: string; from: string };

function keySource(env: NodeJS.ProcessEnv, cwd: string): KeySource {
  if (env.PRIVATE_KEY) return { kind: "text", text: normalised(env.PRIVATE_KEY), from: "PRIVATE_KEY" };
  if (env.PRIVATE_KEY_PATH) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH);
    if (!existsSync(path)) return { kind: "unreadable", why: `PRIVATE_KEY_PATH names ${JSON.stringify(env.PRIVATE_KEY_PATH)}, which does not exist.` };
    return { kind: "text", text: readFileSync(path, "utf8"), from: `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})` };
  }
  const pemFiles = readdirSync(cwd).filter((name) => name.endsWith(".pem"));
  if (pemFiles.length > 1) return { kind: "unreadable", why: `more than one .pem file in ${cwd} (${pemFiles.join(", ")}): set PRIVATE_KEY_PATH to the app's key.` };
  if (pemFiles[0]) return { kind: "text", text: readFileSync(resolve(cwd, pemFiles[0]), "utf8"), from: pemFiles[0] };
  return { kind: "none" };
}

/** The forms Probot accepts in PRIVATE_KEY: base64 of the file, `\n` escapes, or the PEM on one line. */
function normalised(value: string): string {
  let key = Buffer.from(value, "base64").toString("base64") === value ? Buffer.from(value, "base64").toString() : value;
  if (key.includes("\\n")) key = key.replace(/\\n/g, "\n");
  if (!key.includes("\n")) key = key.replace(/(-----BEGIN [A-Z ]+-----)\s*([\s\S]*?)\s*(-----END [A-Z ]+-----)/, (_m, begin: string, body: string, end: string) => `${begin}\n${body.replace(/\s+/g, "\n")}\n${end}`);
  return key;
}

function invalid(problem: string): Credentials {
  return { kind: "invalid", message: `mainline cannot start: ${problem} ${PROBOT_CREDENTIALS_HELP}` };
}

/** Thrown when GitHub refuses the app's JWT: start-up stops rather than serve an app that cannot act. */
export class CredentialsRefused extends Error {}

/** Where GitHub stands, as last asked. */
export type GitHubCheck = { reachable: boolean; checkedAt: string; status?: number; error?: string };

/**
 * `GET /app` with the app's JWT: 200 proves APP_ID and the key belong together. GitHub refusing
 * them (401, 403, 404) throws CredentialsRefused; a GitHub that cannot be reached is reported
 * (the replica starts, not ready, and readiness keeps asking).
 */
export async function verifyCredentials(probot: Probot, timeoutMs = 10_000): Promise<GitHubCheck> {
  const checkedAt = () => new Date().toISOString();
  let status: number | undefined;
  let message: string;
  try {
    const app = await probot.auth();
    // Straight out, not through the client: its throttling queues behind Redis (REDIS_URL), which may be down.
    const { token } = (await app.auth({ type: "app" })) as { token: string };
    const res = await fetch(`${app.request.endpoint.DEFAULTS.baseUrl}/app`, {
      headers: { authorization: `bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "mainline", "x-github-api-version": "2022-11-28" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok) return { reachable: true, checkedAt: checkedAt(), status: res.status };
    status = res.status;
    message = ((await res.json().catch(() => ({}))) as { message?: string }).message ?? res.statusText;
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
    // Signing the JWT is what fails first on a key Node cannot use.
    if (/pem|decoder|private key|asn1/i.test(message)) throw new CredentialsRefused(`mainline cannot start: the private key cannot sign the app's JWT (${message}). ${PROBOT_CREDENTIALS_HELP}`);
  }
  if (status === 401 || status === 403 || status === 404) {
    throw new CredentialsRefused(`mainline cannot start: GitHub refused the app's credentials (GET /app: ${status} ${message}). ${PROBOT_CREDENTIALS_HELP}`);
  }
  return { reachable: false, checkedAt: checkedAt(), ...(status ? { status } : {}), error: message };
}
