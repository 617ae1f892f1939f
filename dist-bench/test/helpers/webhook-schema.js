import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
/** Validates a webhook payload against GitHub's published schema for that event and action. */
const require = createRequire(import.meta.url);
const schema = require("@octokit/webhooks-schemas/schema.json");
const addFormats = addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
const compiled = new Map();
export function payloadProblems(event, payload) {
    const action = payload.action;
    // Events without actions are defined as `<event>$event` (push) or `<event>_event`.
    const name = [`${event}$${String(action)}`, `${event}$event`, `${event}_event`].find((n) => schema.definitions[n]);
    if (!name)
        return [`no webhook schema for ${event}${action ? `.${String(action)}` : ""}`];
    let validate = compiled.get(name);
    if (!validate) {
        // The definition itself, with the shared definitions beside it: Ajv compiles only what it reaches.
        validate = ajv.compile({ ...schema.definitions[name], definitions: schema.definitions });
        compiled.set(name, validate);
    }
    if (validate(payload))
        return [];
    return (validate.errors ?? []).map((e) => `${event}: payload${e.instancePath} ${e.message ?? "is invalid"}`);
}
