// Live updates: one EventSource per signed-in page on GET /api/v1/events, which the browser opens
// with the session cookie (no credential in the URL). Events carry only kinds and ids; a page that
// hears of a change fetches it again through the API. The header shows whether updates flow.
import { h } from './dom.js';
import { t } from './i18n.js';

const NAMES = ['intake', 'document', 'relay', 'depths', 'resync'];
const listeners = new Set();
let source = null;
let state = 'off';
let retryTimer = null;

const indicator = h('span', { id: 'live-status', class: 'live-status off', role: 'status' });

function setState(next) {
  state = next;
  indicator.className = `live-status ${next}`;
  indicator.textContent = next === 'off' ? '' : t(next === 'live' ? 'liveOn' : 'liveReconnecting');
  indicator.title = next === 'off' ? '' : t(next === 'live' ? 'liveOnHint' : 'liveReconnectingHint');
}

/** The header's "live / reconnecting" mark (one node, moved into each new header). */
export function liveIndicator() {
  setState(state);
  return indicator;
}

function dispatch(name, event) {
  let data = {};
  try {
    data = JSON.parse(event.data);
  } catch {
    // A malformed frame is treated as "something changed".
  }
  for (const listener of [...listeners]) {
    // A listener belongs to a page element; once the page is replaced, it is dropped.
    if (!listener.node.isConnected) listeners.delete(listener);
    else if (listener.names.includes(name) || name === 'resync') listener.fn(name, data);
  }
}

export function startLive() {
  if (source) return;
  window.clearTimeout(retryTimer);
  source = new window.EventSource('/api/v1/events');
  setState('reconnecting');
  source.addEventListener('open', () => setState('live'));
  source.addEventListener('ready', () => setState('live'));
  for (const name of NAMES) source.addEventListener(name, (event) => dispatch(name, event));
  source.addEventListener('end', (event) => {
    const reason = JSON.parse(event.data || '{}').reason;
    if (reason === 'signed-out') {
      stopLive();
      window.dispatchEvent(new Event('lienthong:signed-out'));
    }
    // 'shutdown': the browser reconnects by itself after the server's retry hint.
  });
  source.addEventListener('error', () => {
    if (!source) return;
    setState('reconnecting');
    // A refused stream (401, 429, 503) is not retried by the browser: try again later ourselves.
    if (source.readyState === window.EventSource.CLOSED) {
      source = null;
      retryTimer = setTimeout(startLive, 10_000);
    }
  });
}

export function stopLive() {
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  listeners.clear();
  setState('off');
}

/**
 * Calls `fn(name, data)` for the named events (and after a resync) while `node` is on the page,
 * at most once per `waitMs`: a burst of 50 new items is one refetch, not 50.
 */
export function onLive(node, names, fn, waitMs = 400) {
  let timer = null;
  listeners.add({
    node,
    names,
    fn: (name, data) => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        if (node.isConnected) fn(name, data);
      }, waitMs);
    },
  });
}
