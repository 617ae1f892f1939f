import { PRIVATE_KEY } from "./keys.js";
import { WEBHOOK_SECRET } from "./start-app.js";
import { INSTALLATION_TOKEN } from "./github-server.js";

const SLICE = 40;
const keyBody = PRIVATE_KEY.replace(/-----[^-]+-----/g, "").replace(/\s/g, "");
const keySlices = new Set(Array.from({ length: keyBody.length - SLICE + 1 }, (_, i) => keyBody.slice(i, i + SLICE)));

/**
 * Which of the app's secrets appear in `text` (a log): the webhook secret, the installation token,
 * or any 40 characters of the private key's base64 body, so a key logged in part, re-wrapped or
 * with its newlines escaped is still found.
 */
export function secretsIn(text: string): string[] {
  const found = [WEBHOOK_SECRET, INSTALLATION_TOKEN].filter((secret) => text.includes(secret)).map((secret) => JSON.stringify(secret));
  if (leaksKey(text)) found.push("the private key");
  return found;
}

/** A pass over the text's runs of base64 characters; only runs long enough are searched (logs can be many MB). */
function leaksKey(text: string): boolean {
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && isBase64(text.charCodeAt(i))) continue;
    for (let at = start; at + SLICE <= i; at++) if (keySlices.has(text.slice(at, at + SLICE))) return true;
    start = i + 1;
  }
  return false;
}

function isBase64(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 47;
}
