// #/shares : the share log, filtered by vendor, subject, purpose, decision and time, cursor-paged;
// an entry opens to its fields. Filters and the cursor live in the fragment.
import { h, clear, section, load, badge, show, dl, time, pre, field, select, problemCode, dayToTime, empty } from './dom.js';
import { get } from './api.js';
import { pager } from './table.js';
import { fieldsTable } from './vendor.js';

const FILTERS = ['vendor', 'subject', 'purpose', 'decision', 'since', 'until', 'limit'];
// The cursors of the pages before this one, for "Previous" (kept per filter set, in memory only).
const back = { key: '', stack: [] };

export function reset() {
  back.key = '';
  back.stack = [];
}

function filterKey(query) {
  return FILTERS.map((k) => `${k}=${query[k] || ''}`).join('&');
}

function entryDetail(entry) {
  const facts = [
    ['Entry id', entry.id],
    ['Sequence', `${show(entry.seq)} in ${show(entry.origin)}`],
    ['Time', time(entry.time)],
    ['Kind', entry.kind],
  ];
  if (entry.kind === 'share' || entry.decision) {
    facts.push(
      ['Service', entry.service],
      ['Contract', entry.contract ? `${entry.contract.id} version ${entry.contract.version}, ${entry.contract.digest}` : null],
      ['Operation', `${show(entry.method)} ${show(entry.operation)}`],
      ['Lawful basis', entry.lawfulBasis],
      ['Global Privacy Control', entry.gpc === undefined ? null : entry.gpc ? 'yes' : 'no'],
      ['Records', entry.records ? `${entry.records.sent} of ${entry.records.received} sent` : null],
      ['Reason', entry.reason ? problemCode(entry.reason) : null],
      ['Subject refs', entry.subjectRefs],
      ['Consent records', entry.consentRefs],
    );
  }
  if (entry.kind === 'outcome') {
    facts.push(['Share', entry.shareId], ['Vendor status', entry.upstreamStatus], ['Error', entry.error], ['Duration', entry.durationMs !== undefined ? `${entry.durationMs} ms` : null]);
  }
  if (entry.kind === 'notice') {
    facts.push(['Rights request', entry.requestId], ['Type', entry.requestType], ['Subject refs', entry.subjectRefs], ['Vendor status', entry.upstreamStatus]);
  }
  const parts = [dl(facts)];
  if (Array.isArray(entry.fields)) {
    parts.push(h('h4', null, 'Fields'));
    parts.push(entry.fields.length ? fieldsTable(entry.fields, 'entry-fields') : empty('No fields (a refusal sends nothing).'));
  }
  if (Array.isArray(entry.recordOutcomes) && entry.recordOutcomes.length) {
    parts.push(h('h4', null, 'Records dropped from the batch'));
    parts.push(h('ul', null, entry.recordOutcomes.map((o) => h('li', null, `record ${show(o.index)}: ${show(o.reason)}`))));
  }
  parts.push(h('details', null, h('summary', null, 'The entry as logged (JSON)'), pre(entry)));
  return h('div', { class: 'entry-detail', 'data-testid': 'entry-detail' }, parts);
}

function entriesTable(entries) {
  const columns = ['', 'Time', 'Kind', 'Vendor', 'Purpose', 'Operation', 'Decision', 'Reason', 'Records'];
  const body = h('tbody');
  entries.forEach((entry, index) => {
    const detailId = `entry-${index}`;
    const toggle = h('button', { type: 'button', class: 'secondary small toggle', 'aria-expanded': 'false', 'aria-controls': detailId, 'data-testid': 'open-entry' }, 'Open');
    const detailRow = h('tr', { class: 'detail-row', id: detailId, hidden: true }, h('td', { colspan: String(columns.length) }));
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? 'Close' : 'Open';
      detailRow.hidden = !open;
      if (open && !detailRow.firstChild.firstChild) detailRow.firstChild.appendChild(entryDetail(entry));
    });
    const decision = entry.decision
      ? badge(entry.decision, entry.decision === 'shared' ? 'active' : 'expired')
      : entry.kind === 'outcome' ? `vendor ${show(entry.upstreamStatus)}` : entry.kind === 'notice' ? `notice ${show(entry.upstreamStatus)}` : '\u2014';
    body.appendChild(h('tr', { class: 'entry-row', 'data-kind': entry.kind, 'data-seq': entry.seq },
      h('td', null, toggle),
      h('td', { 'data-label': 'Time' }, time(entry.time)),
      h('td', { 'data-label': 'Kind' }, show(entry.kind)),
      h('td', { 'data-label': 'Vendor' }, entry.vendor ? h('a', { href: '#/vendors/' + encodeURIComponent(entry.vendor) }, entry.vendor) : '\u2014'),
      h('td', { 'data-label': 'Purpose' }, show(entry.purpose)),
      h('td', { 'data-label': 'Operation' }, entry.method ? `${entry.method} ${show(entry.operation)}` : '\u2014'),
      h('td', { 'data-label': 'Decision' }, decision),
      h('td', { 'data-label': 'Reason' }, entry.reason ? problemCode(entry.reason) : '\u2014'),
      h('td', { 'data-label': 'Records' }, entry.records ? `${entry.records.sent}/${entry.records.received}` : '\u2014')));
    body.appendChild(detailRow);
  });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': 'shares-table' },
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'visually-hidden' }, 'Details'))))), body));
}

export async function render(ctx) {
  const { root, query } = ctx;
  root.appendChild(h('h1', null, 'Share log'));
  const key = filterKey(query);
  if (back.key !== key) { back.key = key; back.stack = []; }
  const inputs = {
    vendor: h('input', { name: 'vendor', type: 'text', value: query.vendor || '', list: 'vendor-ids', autocomplete: 'off' }),
    subject: h('input', { name: 'subject', type: 'text', value: query.subject || '', autocomplete: 'off' }),
    purpose: h('input', { name: 'purpose', type: 'text', value: query.purpose || '', autocomplete: 'off' }),
    decision: select('decision', [['', 'any'], ['shared', 'shared'], ['refused', 'refused']], query.decision || ''),
    since: h('input', { name: 'since', type: 'date', value: query.since || '' }),
    until: h('input', { name: 'until', type: 'date', value: query.until || '' }),
    limit: select('limit', [['25', '25'], ['50', '50'], ['100', '100']], query.limit || '50'),
  };
  const datalist = h('datalist', { id: 'vendor-ids' });
  const form = h('form', { class: 'filters', role: 'search', 'data-testid': 'shares-filters' },
    field('Vendor', inputs.vendor), field('Subject id', inputs.subject), field('Purpose', inputs.purpose),
    field('Decision', inputs.decision), field('Since (UTC day)', inputs.since), field('Until (UTC day)', inputs.until), field('Per page', inputs.limit),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'shares-apply' }, 'Apply'),
      h('a', { href: '#/shares', class: 'button-link secondary' }, 'Clear')),
    datalist);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = {};
    for (const name of FILTERS) next[name] = inputs[name].value.trim();
    if (next.limit === '50') next.limit = '';
    ctx.go('/shares', next);
  });
  root.appendChild(form);
  get('/v1/vendors').then((r) => {
    for (const v of r.data.vendors || []) datalist.appendChild(h('option', { value: v.id }));
  }).catch(() => { /* the list is a convenience */ });
  const panel = section('Entries', { 'data-testid': 'shares-panel' });
  root.appendChild(panel);
  await load(panel, async (target) => {
    const limit = Number(query.limit) || 50;
    const page = (await get('/v1/shares', {
      vendor: query.vendor, subject: query.subject, purpose: query.purpose, decision: query.decision,
      since: dayToTime(query.since), until: dayToTime(query.until, true), cursor: query.cursor, limit,
    })).data;
    const entries = page.entries || [];
    if (!entries.length) {
      target.appendChild(empty(Object.keys(query).some((k) => FILTERS.includes(k) && query[k])
        ? 'No entry matches these filters. Widen the time window or clear a filter.'
        : 'The share log is empty. Entries appear when internal services send requests through the data plane.'));
    } else {
      target.appendChild(entriesTable(entries));
    }
    const base = {};
    for (const name of FILTERS) base[name] = query[name];
    const pageNumber = back.stack.length + 1;
    target.appendChild(pager({
      label: `Page ${pageNumber}${query.cursor && !back.stack.length ? ' (from a shared link)' : ''}, ${entries.length} entries`,
      hasPrevious: Boolean(query.cursor),
      hasNext: Boolean(page.nextCursor),
      onPrevious: () => {
        const previous = back.stack.pop();
        ctx.go('/shares', Object.assign({}, base, { cursor: previous || '' }));
      },
      onNext: () => {
        back.stack.push(query.cursor || '');
        ctx.go('/shares', Object.assign({}, base, { cursor: page.nextCursor }));
      },
      testid: 'shares-pager',
    }));
  });
}
