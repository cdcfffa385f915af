// #/subjects/{id} : consent history, disclosures (GDPR Art. 15(1)(c)), rights requests filed in this tab,
// and a form to file one. The id is percent-encoded in the fragment and in every API path.
import { h, clear, section, load, badge, show, time, field, select, problemBox, busyButton, empty } from './dom.js';
import { get, post, call, seg } from './api.js';
import { simpleTable } from './table.js';
import { requestCard } from './requests.js';
import { errorList } from './vendor.js';

// Requests filed from this tab, per subject (memory only: subject ids are not written to storage).
const filed = new Map();

/** Forgets what this tab filed (on sign-out). */
export function reset() {
  filed.clear();
}

const list = (text) => text.split(/[,\n]/).map((x) => x.trim()).filter(Boolean);

function consentTable(records, testid, withId) {
  const columns = [];
  if (withId) columns.push({ label: 'Record', key: 'id' });
  columns.push(
    { label: 'Purpose', key: 'purpose' },
    { label: 'Vendor', cell: (r) => (r.vendor === '*' ? 'all vendors' : show(r.vendor)) },
    { label: 'Status', cell: (r) => [badge(show(r.status), r.status === 'granted' ? 'active' : 'expired'), r.expired ? badge('expired', 'expiring') : null] },
    { label: 'Categories', cell: (r) => (r.categories && r.categories.length ? r.categories.join(', ') : 'all the contract allows') },
    { label: 'Given', cell: (r) => time(r.givenAt) },
    { label: 'Expires', cell: (r) => (r.expiresAt ? time(r.expiresAt) : 'never') },
    { label: 'Source', key: 'source' },
    { label: 'Evidence', key: 'evidence' },
  );
  return simpleTable(columns, records, { 'data-testid': testid });
}

async function consents(target, subject) {
  const data = (await get(`/v1/subjects/${seg(subject)}/consents`)).data;
  const current = data.current || [];
  const history = data.history || [];
  target.appendChild(h('h3', null, 'Current'));
  target.appendChild(current.length ? consentTable(current, 'consents-current', false)
    : empty('No consent records: only purposes with another lawful basis (legitimate interest, contract) can be shared for this subject.'));
  target.appendChild(h('h3', null, `History (${history.length} records, oldest first)`));
  target.appendChild(history.length ? consentTable(history, 'consents-history', true) : empty('No history.'));
}

async function disclosures(target, subject) {
  const data = (await get(`/v1/subjects/${seg(subject)}/disclosures`)).data;
  const recipients = data.recipients || [];
  target.appendChild(recipients.length
    ? simpleTable([
      { label: 'Vendor', cell: (r) => h('a', { href: '#/vendors/' + encodeURIComponent(r.vendor), 'data-vendor': r.vendor }, r.vendor) },
      { label: 'Purposes', cell: (r) => show(r.purposes) },
      { label: 'Categories', cell: (r) => show(r.categories) },
      { label: 'First shared', cell: (r) => time(r.firstShared) },
      { label: 'Last shared', cell: (r) => time(r.lastShared) },
      { label: 'Shares', key: 'shares' },
    ], recipients, { 'data-testid': 'disclosures-table' })
    : empty('No vendor received this subject\u2019s data (or the subject was erased, which unlinks the log).'));
  target.appendChild(h('p', { class: 'muted' }, `Refused requests naming the subject: ${show(data.refusedRequests)}. `,
    h('a', { href: '#/shares?subject=' + encodeURIComponent(subject) }, 'See the entries in the share log')));
}

function filedList(target, subject, canConfirm) {
  clear(target);
  const mine = filed.get(subject) || [];
  if (!mine.length) {
    target.appendChild(empty('No request was filed for this subject from this tab. Every request is listed under Rights requests.'));
  } else {
    for (const request of mine.slice().reverse()) target.appendChild(requestCard(request, { canConfirm, testid: 'request-recipients' }));
  }
  target.appendChild(h('p', null, h('a', { href: '#/requests' }, 'All rights requests')));
}

function requestForm(subject, listTarget, canConfirm, onFiled) {
  const type = select('type', [['erasure', 'erasure (Art. 17)'], ['rectification', 'rectification (Art. 16)'], ['restriction', 'restriction (Art. 18)'], ['objection', 'objection (Art. 21)']], 'erasure');
  const purposes = h('input', { type: 'text', name: 'purposes', autocomplete: 'off', placeholder: 'analytics, marketing.advertising' });
  const categories = h('input', { type: 'text', name: 'categories', autocomplete: 'off', placeholder: 'user.contact.email' });
  const reference = h('input', { type: 'text', name: 'reference', autocomplete: 'off', placeholder: 'DSR-1234' });
  const confirmErasure = h('input', { type: 'checkbox', name: 'confirmErasure', id: 'confirm-erasure' });
  const confirmRow = h('div', { class: 'field inline' }, confirmErasure,
    h('label', { for: 'confirm-erasure' }, 'Erase this subject in the gateway now (consents and the id-to-log link), and refuse later shares naming it.'));
  const submit = h('button', { type: 'submit', id: 'file-request' }, 'File the request');
  const out = h('div', { class: 'file-out', 'aria-live': 'polite' });
  const purposesField = field('Purposes', purposes, 'The purposes objected to; comma-separated.');
  const categoriesField = field('Categories', categories, 'Optional: only vendors that received one of these are told.');
  const sync = () => {
    confirmRow.hidden = type.value !== 'erasure';
    purposesField.hidden = type.value !== 'objection';
    categoriesField.hidden = type.value !== 'rectification';
  };
  type.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'stack', 'data-testid': 'request-form' },
    h('div', { class: 'row' }, field('Type', type), field('Reference', reference, 'Your ticket number (optional).')),
    h('div', { class: 'row' }, purposesField, categoriesField),
    confirmRow,
    h('div', { class: 'actions' }, submit), out);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(out);
    const body = { type: type.value };
    if (body.type === 'objection') body.purposes = list(purposes.value);
    if (body.type === 'rectification' && list(categories.value).length) body.categories = list(categories.value);
    if (reference.value.trim()) body.reference = reference.value.trim();
    if (body.type === 'objection' && !body.purposes.length) {
      out.appendChild(problemBox({ problem: { title: 'Purposes needed', detail: 'an objection names the purposes the subject objects to' } }));
      purposes.focus();
      return;
    }
    if (body.type === 'erasure' && !confirmErasure.checked) {
      out.appendChild(problemBox({ problem: { title: 'Please confirm', detail: 'tick the box to confirm the erasure; it cannot be undone' } }));
      confirmErasure.focus();
      return;
    }
    busyButton(submit, async () => {
      try {
        const response = await post(`/v1/subjects/${seg(subject)}/requests`, body);
        const answer = response.data;
        if (!filed.has(subject)) filed.set(subject, []);
        const mine = filed.get(subject);
        const known = mine.findIndex((r) => r.id === answer.id);
        if (known >= 0) mine[known] = answer; else mine.push(answer);
        out.appendChild(h('p', { class: 'notice success', role: 'status', 'data-testid': 'request-filed' },
          response.status === 200 ? `An identical request is already open: ${show(answer.id)}. ` : `Request ${show(answer.id)} filed: `,
          `${show(answer.type)}, ${show(answer.status)}, ${(answer.recipients || []).length} recipients.`));
        filedList(listTarget, subject, canConfirm);
        if (onFiled) onFiled(answer);
        reference.value = '';
        confirmErasure.checked = false;
      } catch (error) {
        const errors = error.problem && Array.isArray(error.problem.errors) ? error.problem.errors : null;
        out.appendChild(problemBox(error, errors && errors.length > 1 ? errorList(errors) : null));
      }
    });
  });
  return form;
}

function liftRestriction(subject) {
  const button = h('button', { type: 'button', class: 'secondary', id: 'lift-restriction' }, 'Lift a restriction of processing');
  const out = h('div', { 'aria-live': 'polite' });
  button.addEventListener('click', () => busyButton(button, async () => {
    clear(out);
    try {
      await call('DELETE', `/v1/subjects/${seg(subject)}/restriction`);
      out.appendChild(h('p', { class: 'notice success', role: 'status' }, 'The restriction is lifted; shares naming the subject are decided as usual again.'));
    } catch (error) {
      out.appendChild(problemBox(error));
    }
  }));
  return h('div', { class: 'lift' }, button, out);
}

function lookup(ctx, value) {
  const input = h('input', { type: 'text', name: 'subject', id: 'subject-id', value: value || '', autocomplete: 'off', required: true });
  const form = h('form', { class: 'filters', role: 'search', 'data-testid': 'subject-lookup' },
    field('Subject id', input, 'Exactly as your systems send it (any characters).'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'subject-open' }, 'Open')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value) ctx.go('/subjects/' + encodeURIComponent(input.value));
  });
  return form;
}

export async function render(ctx) {
  const { root, params } = ctx;
  const subject = params.id;
  if (subject === undefined) {
    root.appendChild(h('h1', null, 'Subjects'));
    root.appendChild(lookup(ctx, ''));
    root.appendChild(empty('Enter a data subject\u2019s id to see their consent history, which vendors received their data, and to file a rights request.'));
    return;
  }
  root.appendChild(h('p', { class: 'crumbs' }, h('a', { href: '#/subjects/' }, 'Subjects'), ' / ', h('code', null, subject)));
  root.appendChild(h('h1', null, 'Subject ', h('code', { class: 'subject-id', 'data-testid': 'subject-id' }, subject)));
  root.appendChild(lookup(ctx, subject));
  const consentPanel = section('Consent', { 'data-testid': 'subject-consents' });
  const disclosurePanel = section('Disclosures (which vendors received what)', { 'data-testid': 'subject-disclosures' });
  const rightsPanel = section('Rights requests', { 'data-testid': 'subject-requests' });
  root.append(consentPanel, disclosurePanel, rightsPanel);
  const canFile = ctx.role === 'consent' || ctx.role === 'admin';
  const filedTarget = h('div', { class: 'filed', 'data-testid': 'filed-requests' });
  rightsPanel.appendChild(h('h3', null, 'Filed from this tab'));
  rightsPanel.appendChild(filedTarget);
  filedList(filedTarget, subject, canFile);
  if (canFile) {
    rightsPanel.appendChild(h('h3', null, 'File a request'));
    rightsPanel.appendChild(h('p', { class: 'muted' }, 'Every vendor that the share log shows received this subject\u2019s data is told: by its rights API when its agreement has one, otherwise manually at its contact.'));
    // An erasure removes the subject's consents, and a restriction or erasure changes what the log links:
    // show the panels as they are now.
    rightsPanel.appendChild(requestForm(subject, filedTarget, canFile, (answer) => {
      if (answer.type === 'erasure') loadPanels();
    }));
    rightsPanel.appendChild(liftRestriction(subject));
  } else {
    rightsPanel.appendChild(h('p', { class: 'muted' }, 'Filing a request is for the consent role.'));
  }
  await loadPanels();

  function loadPanels() {
    for (const panel of [consentPanel, disclosurePanel]) {
      while (panel.childNodes.length > 1) panel.removeChild(panel.lastChild);
    }
    return Promise.all([
      load(consentPanel, (t) => consents(t, subject)),
      load(disclosurePanel, (t) => disclosures(t, subject)),
    ]);
  }
}
