// DOM helpers. Every value is inserted as text (createTextNode / textContent) or as a plain attribute
// value; nothing here parses HTML. Attribute names that could run code (on*, style, srcdoc) are refused,
// and link targets are limited to in-app fragments and relative paths.

const FORBIDDEN_ATTRIBUTE = /^(on|style$|srcdoc$|formaction$)/i;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** A link target that cannot run script: `#...`, `./...` or a same-origin absolute path. */
export function safeHref(value) {
  const text = String(value);
  if (text.startsWith('#') || text.startsWith('./') || (text.startsWith('/') && !text.startsWith('//'))) {
    return text;
  }
  throw new Error('refused link target');
}

function setAttributes(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
      continue;
    }
    if (name === 'dataset') {
      for (const [key, v] of Object.entries(value)) el.dataset[key] = String(v);
      continue;
    }
    if (name === 'text') {
      el.textContent = String(value);
      continue;
    }
    if (name === 'value' && 'value' in el) {
      el.value = String(value);
      continue;
    }
    if (name === 'checked' || name === 'selected' || name === 'disabled' || name === 'hidden' || name === 'required' || name === 'multiple') {
      el[name] = Boolean(value);
      continue;
    }
    if (FORBIDDEN_ATTRIBUTE.test(name)) throw new Error('refused attribute ' + name);
    if (name === 'href' || name === 'src' || name === 'action') {
      el.setAttribute(name, safeHref(value));
      continue;
    }
    el.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

/** `h('a', {href: '#/x', class: 'y'}, 'text', otherNode)` */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element; same rules. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

export function text(value) {
  return document.createTextNode(value === undefined || value === null ? '' : String(value));
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** A value for display: null/undefined as an em dash, arrays joined. */
export function show(value) {
  if (value === undefined || value === null || value === '') return '\u2014';
  if (Array.isArray(value)) return value.length ? value.map(show).join(', ') : '\u2014';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A problem from the API (or any error) as an alert: title, detail, and any `errors` list. */
export function problemBox(error, extra) {
  const problem = (error && error.problem) || { title: 'Error', detail: error && error.message ? error.message : String(error) };
  const box = h('div', { class: 'problem', role: 'alert', 'data-testid': 'problem' },
    h('strong', { class: 'problem-title' }, problem.status ? `${problem.status} ${problem.title || ''}`.trim() : (problem.title || 'Error')),
    ': ',
    h('span', { class: 'problem-detail' }, problem.detail || 'no detail given'),
  );
  if (extra) append(box, [extra]);
  return box;
}

/** A visible progress indicator; the container is marked aria-busy while `work` runs. */
export async function busy(container, work, label = 'Loading\u2026') {
  const indicator = h('div', { class: 'progress', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
  container.setAttribute('aria-busy', 'true');
  container.appendChild(indicator);
  try {
    return await work();
  } finally {
    indicator.remove();
    container.setAttribute('aria-busy', 'false');
  }
}

/** Marks a button busy (disabled, aria-busy) while `work` runs. */
export async function busyButton(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.setAttribute('aria-busy', 'false');
  }
}

export function section(title, attrs, ...children) {
  return h('section', Object.assign({ class: 'panel' }, attrs || {}), h('h2', null, title), ...children);
}

export function empty(message) {
  return h('p', { class: 'empty' }, message);
}

export function field(label, control, hint) {
  const id = control.id || ('f-' + Math.random().toString(36).slice(2, 10));
  control.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('span', { class: 'hint' }, hint) : null,
  );
}

export function select(name, options, value) {
  const el = h('select', { name });
  for (const option of options) {
    const [v, label] = Array.isArray(option) ? option : [option, option === '' ? 'any' : option];
    el.appendChild(h('option', { value: v, selected: v === value }, label));
  }
  return el;
}

export function badge(label, kind) {
  return h('span', { class: 'badge badge-' + kind }, label);
}

export function dl(pairs) {
  const list = h('dl', { class: 'facts' });
  for (const [term, value] of pairs) {
    list.appendChild(h('dt', null, term));
    list.appendChild(h('dd', null, value instanceof Node ? value : show(value)));
  }
  return list;
}

/** A short, readable time in UTC (the API's times are RFC 3339 UTC). */
export function time(value) {
  if (!value) return '\u2014';
  return String(value).replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

export function pre(value, attrs) {
  return h('pre', Object.assign({ class: 'code' }, attrs || {}), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

/** `consent-missing` from `https://vendor-gateway.example/problems/consent-missing`. */
export function problemCode(type) {
  if (!type) return '\u2014';
  const text = String(type);
  const slash = text.lastIndexOf('/problems/');
  return slash >= 0 ? text.slice(slash + '/problems/'.length) : text;
}

/**
 * Runs `work(target)` with a progress indicator on `target`; an error is shown there as a problem.
 * Returns the work's result, or undefined after an error.
 */
export async function load(target, work, label) {
  try {
    return await busy(target, () => work(target), label);
  } catch (error) {
    target.appendChild(problemBox(error));
    return undefined;
  }
}

/** Today's date in UTC, YYYY-MM-DD, shifted by `days`. */
export function utcDate(days = 0) {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A date input's value as an RFC 3339 time: the day's start, or its end when `end`. */
export function dayToTime(day, end) {
  if (!day) return undefined;
  if (/T/.test(day)) return day;
  return end ? `${day}T23:59:59Z` : `${day}T00:00:00Z`;
}
