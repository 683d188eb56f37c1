// The hub's HTTP surface: health and metrics, the JSON API under /api/v1 and (later) the web
// console. It translates requests into calls on the other modules and never holds business rules.
export { buildWebApp, routeTableOf, type WebAppDeps } from './build-web-app.ts';
export type { Readiness, ComponentState } from './routes/health-routes.ts';
export { writeControlFile, readControlFile, removeControlFile, type LocalControl } from './local-control.ts';
export { startLiveEvents, LIVE_CHANNEL, type LiveEvents, type LiveEvent } from './live/live-events.ts';
