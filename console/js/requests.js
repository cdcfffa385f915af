// #/requests : rights requests with each recipient's status, overdue first; the consent role confirms
// a recipient's answer. Filters and the cursor live in the fragment.
import { h, clear, section, load, badge, show, time, field, select, problemBox, busyButton, empty } from './dom.js';
import { get, post, seg } from './api.js';
import { simpleTable, pager } from './table.js';

const FILTERS = ['type', 'status', 'vendor', 'overdue', 'limit'];
const back = { key: '', stack: [] };

export function reset() {
  back.key = '';
  back.stack = [];
}

/** A recipient is overdue when the gateway says so, or when it is past respondBy and not confirmed. */
export function isRecipientOverdue(r) {
  if (r.status === 'overdue' || r.overdue === true) return true;
  // The gateway lists an outstanding recipient past respondBy as `overdue` (its stored state in `delivery`);
  // work it out only from an answer that does not say.
  if (r.delivery !== undefined || r.overdue === false) return false;
  if (!['pending', 'failed', 'manual'].includes(r.status) || !r.respondBy) return false;
  const due = Date.parse(r.respondBy);
  return Number.isFinite(due) && due < Date.now();
}

export function overdueRecipients(request) {
  return (request.recipients || []).filter(isRecipientOverdue);
}

export function isRequestOverdue(request) {
  if (typeof request.overdue === 'boolean') return request.overdue;
  return overdueRecipients(request).length > 0;
}

/** What happened to the notice: state, attempts, the vendor's answer, who confirmed. */
function deliveryCell(r) {
  const parts = [];
  if (r.channel === 'api') {
    parts.push(`${show(r.attempts)} attempt${r.attempts === 1 ? '' : 's'}`);
    if (r.upstreamStatus !== null && r.upstreamStatus !== undefined) parts.push(`vendor answered ${r.upstreamStatus}`);
    if (r.notifiedAt) parts.push(`notified ${time(r.notifiedAt)}`);
    if (r.nextAttemptAt) parts.push(`next try ${time(r.nextAttemptAt)}`);
  }
  if (r.confirmedAt) parts.push(`confirmed ${time(r.confirmedAt)}${r.confirmedBy ? ' by ' + r.confirmedBy : ''}`);
  const out = [h('span', null, parts.length ? parts.join('; ') : '\u2014')];
  if (r.lastError) out.push(h('span', { class: 'error-message' }, ` Last error: ${r.lastError}`));
  return out;
}

const STATUS_KIND = { pending: 'pending', notified: 'active', confirmed: 'active', failed: 'expired', manual: 'expiring', overdue: 'expired', open: 'pending', done: 'active' };

/** The recipients of a request, with a confirm form per recipient when `canConfirm`. */
export function recipientsTable(request, { canConfirm, onChanged, testid }) {
  const recipients = request.recipients || [];
  if (!recipients.length) {
    return empty('No recipients: no vendor received this subject\u2019s data (per the share log), so nobody needs to be told.');
  }
  const columns = [
    { label: 'Vendor', cell: (r) => h('a', { href: '#/vendors/' + encodeURIComponent(r.vendor) }, r.vendor) },
    { label: 'Channel', cell: (r) => [show(r.channel), r.contact ? h('span', { class: 'muted' }, ` (${r.contact})`) : null] },
    {
      label: 'Status', cell: (r) => h('span', { class: 'badges', 'data-testid': 'recipient-status' },
        badge(show(r.status), STATUS_KIND[r.status] || 'muted'),
        isRecipientOverdue(r) && r.status !== 'overdue' ? badge('overdue', 'expired') : null,
        r.status === 'overdue' && r.delivery ? h('span', { class: 'muted' }, `(${r.delivery})`) : null),
    },
    { label: 'Respond by', cell: (r) => time(r.respondBy) },
    { label: 'Delivery', cell: deliveryCell },
  ];
  if (canConfirm) {
    columns.push({
      label: 'Confirm', cell: (r) => {
        if (r.status === 'confirmed') return r.note ? `confirmed: ${r.note}` : 'confirmed';
        const note = h('input', { type: 'text', name: 'note', placeholder: 'what the vendor confirmed', 'aria-label': `Note for ${r.vendor}`, autocomplete: 'off' });
        const button = h('button', { type: 'submit', class: 'small', 'data-testid': 'confirm-recipient' }, 'Confirm');
        const out = h('div', { class: 'confirm-out' });
        const form = h('form', { class: 'inline-form', 'data-vendor': r.vendor }, note, button, out);
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          clear(out);
          busyButton(button, async () => {
            try {
              const answer = await post(`/v1/requests/${seg(request.id)}/recipients/${seg(r.vendor)}/confirm`, { note: note.value.trim() ? note.value.trim() : null });
              if (onChanged) onChanged(answer.data);
            } catch (error) {
              out.appendChild(problemBox(error));
            }
          });
        });
        return form;
      },
    });
  }
  return simpleTable(columns, recipients, { 'data-testid': testid || 'recipients-table' });
}

/** One request as a card. */
export function requestCard(request, options) {
  const card = h('article', { class: 'request-card' + (isRequestOverdue(request) ? ' overdue' : ''), 'data-testid': 'request', 'data-request-id': request.id });
  const fill = (req) => {
    clear(card);
    card.className = 'request-card' + (isRequestOverdue(req) ? ' overdue' : '');
    card.append(
      h('header', { class: 'request-head' },
        h('h3', null, `${show(req.type)} `, h('code', null, show(req.id))),
        h('span', { class: 'badges' }, badge(show(req.status), STATUS_KIND[req.status] || 'muted'), isRequestOverdue(req) ? badge('overdue', 'expired') : null)),
      h('p', { class: 'muted' }, `Filed ${time(req.createdAt)}`, req.createdBy ? ` by ${req.createdBy}` : '',
        req.doneAt ? `, done ${time(req.doneAt)}` : '',
        req.reference ? `, reference ${req.reference}` : '',
        Array.isArray(req.purposes) && req.purposes.length ? `, purposes ${req.purposes.join(', ')}` : '',
        Array.isArray(req.categories) && req.categories.length ? `, categories ${req.categories.join(', ')}` : ''),
      recipientsTable(req, Object.assign({}, options, {
        onChanged: async (updated) => {
          if (updated && Array.isArray(updated.recipients)) {
            fill(updated);
            return;
          }
          try {
            fill((await get(`/v1/requests/${seg(req.id)}`)).data);
          } catch (error) {
            card.appendChild(problemBox(error));
          }
        },
      })),
    );
  };
  fill(request);
  return card;
}

function filterKey(query) {
  return FILTERS.map((k) => `${k}=${query[k] || ''}`).join('&');
}

export async function render(ctx) {
  const { root, query } = ctx;
  root.appendChild(h('h1', null, 'Rights requests'));
  const key = filterKey(query);
  if (back.key !== key) { back.key = key; back.stack = []; }
  const inputs = {
    type: select('type', [['', 'any'], 'erasure', 'rectification', 'restriction', 'objection'], query.type || ''),
    status: select('status', [['', 'any'], 'open', 'done'], query.status || ''),
    vendor: h('input', { type: 'text', name: 'vendor', value: query.vendor || '', autocomplete: 'off' }),
    overdue: h('input', { type: 'checkbox', name: 'overdue', checked: query.overdue === 'true' }),
    limit: select('limit', [['25', '25'], ['50', '50'], ['100', '100']], query.limit || '50'),
  };
  const form = h('form', { class: 'filters', role: 'search', 'data-testid': 'requests-filters' },
    field('Type', inputs.type), field('Status', inputs.status), field('Vendor', inputs.vendor),
    h('div', { class: 'field inline' }, inputs.overdue, h('label', { for: inputs.overdue.id = 'requests-overdue' }, 'Overdue only')),
    field('Per page', inputs.limit),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'requests-apply' }, 'Apply'), h('a', { href: '#/requests', class: 'button-link secondary' }, 'Clear')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.go('/requests', {
      type: inputs.type.value, status: inputs.status.value, vendor: inputs.vendor.value.trim(),
      overdue: inputs.overdue.checked ? 'true' : '', limit: inputs.limit.value === '50' ? '' : inputs.limit.value,
    });
  });
  root.appendChild(form);
  const panel = section('Requests', { 'data-testid': 'requests-panel' });
  root.appendChild(panel);
  const canConfirm = ctx.role === 'consent' || ctx.role === 'admin';
  await load(panel, async (target) => {
    const page = (await get('/v1/requests', {
      type: query.type, status: query.status, vendor: query.vendor, overdue: query.overdue === 'true' ? 'true' : '',
      cursor: query.cursor, limit: Number(query.limit) || 50,
    })).data;
    const requests = (page.requests || []).slice().sort((a, b) => {
      const o = Number(isRequestOverdue(b)) - Number(isRequestOverdue(a));
      if (o) return o;
      return String(a.createdAt) < String(b.createdAt) ? -1 : String(a.createdAt) > String(b.createdAt) ? 1 : 0;
    });
    if (!requests.length) {
      target.appendChild(empty(Object.keys(query).some((k) => FILTERS.includes(k) && query[k])
        ? 'No request matches these filters.'
        : 'No rights requests yet. The consent role files one from a subject\u2019s page (Subjects).'));
    } else {
      const overdueCount = requests.filter(isRequestOverdue).length;
      target.appendChild(h('p', { class: 'summary' }, `${requests.length} requests on this page, ${overdueCount} overdue (listed first).`));
      target.appendChild(h('div', { class: 'request-list', 'data-testid': 'requests-list' },
        requests.map((r) => requestCard(r, { canConfirm }))));
    }
    const base = {};
    for (const name of FILTERS) base[name] = query[name];
    target.appendChild(pager({
      label: `Page ${back.stack.length + 1}`,
      hasPrevious: Boolean(query.cursor),
      hasNext: Boolean(page.nextCursor),
      onPrevious: () => ctx.go('/requests', Object.assign({}, base, { cursor: back.stack.pop() || '' })),
      onNext: () => { back.stack.push(query.cursor || ''); ctx.go('/requests', Object.assign({}, base, { cursor: page.nextCursor })); },
      testid: 'requests-pager',
    }));
  });
}
