// The console's entry: sign-in, role discovery, navigation and the fragment router.
import { h, clear, problemBox } from './js/dom.js';
import { getToken, setToken, clearToken, discoverRole, setUnauthorizedHandler } from './js/api.js';
import * as overview from './js/overview.js';
import * as vendors from './js/vendors.js';
import * as vendor from './js/vendor.js';
import * as register from './js/register.js';
import * as shares from './js/shares.js';
import * as subjects from './js/subjects.js';
import * as requests from './js/requests.js';
import * as incidents from './js/incidents.js';
import * as log from './js/log.js';

const ALL = ['admin', 'procurement', 'consent', 'auditor'];
const MODULES = [overview, vendors, vendor, register, shares, subjects, requests, incidents, log];

/** Which roles may use each view (admin may call every route). */
export const VIEW_ROLES = {
  overview: ALL,
  vendors: ['admin', 'procurement', 'auditor'],
  vendor: ['admin', 'procurement', 'auditor'],
  register: ['admin', 'procurement'],
  shares: ['admin', 'auditor'],
  subjects: ['admin', 'consent', 'auditor'],
  requests: ['admin', 'consent', 'auditor'],
  incidents: ['admin', 'auditor'],
  log: ['admin', 'auditor'],
};

const NAV = [
  ['#/', 'Overview', 'overview'],
  ['#/vendors', 'Vendors', 'vendors'],
  ['#/register', 'Register a DPA', 'register'],
  ['#/shares', 'Share log', 'shares'],
  ['#/subjects/', 'Subjects', 'subjects'],
  ['#/requests', 'Rights requests', 'requests'],
  ['#/incidents', 'Incidents', 'incidents'],
  ['#/log', 'Log integrity', 'log'],
];

const ROUTES = [
  [/^\/$/, 'overview', overview, []],
  [/^\/vendors\/?$/, 'vendors', vendors, []],
  [/^\/vendors\/([^/]+)\/?$/, 'vendor', vendor, ['id']],
  [/^\/register\/?$/, 'register', register, []],
  [/^\/shares\/?$/, 'shares', shares, []],
  [/^\/subjects\/?$/, 'subjects', subjects, []],
  [/^\/subjects\/([^/]+)\/?$/, 'subjects', subjects, ['id']],
  [/^\/requests\/?$/, 'requests', requests, []],
  [/^\/incidents\/?$/, 'incidents', incidents, []],
  [/^\/log\/?$/, 'log', log, []],
];

const session = { role: null, name: null };

const $ = (id) => document.getElementById(id);

/** `#/path?query` from a path and a plain object (empty values left out). */
export function hashFor(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return '#' + path + (qs ? '?' + qs : '');
}

function parseHash() {
  const raw = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const fragment = raw || '/';
  const mark = fragment.indexOf('?');
  const path = mark >= 0 ? fragment.slice(0, mark) : fragment;
  const query = {};
  if (mark >= 0) {
    for (const [key, value] of new URLSearchParams(fragment.slice(mark + 1))) query[key] = value;
  }
  return { path: path.startsWith('/') ? path : '/' + path, query };
}

function renderNav(current) {
  const list = clear($('nav-list'));
  for (const [href, label, view] of NAV) {
    if (!VIEW_ROLES[view].includes(session.role)) continue;
    const link = h('a', { href, 'data-view': view }, label);
    if (view === current) link.setAttribute('aria-current', 'page');
    list.appendChild(h('li', null, link));
  }
}

let renderCount = 0;

async function route(focus) {
  if (!session.role) return;
  const { path, query } = parseHash();
  const view = $('view');
  clear(view);
  const root = h('div', { class: 'view-root' });
  view.appendChild(root);
  const generation = ++renderCount;
  let match = null;
  for (const [pattern, name, module, keys] of ROUTES) {
    const m = pattern.exec(path);
    if (m) {
      match = { name, module, params: {} };
      try {
        keys.forEach((key, index) => { match.params[key] = decodeURIComponent(m[index + 1]); });
      } catch {
        renderNav(null);
        root.appendChild(problemBox({ problem: { title: 'Bad link', detail: 'the address is not correctly percent-encoded' } }));
        return;
      }
      break;
    }
  }
  renderNav(match ? match.name : null);
  if (!match) {
    root.appendChild(h('h1', null, 'Not found'));
    root.appendChild(h('p', { class: 'empty' }, 'There is no such view. ', h('a', { href: '#/' }, 'Go to the overview'), '.'));
    return;
  }
  if (!VIEW_ROLES[match.name].includes(session.role)) {
    root.appendChild(h('h1', null, 'Not available for this role'));
    root.appendChild(h('div', { class: 'problem forbidden', role: 'alert', 'data-testid': 'forbidden-view' },
      h('strong', { class: 'problem-title' }, '403 Forbidden'), ': ',
      h('span', { class: 'problem-detail' }, `the ${session.role} role cannot use this view; it is for ${VIEW_ROLES[match.name].filter((r) => r !== 'admin').join(', ')}.`)));
    return;
  }
  const ctx = {
    root,
    params: match.params,
    query,
    role: session.role,
    can: (name) => VIEW_ROLES[name].includes(session.role),
    alive: () => generation === renderCount,
    hashFor,
    /** Navigate (a new history entry, the view renders again). */
    go: (p, q) => { location.hash = hashFor(p, q); },
    /** Keep state in the fragment without rendering again (sort, page). */
    remember: (p, q) => { history.replaceState(null, '', hashFor(p, q)); },
  };
  try {
    await match.module.render(ctx);
  } catch (error) {
    if (ctx.alive()) root.appendChild(problemBox(error));
  }
  if (focus && ctx.alive()) {
    const heading = root.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }
  }
}

function showSignedIn() {
  document.body.dataset.state = 'signed-in';
  $('signin').hidden = true;
  $('session').hidden = false;
  $('nav').hidden = false;
  $('role').textContent = session.name ? `${session.name} (${session.role})` : session.role;
  document.body.dataset.role = session.role;
}

function showSignedOut(problem) {
  // Nothing of the previous session stays in memory for the next one (filed requests, paging state).
  for (const module of MODULES) if (typeof module.reset === 'function') module.reset();
  session.role = null;
  session.name = null;
  delete document.body.dataset.role;
  document.body.dataset.state = 'signed-out';
  $('signin').hidden = false;
  $('signin-form').hidden = false;
  $('session').hidden = true;
  $('nav').hidden = true;
  clear($('nav-list'));
  clear($('view'));
  const status = clear($('signin-status'));
  if (problem) status.appendChild(problemBox(problem));
}

async function signIn(token) {
  const status = clear($('signin-status'));
  const button = $('sign-in');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  status.appendChild(h('div', { class: 'progress', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Checking the token\u2026'));
  try {
    const who = await discoverRole(token);
    setToken(token);
    session.role = who.role;
    session.name = who.name;
    clear(status);
    $('token').value = '';
    showSignedIn();
    await route(true);
  } catch (error) {
    clearToken();
    showSignedOut(error);
  } finally {
    button.disabled = false;
    button.setAttribute('aria-busy', 'false');
  }
}

function start() {
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) {
      replaceStatus('Paste a token first.');
      return;
    }
    signIn(token);
  });
  $('sign-out').addEventListener('click', () => {
    clearToken();
    showSignedOut(null);
    $('signin-status').appendChild(h('p', { class: 'notice', role: 'status' }, 'Signed out. The token was removed from this tab.'));
    $('token').focus();
  });
  $('skip-link').addEventListener('click', (event) => {
    // The fragment belongs to the router (`#view` would be an unknown view): move focus, do not navigate.
    event.preventDefault();
    const target = session.role ? ($('view').querySelector('h1') || $('view')) : $('token');
    if (target.tagName === 'H1') target.setAttribute('tabindex', '-1');
    target.focus();
  });
  window.addEventListener('hashchange', () => route(true));
  setUnauthorizedHandler((error) => {
    clearToken();
    showSignedOut(error);
  });
  const token = getToken();
  if (token) {
    // A token kept by this tab: check it again (it may have been revoked) before showing anything.
    document.body.dataset.state = 'restoring';
    $('signin-form').hidden = true;
    signIn(token);
  } else {
    showSignedOut(null);
  }
}

function replaceStatus(message) {
  const status = clear($('signin-status'));
  status.appendChild(h('p', { class: 'notice', role: 'status' }, message));
}

start();
