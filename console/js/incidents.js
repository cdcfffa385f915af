// #/incidents : who and what a vendor received in a window (GDPR Art. 33/34), from
// GET /v1/incidents/impact. The form's values live in the fragment.
import { h, section, load, show, field, dayToTime, empty, dl, time } from './dom.js';
import { get } from './api.js';
import { sortableTable } from './table.js';

export async function render(ctx) {
  const { root, query } = ctx;
  root.appendChild(h('h1', null, 'Incident impact'));
  const vendor = h('input', { type: 'text', name: 'vendor', value: query.vendor || '', list: 'incident-vendors', required: true, autocomplete: 'off' });
  const since = h('input', { type: 'date', name: 'since', value: query.since || '' });
  const until = h('input', { type: 'date', name: 'until', value: query.until || '' });
  const datalist = h('datalist', { id: 'incident-vendors' });
  const form = h('form', { class: 'filters', 'data-testid': 'incident-form' },
    field('Vendor', vendor), field('Since (UTC day)', since, 'Empty: from the first entry.'), field('Until (UTC day)', until, 'Empty: up to now.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'incident-run' }, 'Assess impact')), datalist);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.go('/incidents', { vendor: vendor.value.trim(), since: since.value, until: until.value });
  });
  root.appendChild(form);
  get('/v1/vendors').then((r) => {
    for (const v of r.data.vendors || []) datalist.appendChild(h('option', { value: v.id }));
  }).catch(() => { /* a convenience only */ });
  const panel = section('Impact', { 'data-testid': 'incident-panel' });
  root.appendChild(panel);
  if (!query.vendor) {
    panel.appendChild(empty('Choose the vendor that reported a breach and the window it concerns, then assess the impact: the subjects and categories of data the vendor received.'));
    return;
  }
  await load(panel, async (target) => {
    const report = (await get('/v1/incidents/impact', { vendor: query.vendor, since: dayToTime(query.since), until: dayToTime(query.until, true) })).data;
    target.appendChild(dl([
      ['Vendor', h('a', { href: '#/vendors/' + encodeURIComponent(report.vendor) }, report.vendor)],
      ['Window', `${report.since ? time(report.since) : 'the beginning'} to ${report.until ? time(report.until) : 'now'}`],
      ['Shares', h('span', { 'data-testid': 'impact-shares' }, show(report.shares))],
      ['Subjects affected', h('span', { 'data-testid': 'impact-subjects' }, show(report.subjects))],
      ['Subjects no longer identifiable', `${show(report.unmappableSubjects)} (erased: the log is unlinked from their ids)`],
    ]));
    target.appendChild(h('h3', null, 'Categories received'));
    target.appendChild(sortableTable({
      testid: 'impact-categories',
      rows: report.categories || [],
      sort: { key: 'shares', dir: 'descending' },
      columns: [{ key: 'category', label: 'Category' }, { key: 'shares', label: 'Shares' }],
      emptyMessage: 'No personal data was sent to this vendor in the window.',
    }));
    const ids = report.subjectIds || [];
    target.appendChild(h('h3', null, `Subjects to notify (${ids.length})`));
    target.appendChild(ids.length
      ? sortableTable({
        testid: 'impact-subject-ids',
        rows: ids.map((id) => ({ id })),
        sort: { key: 'id', dir: 'ascending' },
        pageSize: 50,
        columns: [{ key: 'id', label: 'Subject id', cell: (r) => h('a', { href: '#/subjects/' + encodeURIComponent(r.id) }, r.id) }],
      })
      : empty('No identifiable subject.'));
  });
}
