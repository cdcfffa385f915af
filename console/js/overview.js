// #/ : charts of shares and refusals (last 30 days), agreements that need attention, open and overdue
// rights requests. Each part loads on its own and shows the API's problem when the role cannot read it.
import { h, section, load, badge, empty, problemCode, utcDate, dayToTime, time } from './dom.js';
import { get, ApiError } from './api.js';
import { stackedBars, horizontalBars } from './charts.js';
import { sortableTable } from './table.js';
import { overdueRecipients } from './requests.js';
import { vendorState } from './vendors.js';

const TOP_VENDORS = 7;

/** GET /v1/stats/shares; dates first, RFC 3339 times if the gateway wants those. */
async function fetchStats(since, until) {
  try {
    return (await get('/v1/stats/shares', { since, until })).data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      return (await get('/v1/stats/shares', { since: dayToTime(since), until: dayToTime(until, true) })).data;
    }
    throw error;
  }
}

function dayList(since, count) {
  const days = [];
  const start = new Date(since + 'T00:00:00Z');
  for (let i = 0; i < count; i += 1) {
    const d = new Date(start);
    d.setUTCDate(start.getUTCDate() + i);
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

function buildSeries(days, stats, key) {
  const byVendor = new Map();
  const index = new Map(days.map((day, i) => [day, i]));
  for (const entry of stats.days || []) {
    const at = index.get(entry.day);
    if (at === undefined) continue;
    for (const v of entry.vendors || []) {
      // A refusal before any vendor was identified (unknown vendor id) has no vendor.
      const name = v.vendor === null || v.vendor === undefined ? '(no vendor)' : String(v.vendor);
      if (!byVendor.has(name)) byVendor.set(name, new Array(days.length).fill(0));
      byVendor.get(name)[at] += Number(v[key]) || 0;
    }
  }
  let series = [...byVendor.entries()].map(([name, values]) => ({ name, values, total: values.reduce((a, b) => a + b, 0) }))
    .filter((one) => one.total > 0)
    .sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
  if (series.length > TOP_VENDORS + 1) {
    const rest = series.slice(TOP_VENDORS);
    const other = new Array(days.length).fill(0);
    for (const one of rest) one.values.forEach((v, i) => { other[i] += v; });
    series = series.slice(0, TOP_VENDORS).concat([{ name: `${rest.length} other vendors`, values: other, total: other.reduce((a, b) => a + b, 0) }]);
  }
  return series;
}

async function charts(target) {
  const since = utcDate(-29);
  const until = utcDate(0);
  const stats = await fetchStats(since, until);
  const days = dayList(since, 30);
  const shared = buildSeries(days, stats, 'shared');
  const refused = buildSeries(days, stats, 'refused');
  const reasons = new Map();
  for (const entry of stats.days || []) {
    for (const r of entry.refusals || []) reasons.set(r.reason, (reasons.get(r.reason) || 0) + (Number(r.count) || 0));
  }
  const reasonItems = [...reasons.entries()].map(([reason, value]) => ({ label: problemCode(reason), value }))
    .sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
  const totalShared = shared.reduce((a, one) => a + one.total, 0);
  const totalRefused = refused.reduce((a, one) => a + one.total, 0);
  target.appendChild(h('p', { class: 'summary', 'data-testid': 'stats-summary' },
    `${since} to ${until} (UTC): `, h('strong', null, String(totalShared)), ' shared, ', h('strong', null, String(totalRefused)), ' refused.'));
  if (!totalShared && !totalRefused) {
    target.appendChild(empty('No shares in the last 30 days. Once internal services send traffic through the gateway, it appears here.'));
  }
  target.appendChild(h('div', { class: 'charts' },
    stackedBars({ title: 'Shared per day, per vendor', days, series: shared, unit: 'shared', testid: 'chart-shared' }),
    stackedBars({ title: 'Refused per day, per vendor', days, series: refused, unit: 'refused', testid: 'chart-refused' }),
    horizontalBars({ title: 'Refusals by reason', items: reasonItems, unit: 'refusals', testid: 'chart-reasons' })));
}

async function agreements(target) {
  const list = (await get('/v1/vendors')).data.vendors || [];
  const attention = list.filter((v) => v.pendingVersion !== null && v.pendingVersion !== undefined || v.expired || v.expiringSoon);
  if (!attention.length) {
    target.appendChild(empty(list.length
      ? `All ${list.length} agreements are approved and more than 30 days from expiry.`
      : 'No vendors yet. Register a DPA to start.'));
    return;
  }
  target.appendChild(sortableTable({
    testid: 'overview-agreements',
    rows: attention,
    sort: { key: 'expires', dir: 'ascending' },
    pinned: (v) => (v.pendingVersion != null ? 0 : 1),
    columns: [
      { key: 'id', label: 'Vendor', cell: (v) => h('a', { href: '#/vendors/' + encodeURIComponent(v.id) }, v.id) },
      { key: 'state', label: 'Needs', value: (v) => vendorState(v).label, cell: (v) => attentionBadges(v) },
      { key: 'expires', label: 'Term ends', cell: (v) => (v.expires ? `${v.expires} (${v.daysToExpiry} d)` : '\u2014') },
    ],
  }));
}

function attentionBadges(v) {
  const out = [];
  if (v.pendingVersion != null) out.push(badge(`version ${v.pendingVersion} awaits approval`, 'pending'));
  if (v.expired) out.push(badge('expired', 'expired'));
  else if (v.expiringSoon) out.push(badge('expiring soon', 'expiring'));
  return h('span', { class: 'badges' }, out);
}

async function rights(target) {
  const [open, overdue] = await Promise.all([
    get('/v1/requests', { status: 'open', limit: 100 }),
    get('/v1/requests', { overdue: 'true', limit: 100 }),
  ]);
  const openList = open.data.requests || [];
  const overdueList = overdue.data.requests || [];
  target.appendChild(h('ul', { class: 'counts' },
    h('li', null, h('a', { href: '#/requests?status=open', 'data-testid': 'open-requests' }, h('strong', null, `${openList.length}${open.data.nextCursor ? '+' : ''}`), ' open')),
    h('li', null, h('a', { href: '#/requests?overdue=true', 'data-testid': 'overdue-requests' }, h('strong', null, `${overdueList.length}${overdue.data.nextCursor ? '+' : ''}`), ' overdue'))));
  const shown = overdueList.length ? overdueList : openList;
  if (!shown.length) {
    target.appendChild(empty('No open rights requests. Requests are filed from a subject\u2019s page by the consent role.'));
    return;
  }
  target.appendChild(h('h3', null, overdueList.length ? 'Overdue' : 'Open'));
  target.appendChild(sortableTable({
    testid: 'overview-requests',
    rows: shown.slice(0, 10),
    sort: { key: 'createdAt', dir: 'ascending' },
    columns: [
      { key: 'id', label: 'Request', cell: (r) => h('a', { href: '#/requests?status=' + encodeURIComponent(r.status || 'open') }, r.id) },
      { key: 'type', label: 'Type' },
      { key: 'createdAt', label: 'Filed', cell: (r) => time(r.createdAt) },
      { key: 'overdue', label: 'Overdue recipients', value: (r) => overdueRecipients(r).length, cell: (r) => String(overdueRecipients(r).length) },
      { key: 'recipients', label: 'Recipients', value: (r) => (r.recipients || []).length, cell: (r) => String((r.recipients || []).length) },
    ],
  }));
}

export async function render(ctx) {
  const { root } = ctx;
  root.appendChild(h('h1', null, 'Overview'));
  const statsPanel = section('Shares and refusals, last 30 days', { 'data-testid': 'overview-stats' });
  const agreementsPanel = section('Agreements that need attention', { 'data-testid': 'overview-agreements-panel' });
  const rightsPanel = section('Rights requests', { 'data-testid': 'overview-rights' });
  root.appendChild(h('div', { class: 'overview-grid' }, statsPanel, agreementsPanel, rightsPanel));
  await Promise.all([
    load(statsPanel, charts),
    load(agreementsPanel, agreements),
    load(rightsPanel, rights),
  ]);
}
