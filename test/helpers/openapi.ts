import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import { buildClientSchema, getVariableValues, parse, validate as validateDocument, type GraphQLSchema, type IntrospectionQuery, type OperationDefinitionNode } from "graphql";
import addFormatsModule from "ajv-formats";
import { isGraphQLQuery } from "../../src/github/write-kinds.js";

/**
 * Checks a request against GitHub's own REST description (@octokit/openapi, api.github.com),
 * so a test cannot pass with a request real GitHub would reject: unknown route or method,
 * undeclared query parameter, or a body that breaks the operation's schema.
 */
const require = createRequire(import.meta.url);
type Operation = {
  operationId: string;
  parameters?: Array<{ $ref?: string; name?: string; in?: string; schema?: { type?: string; enum?: unknown[] } }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
};
type Spec = { paths: Record<string, Record<string, Operation>>; components: { parameters: Record<string, Operation["parameters"] extends Array<infer P> | undefined ? P : never> } };

const spec: Spec = require("@octokit/openapi/generated/api.github.com.json");
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
ajv.addSchema({ $id: "gh", components: spec.components });

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: Ajv refuses it beside no `type` (the issue create
 * and update bodies) and reads null as outside an `enum`.
 */
export function jsonSchemaOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchemaOf);
  if (typeof node !== "object" || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, jsonSchemaOf(value)]));
  return nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
}

type Route = { template: string; method: string; pattern: RegExp; operation: Operation };
const routes: Route[] = Object.entries(spec.paths)
  .flatMap(([template, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, operation]) => ({ template, method: method.toUpperCase(), operation, pattern: templateToRegExp(template, operation) })),
  )
  // Literal segments win over parameters (/issues/comments before /issues/{number}); among equals the
  // longer path wins, so a multi-segment {ref} never swallows /commits/{ref}/check-runs.
  .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0) || b.template.split("/").length - a.template.split("/").length);

function templateToRegExp(template: string, operation: Operation): RegExp {
  const multi = new Set(resolveParameters(operation).filter((p) => (p as { "x-multi-segment"?: boolean })["x-multi-segment"]).map((p) => p.name));
  const body = template.replace(/[.]/g, "\\.").replace(/\{([^}]+)\}/g, (_m, name: string) => (multi.has(name) ? "(.+)" : "([^/]+)"));
  return new RegExp(`^${body}$`);
}

function resolveParameters(operation: Operation) {
  return (operation.parameters ?? []).map((p) => (p.$ref ? spec.components.parameters[p.$ref.split("/").pop()!]! : p));
}

/** GitHub limits that its description states only in prose; checked here so tests see them too. */
const proseLimits: Array<{ operationId: string; field: string; max: number }> = [
  { operationId: "repos/create-deployment-status", field: "description", max: 140 },
  { operationId: "issues/create-comment", field: "body", max: 65536 },
  { operationId: "issues/update-comment", field: "body", max: 65536 },
  { operationId: "issues/create", field: "body", max: 65536 },
];

const compiled = new Map<string, ValidateFunction>();

export type RequestToCheck = { method: string; path: string; body?: unknown };

/** Returns the reasons GitHub would reject the request; empty when it is valid. The path may carry an /api/v3 prefix and a query. */
export function checkRequest({ method, path, body }: RequestToCheck): string[] {
  const url = new URL(path, "http://x");
  const pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
  if (isGraphQLQuery(method, pathname)) return checkGraphQL(body);
  const route = routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(pathname));
  if (!route) return [`${method} ${pathname}: no such operation in GitHub's REST API`];
  const where = `${method} ${route.template} (${route.operation.operationId})`;
  const problems: string[] = [];
  const declared = new Map(resolveParameters(route.operation).filter((p) => p.in === "query").map((p) => [p.name!, p]));
  for (const [name, value] of url.searchParams) {
    const param = declared.get(name);
    if (!param) problems.push(`${where}: undeclared query parameter ${name}`);
    else if (param.schema?.type === "integer" && !/^\d+$/.test(value)) problems.push(`${where}: query ${name} must be an integer, got ${value}`);
    else if (param.schema?.enum && !param.schema.enum.includes(value)) problems.push(`${where}: query ${name} must be one of ${param.schema.enum.join(", ")}`);
  }
  const hasBody = body !== undefined && body !== "" && body !== null;
  const schema = route.operation.requestBody?.content["application/json"]?.schema;
  if (!hasBody) {
    if (route.operation.requestBody?.required) problems.push(`${where}: a request body is required`);
    return problems;
  }
  if (!schema) return [...problems, `${where}: takes no JSON body`];
  const validate = compiledFor(route.operation.operationId, schema);
  const parsed = typeof body === "string" ? JSON.parse(body) : body;
  if (!validate(parsed)) {
    problems.push(...(validate.errors ?? []).map((e) => `${where}: body${e.instancePath} ${e.message ?? "is invalid"}`));
  }
  for (const limit of proseLimits.filter((l) => l.operationId === route.operation.operationId)) {
    const value = (parsed as Record<string, unknown>)[limit.field];
    if (typeof value === "string" && [...value].length > limit.max) problems.push(`${where}: ${limit.field} longer than ${limit.max} characters`);
  }
  return problems;
}

function compiledFor(operationId: string, schema: unknown): ValidateFunction {
  let validate = compiled.get(operationId);
  if (!validate) {
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"gh#/components/'));
    validate = ajv.compile(jsonSchemaOf(rebased) as object);
    compiled.set(operationId, validate);
  }
  return validate;
}

let graphQLSchema: GraphQLSchema | undefined;

/**
 * A GraphQL request against GitHub's own schema (@octokit/graphql-schema, built once, on the first
 * query: 0.2 s): one named query (the app sends no mutation), valid for the schema, its variables
 * those the query declares, each of its declared type.
 */
function checkGraphQL(body: unknown): string[] {
  const { query, variables = {}, ...rest } = (typeof body === "string" ? JSON.parse(body) : body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  const where = "POST /graphql";
  if (typeof query !== "string") return [`${where}: the body has no query`];
  if (Object.keys(rest).length > 0) return [`${where}: the body has fields GitHub does not take: ${Object.keys(rest).join(", ")}`];
  // The package exports only its ESM entry, which parses the 5 MB schema at import: read on first use instead.
  graphQLSchema ??= buildClientSchema(JSON.parse(readFileSync(graphQLSchemaFile(), "utf8")) as IntrospectionQuery);
  let document;
  try {
    document = parse(query);
  } catch (error) {
    return [`${where}: ${String(error)}`];
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
  if (operations.length !== 1 || operations[0]!.operation !== "query" || !operations[0]!.name) return [`${where}: one named query, and nothing else, is what the app sends`];
  const problems = validateDocument(graphQLSchema, document).map((error) => `${where}: ${error.message}`);
  const declared = new Set((operations[0]!.variableDefinitions ?? []).map((v) => v.variable.name.value));
  for (const name of Object.keys(variables)) if (!declared.has(name)) problems.push(`${where}: variable $${name} is not declared by the query`);
  const coerced = getVariableValues(graphQLSchema, operations[0]!.variableDefinitions ?? [], variables);
  if (coerced.errors) problems.push(...coerced.errors.map((error) => `${where}: ${error.message}`));
  return problems;
}

/**
 * The schema's file, found where Node would find the package from here: this file also runs compiled
 * elsewhere (dist-demo/, dist-bench/), and the package exports only its ESM entry, not the file.
 */
function graphQLSchemaFile(): string {
  const found = (require.resolve.paths("@octokit/graphql-schema") ?? []).map((dir) => join(dir, "@octokit/graphql-schema/schema.json")).find((file) => existsSync(file));
  if (!found) throw new Error("@octokit/graphql-schema is not installed");
  return found;
}
