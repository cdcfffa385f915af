// #/vendors : every vendor, pending approvals first; status, version, term; expiring and expired flagged.
// Sorting, paging and the text filter are client-side and kept in the fragment.
import { h, load, badge, show, field } from './dom.js';
import { get } from './api.js';
import { sortableTable } from './table.js';

const PAGE_SIZE = 20;

/** What a vendor summary (GET /v1/vendors) means for people. */
export function vendorState(v) {
  if (v.status === 'terminated') return { label: 'terminated', kind: 'terminated' };
  if (v.status === 'suspended') return { label: 'suspended', kind: 'suspended' };
  if (v.currentVersion == null && v.pendingVersion != null) return { label: 'pending approval', kind: 'pending' };
  if (v.currentVersion == null) return { label: 'no approved version', kind: 'pending' };
  return { label: 'active (approved)', kind: 'active' };
}

export function flags(v) {
  const out = [];
  if (v.pendingVersion != null) out.push(badge(`v${v.pendingVersion} pending`, 'pending'));
  if (v.expired) out.push(badge('expired', 'expired'));
  else if (v.expiringSoon) out.push(badge(`expires in ${v.daysToExpiry} d`, 'expiring'));
  return h('span', { class: 'badges' }, out);
}

export async function render(ctx) {
  const { root, query } = ctx;
  root.appendChild(h('h1', null, 'Vendors'));
  const filterInput = h('input', { type: 'search', name: 'q', value: query.q || '', placeholder: 'vendor id contains\u2026', autocomplete: 'off' });
  const body = h('div', { class: 'panel', 'data-testid': 'vendors-panel' });
  root.appendChild(h('form', { class: 'filters', role: 'search', 'data-testid': 'vendors-filter', on: { submit: (e) => { e.preventDefault(); ctx.go('/vendors', { q: filterInput.value.trim() }); } } },
    field('Filter', filterInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter')),
    ctx.can('register') ? h('p', { class: 'aside' }, h('a', { href: '#/register' }, 'Register a new DPA')) : null));
  root.appendChild(body);
  await load(body, async (target) => {
    const all = (await get('/v1/vendors')).data.vendors || [];
    const needle = (query.q || '').toLowerCase();
    const rows = needle ? all.filter((v) => String(v.id).toLowerCase().includes(needle) || String(v.name || '').toLowerCase().includes(needle)) : all;
    const hasName = rows.some((v) => typeof v.name === 'string');
    const pending = all.filter((v) => v.pendingVersion != null).length;
    const expiring = all.filter((v) => v.expiringSoon).length;
    const expired = all.filter((v) => v.expired).length;
    target.appendChild(h('p', { class: 'summary', 'data-testid': 'vendors-summary' },
      `${all.length} vendors; ${pending} awaiting approval, ${expiring} expiring within 30 days, ${expired} expired.`));
    const columns = [
      { key: 'id', label: 'Vendor', cell: (v) => h('a', { href: '#/vendors/' + encodeURIComponent(v.id), 'data-vendor': v.id }, v.id) },
    ];
    if (hasName) columns.push({ key: 'name', label: 'Name' });
    columns.push(
      { key: 'agreement', label: 'Agreement' },
      { key: 'status', label: 'Status', value: (v) => vendorState(v).label, cell: (v) => badge(vendorState(v).label, vendorState(v).kind) },
      { key: 'currentVersion', label: 'Version', cell: (v) => show(v.currentVersion) },
      { key: 'pendingVersion', label: 'Pending', cell: (v) => show(v.pendingVersion) },
      { key: 'expires', label: 'Term ends', cell: (v) => show(v.expires) },
      { key: 'daysToExpiry', label: 'Days left', cell: (v) => show(v.daysToExpiry) },
      { key: 'flags', label: 'Flags', value: (v) => (v.expired ? 0 : v.expiringSoon ? 1 : 2), cell: flags },
    );
    const sort = query.sort ? { key: query.sort, dir: query.dir === 'descending' ? 'descending' : 'ascending' } : { key: 'id', dir: 'ascending' };
    target.appendChild(sortableTable({
      testid: 'vendors-table',
      rows,
      columns,
      sort,
      page: query.page,
      pageSize: PAGE_SIZE,
      pinned: (v) => (v.pendingVersion != null ? 0 : 1),
      rowClass: (v) => (v.expired ? 'row-expired' : v.expiringSoon ? 'row-expiring' : v.pendingVersion != null ? 'row-pending' : null),
      emptyMessage: needle ? 'No vendor matches this filter. Clear it to see every vendor.' : 'No vendors are registered yet. Procurement registers one from \u201cRegister a DPA\u201d.',
      onState: (state) => ctx.remember('/vendors', { q: query.q, sort: state.sort.key, dir: state.sort.dir, page: state.page > 1 ? state.page : '' }),
    }));
  });
}
