// The JSON API with the session cookie; state-changing calls carry the session's CSRF token.
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Resolves to { status, ok, data }; never throws for an HTTP error, only for a network failure. */
export async function api(method, url, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  // A session that ended (signed out elsewhere, password changed, expired) sends the person back to sign in.
  if (response.status === 401 && url !== '/api/v1/auth/login' && url !== '/api/v1/auth/session')
    window.dispatchEvent(new Event('lienthong:signed-out'));
  return { status: response.status, ok: response.ok, data };
}

/** The API's own message for a refusal, or a generic one. */
export function errorText(result) {
  return result.data?.error?.message ?? `HTTP ${result.status}`;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
