import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { jsonSchemaOf } from "../openapi.js";

/**
 * Checks what the test server answers against GitHub's own descriptions: REST responses
 * against the OpenAPI description, objects meant for webhook payloads against the webhook schema.
 */
const require = createRequire(import.meta.url);
const spec = require("@octokit/openapi/generated/api.github.com.json");
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
(addFormatsModule as unknown as (ajv: Ajv) => void)(ajv);
const validators = new Map<string, ValidateFunction>();

/** A schema with the components it reaches as its own definitions: converting all of them would cost more than the tests. */
function selfContained(schema: unknown): object {
  const definitions: Record<string, unknown> = {};
  const collect = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const ref = (node as { $ref?: string }).$ref?.replace("#/components/schemas/", "");
    if (ref !== undefined && !(ref in definitions)) {
      definitions[ref] = jsonSchemaOf(spec.components.schemas[ref]);
      collect(spec.components.schemas[ref]);
    }
    Object.values(node).forEach(collect);
  };
  collect(schema);
  return JSON.parse(JSON.stringify({ ...(jsonSchemaOf(schema) as object), definitions }).replaceAll('"#/components/schemas/', '"#/definitions/'));
}

/** Problems with `data` as the response `status` of `route` ("GET /repos/{owner}/{repo}/issues"), per GitHub's description. */
export function shapeProblems(route: string, status: number, data: unknown): string[] {
  let validate = validators.get(`${route} ${status}`);
  if (!validate) {
    const [method, template] = route.split(" ");
    validate = ajv.compile(selfContained(spec.paths[template!][method!.toLowerCase()].responses[String(status)].content["application/json"].schema));
    validators.set(`${route} ${status}`, validate);
  }
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${route} ${status}: ${e.instancePath} ${e.message}`);
}

const webhookSchema = require("@octokit/webhooks-schemas/schema.json") as { definitions: Record<string, object> };
const webhooks = new Ajv({ strict: false, allErrors: true, logger: false });
(addFormatsModule as unknown as (ajv: Ajv) => void)(webhooks);
const webhookValidators = new Map<string, ValidateFunction>();

/** Problems with `data` as the object GitHub's webhook schema calls `definition` ("issue", "issue-comment", "push$event"). */
export function webhookShapeProblems(definition: string, data: unknown): string[] {
  let validate = webhookValidators.get(definition);
  if (!validate) {
    // Compiled with the definitions inline: through a $ref to the whole file Ajv takes seconds.
    const { $schema: _draft, ...schema } = webhookSchema.definitions[definition] as Record<string, unknown>;
    validate = webhooks.compile({ ...schema, definitions: webhookSchema.definitions });
    webhookValidators.set(definition, validate);
  }
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${definition}: ${e.instancePath} ${e.message}`);
}

