import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiRoute, ok } from '../api-route.ts';
import { buildOpenApiDocument } from '../openapi.ts';
import type { RouteTable } from '../route-table.ts';

/** The OpenAPI document, built on first request from the app's own route table. */
export function openApiRoutes(deps: { routeTable: RouteTable; version: string }) {
  return (app: FastifyInstance) => {
    let document: Record<string, unknown> | undefined;
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/openapi.json',
        summary: 'This document',
        tag: 'meta',
        access: 'public',
        responses: { 200: z.record(z.string(), z.unknown()) },
      },
      async () => {
        document ??= buildOpenApiDocument(deps.routeTable, deps.version);
        return Promise.resolve(ok(document));
      },
    );
  };
}
