// The admin API client. The token lives in sessionStorage only and travels only in the Authorization
// header; it is never put in a URL, a cookie or the console.

const TOKEN_KEY = 'gateway.console.token';

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.clear();
  } catch {
    /* storage unavailable: nothing to clear */
  }
}

/** An error answer; `problem` is the RFC 9457 body (or one made from the status). */
export class ApiError extends Error {
  constructor(problem, status, body) {
    super(problem.detail || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
    this.body = body;
  }
}

/** Builds `/v1/...?a=b` from a path and a query object (empty values left out). */
export function url(path, query) {
  // encodeURIComponent, not URLSearchParams: a space goes as %20, never as `+` (which some servers keep).
  const parts = [];
  for (const [key, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

/** A path segment: percent-encoded (ids can hold any character). */
export function seg(value) {
  return encodeURIComponent(String(value));
}

let onUnauthorized = null;
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

const TITLES = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Content Too Large', 422: 'Unprocessable Content', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/**
 * One call. Returns `{status, headers, data, text}`: `data` is the parsed JSON when the answer is JSON.
 * Throws ApiError for any status >= 400 (with the problem's `detail`), and for network failures.
 * `options.allowStatus` lists error statuses whose JSON is a result, not a problem (e.g. 500 of /v1/log/verify).
 */
export async function call(method, path, options = {}) {
  const headers = new Headers();
  headers.set('Accept', options.accept || 'application/json, application/problem+json');
  const token = options.token !== undefined ? options.token : getToken();
  if (token) headers.set('Authorization', 'Bearer ' + token);
  let body;
  if (options.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers.set('Content-Type', options.contentType || 'application/octet-stream');
    body = options.body;
  }
  let response;
  try {
    response = await fetch(url(path, options.query), {
      method,
      headers,
      body,
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
    });
  } catch (error) {
    throw new ApiError({ title: 'Network error', detail: 'the gateway could not be reached (' + (error && error.message ? error.message : 'fetch failed') + ')' }, 0, null);
  }
  const type = response.headers.get('content-type') || '';
  let raw = null;
  let buffer = null;
  if (options.binary && response.status < 400) buffer = await response.arrayBuffer();
  else raw = await response.text();
  let data = null;
  if (raw !== null && /json/i.test(type) && raw.length) {
    try {
      data = JSON.parse(raw);
    } catch {
      data = null;
    }
  }
  if (response.status >= 400 && !(options.allowStatus || []).includes(response.status)) {
    const problem = data && typeof data === 'object' && !Array.isArray(data)
      ? data
      : { title: TITLES[response.status] || 'Error', detail: raw ? raw.slice(0, 300) : `HTTP ${response.status}` };
    if (!problem.status) problem.status = response.status;
    if (!problem.title) problem.title = TITLES[response.status] || 'Error';
    if (!problem.detail) problem.detail = `HTTP ${response.status}`;
    const error = new ApiError(problem, response.status, data);
    if (response.status === 401 && onUnauthorized && !options.quiet401) onUnauthorized(error);
    throw error;
  }
  return { status: response.status, headers: response.headers, data, text: raw, buffer };
}

export const get = (path, query, options = {}) => call('GET', path, Object.assign({ query }, options));
export const post = (path, json, options = {}) => call('POST', path, Object.assign({ json }, options));

/** The XML of an agreement version, with the digest the server sent. */
export async function agreementXML(vendor, version) {
  const result = await call('GET', `/v1/vendors/${seg(vendor)}/versions/${seg(version)}`, { accept: 'application/xml', binary: true });
  const bytes = new Uint8Array(result.buffer);
  let computed = null;
  if (globalThis.crypto && crypto.subtle) {
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    computed = 'sha256:' + Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return { xml: new TextDecoder('utf-8').decode(bytes), digest: result.headers.get('Digest-SHA256'), computed };
}

/**
 * The caller's role. Uses `GET /v1/whoami` when the gateway has it; otherwise probes routes whose role
 * sets tell the roles apart (admin may call everything, `/v1/tokens` is admin only; `/v1/shares` auditor;
 * `/v1/vendors` procurement and auditor; the rest is consent).
 */
export async function discoverRole(token) {
  const opts = { token, quiet401: true };
  try {
    const who = await call('GET', '/v1/whoami', opts);
    if (who.data && typeof who.data.role === 'string') return { role: who.data.role, name: who.data.name || null };
  } catch (error) {
    if (error.status === 401) throw error;
    if (error.status !== 404 && error.status !== 405) throw error;
  }
  const allowed = async (path, query) => {
    try {
      await call('GET', path, Object.assign({ query }, opts));
      return true;
    } catch (error) {
      if (error.status === 403) return false;
      throw error;
    }
  };
  if (await allowed('/v1/tokens')) return { role: 'admin', name: null };
  if (await allowed('/v1/shares', { limit: 1 })) return { role: 'auditor', name: null };
  if (await allowed('/v1/vendors')) return { role: 'procurement', name: null };
  return { role: 'consent', name: null };
}
