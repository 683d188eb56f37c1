import { z } from 'zod';
import { ApiErrorSchema } from './error-shape.ts';
import type { RouteTable } from './route-table.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Request schemas are documented as the client writes them (before defaults and transforms).
  const document: JsonSchema = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  delete document.$schema;
  return document;
}

/** `{…properties}` of an object schema, as OpenAPI parameters in `where`. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

const ERROR_RESPONSES = {
  '400': 'invalid request (wrong types, unknown fields)',
  '401': 'no valid session or bearer token',
  '403': 'not allowed, or the CSRF token is missing',
  '404': 'no such resource (also for another agency’s resource)',
  '413': 'body too large',
  '429': 'too many attempts; see Retry-After',
} as const;

/** OpenAPI 3.1 of every `/api/v1` route in the table, from the schemas that validate them. */
export function buildOpenApiDocument(table: RouteTable, version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = { $ref: '#/components/schemas/ApiError' };
  for (const { method, api } of table.entries) {
    if (!api) continue;
    const path = api.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(api.responses)) {
      responses[status] =
        status === '204'
          ? { description: 'success, no content' }
          : {
              description: 'success',
              content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
            };
    }
    for (const [status, description] of Object.entries(ERROR_RESPONSES))
      responses[status] = { description, content: { 'application/json': { schema: errorRef } } };
    (paths[path] ??= {})[method.toLowerCase()] = {
      summary: api.summary,
      tags: [api.tag],
      security: api.access === 'public' ? [] : [{ session: [], csrf: [] }, { bearer: [] }],
      'x-lienthong-access': api.access,
      parameters: [...parameters(api.params, 'path'), ...parameters(api.query, 'query')],
      ...(api.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(api.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Lienthong API', version },
    paths,
    components: {
      schemas: { ApiError: jsonSchema(ApiErrorSchema, 'output') },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'lienthong_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
