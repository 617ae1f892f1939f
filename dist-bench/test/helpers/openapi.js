import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
/**
 * Checks a request against GitHub's own REST description (@octokit/openapi, api.github.com),
 * so a test cannot pass with a request real GitHub would reject: unknown route or method,
 * undeclared query parameter, or a body that breaks the operation's schema.
 */
const require = createRequire(import.meta.url);
const spec = require("@octokit/openapi/generated/api.github.com.json");
const addFormats = addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
ajv.addSchema({ $id: "gh", components: spec.components });
/** OpenAPI 3.0's `nullable: true` as JSON Schema: Ajv refuses it beside no `type`, as in the issue create and update bodies. */
function jsonSchemaOf(node) {
    if (Array.isArray(node))
        return node.map(jsonSchemaOf);
    if (typeof node !== "object" || node === null)
        return node;
    const { nullable, ...rest } = node;
    const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, jsonSchemaOf(value)]));
    return nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
}
const routes = Object.entries(spec.paths)
    .flatMap(([template, methods]) => Object.entries(methods)
    .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
    .map(([method, operation]) => ({ template, method: method.toUpperCase(), operation, pattern: templateToRegExp(template, operation) })))
    // Literal segments win over parameters: /repos/{o}/{r}/issues/comments before /issues/{number}.
    .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
function templateToRegExp(template, operation) {
    const multi = new Set(resolveParameters(operation).filter((p) => p["x-multi-segment"]).map((p) => p.name));
    const body = template.replace(/[.]/g, "\\.").replace(/\{([^}]+)\}/g, (_m, name) => (multi.has(name) ? "(.+)" : "([^/]+)"));
    return new RegExp(`^${body}$`);
}
function resolveParameters(operation) {
    return (operation.parameters ?? []).map((p) => (p.$ref ? spec.components.parameters[p.$ref.split("/").pop()] : p));
}
/** GitHub limits that its description states only in prose; checked here so tests see them too. */
const proseLimits = [
    { operationId: "repos/create-deployment-status", field: "description", max: 140 },
    { operationId: "issues/create-comment", field: "body", max: 65536 },
    { operationId: "issues/update-comment", field: "body", max: 65536 },
    { operationId: "issues/create", field: "body", max: 65536 },
];
const compiled = new Map();
/** Returns the reasons GitHub would reject the request; empty when it is valid. The path may carry an /api/v3 prefix and a query. */
export function checkRequest({ method, path, body }) {
    const url = new URL(path, "http://x");
    const pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const route = routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(pathname));
    if (!route)
        return [`${method} ${pathname}: no such operation in GitHub's REST API`];
    const where = `${method} ${route.template} (${route.operation.operationId})`;
    const problems = [];
    const declared = new Map(resolveParameters(route.operation).filter((p) => p.in === "query").map((p) => [p.name, p]));
    for (const [name, value] of url.searchParams) {
        const param = declared.get(name);
        if (!param)
            problems.push(`${where}: undeclared query parameter ${name}`);
        else if (param.schema?.type === "integer" && !/^\d+$/.test(value))
            problems.push(`${where}: query ${name} must be an integer, got ${value}`);
        else if (param.schema?.enum && !param.schema.enum.includes(value))
            problems.push(`${where}: query ${name} must be one of ${param.schema.enum.join(", ")}`);
    }
    const hasBody = body !== undefined && body !== "" && body !== null;
    const schema = route.operation.requestBody?.content["application/json"]?.schema;
    if (!hasBody) {
        if (route.operation.requestBody?.required)
            problems.push(`${where}: a request body is required`);
        return problems;
    }
    if (!schema)
        return [...problems, `${where}: takes no JSON body`];
    const validate = compiledFor(route.operation.operationId, schema);
    const parsed = typeof body === "string" ? JSON.parse(body) : body;
    if (!validate(parsed)) {
        problems.push(...(validate.errors ?? []).map((e) => `${where}: body${e.instancePath} ${e.message ?? "is invalid"}`));
    }
    for (const limit of proseLimits.filter((l) => l.operationId === route.operation.operationId)) {
        const value = parsed[limit.field];
        if (typeof value === "string" && [...value].length > limit.max)
            problems.push(`${where}: ${limit.field} longer than ${limit.max} characters`);
    }
    return problems;
}
function compiledFor(operationId, schema) {
    let validate = compiled.get(operationId);
    if (!validate) {
        const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"gh#/components/'));
        validate = ajv.compile(jsonSchemaOf(rebased));
        compiled.set(operationId, validate);
    }
    return validate;
}
