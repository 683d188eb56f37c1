import type { FastifyInstance } from 'fastify';
import type { ApiRouteSpec } from './api-route.ts';

/**
 * Every route the app registers, collected by an `onRoute` hook installed before any route.
 * The OpenAPI document and the isolation suite both read this table, so neither can miss a route.
 */
export type RouteEntry = { method: string; url: string; api: ApiRouteSpec | undefined };

export type RouteTable = { readonly entries: readonly RouteEntry[] };

export function collectRoutes(app: FastifyInstance): RouteTable {
  const entries: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify adds HEAD for every GET itself, answering as the GET does; the hub defines no other HEAD.
      if (method === 'HEAD') continue;
      entries.push({ method, url: route.url, api: route.config?.api });
    }
  });
  return { entries };
}
