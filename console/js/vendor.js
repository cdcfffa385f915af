// #/vendors/{id} : the agreement explained, versions with digests and a diff of two, approve / suspend /
// terminate, and a preview form (sample body + consents -> outgoing body and each field's action).
import { h, clear, section, load, badge, show, dl, time, pre, field, select, problemBox, busyButton, problemCode, empty } from './dom.js';
import { get, post, seg, agreementXML } from './api.js';
import { simpleTable } from './table.js';
import { lineDiff, renderDiff } from './diff.js';
import { vendorState, flags } from './vendors.js';

const NS = 'urn:vendor-gateway:dpa:1';

/** The agreement's XML as plain data (DOMParser on an inert XML document; nothing is rendered from it). */
export function parseAgreement(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return null;
  const all = (parent, name) => Array.from(parent.getElementsByTagNameNS(NS, name));
  const one = (parent, name) => all(parent, name)[0] || null;
  const attr = (el, name) => (el && el.hasAttribute(name) ? el.getAttribute(name) : null);
  const root = doc.documentElement;
  const vendor = one(root, 'vendor');
  const term = one(root, 'term');
  const endpoint = one(root, 'endpoint');
  const rights = one(root, 'rights');
  const breach = one(root, 'breachNotification');
  const retention = one(root, 'retention');
  const processing = one(root, 'processing');
  return {
    id: attr(root, 'id'),
    version: attr(root, 'version'),
    vendor: { id: attr(vendor, 'id'), name: attr(vendor, 'name'), country: attr(vendor, 'country'), contact: attr(vendor, 'contact') },
    term: { effective: attr(term, 'effective'), expires: attr(term, 'expires') },
    retentionDays: attr(retention, 'days'),
    regions: all(root, 'region').map((r) => r.textContent.trim()),
    breach: { hours: attr(breach, 'hours'), contact: attr(breach, 'contact') },
    endpoint: { baseURL: attr(endpoint, 'baseURL'), services: endpoint ? all(endpoint, 'allowedService').map((s) => s.textContent.trim()) : [] },
    rights: rights ? { endpoint: attr(rights, 'endpoint'), respondWithinDays: attr(rights, 'respondWithinDays') || '30', types: all(rights, 'request').map((r) => attr(r, 'type')) } : null,
    prohibited: processing ? all(processing, 'prohibited').map((p) => attr(p, 'ref')) : [],
    subprocessors: all(root, 'subprocessor').map((p) => ({ name: attr(p, 'name'), country: attr(p, 'country'), service: attr(p, 'service') })),
    purposes: processing ? all(processing, 'purpose').map((p) => ({
      ref: attr(p, 'ref'),
      basis: attr(p, 'basis'),
      categories: all(p, 'category').map((c) => ({ ref: attr(c, 'ref'), transform: attr(c, 'transform') })),
    })) : [],
    operations: all(root, 'operation').map((o) => ({
      method: attr(o, 'method'),
      path: attr(o, 'path'),
      records: attr(o, 'records'),
      subject: attr(o, 'subject'),
      fields: all(o, 'field').map((f) => ({ path: attr(f, 'path'), category: attr(f, 'category') })),
      queries: all(o, 'query').map((q) => ({ name: attr(q, 'name'), category: attr(q, 'category') })),
    })),
  };
}

const within = (category, ref) => category === ref || category.startsWith(ref + '.');

/** What leaves for a field under a purpose (the rules of DESIGN's "Decision", without the taxonomy). */
export function leaves(category, purpose, prohibited) {
  if (!category) return 'never (not in the data map)';
  if (!category.startsWith('user')) return 'as is (not personal)';
  if (prohibited.some((p) => within(category, p))) return 'never (prohibited)';
  const match = purpose.categories.filter((c) => within(category, c.ref)).sort((a, b) => b.ref.length - a.ref.length)[0];
  if (!match) return 'never (not allowed for this purpose)';
  const transform = { hash: 'hashed', mask: 'masked', generalize: 'generalised', remove: null }[match.transform || ''];
  if (match.transform === 'remove') return 'never (the agreement removes it)';
  const how = transform || 'as is';
  if (purpose.basis === 'consent') return how + ', with consent';
  if (purpose.basis) return how + ', unless the subject objected';
  return how + ' (basis: the taxonomy\u2019s default for the purpose)';
}

function explanation(agreement) {
  const a = agreement;
  const parts = [];
  parts.push(h('p', { class: 'vendor-name-line' }, 'Vendor name: ', h('strong', { class: 'vendor-name', 'data-testid': 'vendor-name' }, show(a.vendor.name))));
  parts.push(dl([
    ['Agreement', `${show(a.id)} version ${show(a.version)}`],
    ['Vendor', `${show(a.vendor.id)}, ${show(a.vendor.country)}, ${show(a.vendor.contact)}`],
    ['Term', `${show(a.term.effective)} to ${show(a.term.expires)}`],
    ['Retention', a.retentionDays ? `${a.retentionDays} days` : null],
    ['Transfers', a.regions],
    ['Breach notice', a.breach.hours ? `within ${a.breach.hours} h, to ${show(a.breach.contact)}` : null],
    ['Endpoint', a.endpoint.baseURL],
    ['Services', a.endpoint.services],
    ['Rights notices', a.rights
      ? `POST ${a.rights.endpoint} for ${a.rights.types.join(', ')}; answer within ${a.rights.respondWithinDays} days` + (['erasure', 'rectification', 'restriction', 'objection'].some((t) => !a.rights.types.includes(t)) ? `; manual, to ${show(a.vendor.contact)}, for the other types` : '')
      : `manual, to ${show(a.vendor.contact)} (the agreement names no rights endpoint)`],
    ['Never', a.prohibited.length ? a.prohibited : 'nothing prohibited beyond the data map'],
    ['Sub-processors', a.subprocessors.map((p) => `${show(p.name)} (${show(p.country)}, ${show(p.service)})`)],
  ]));
  for (const purpose of a.purposes) {
    const block = h('div', { class: 'purpose', 'data-purpose': purpose.ref });
    block.appendChild(h('h3', null, `Purpose ${purpose.ref}`, h('span', { class: 'muted' }, ` \u2014 basis ${purpose.basis || 'taxonomy default'}`)));
    block.appendChild(h('p', null, 'Categories: ', purpose.categories.map((c, i) => [i ? ', ' : '', h('code', null, c.ref), c.transform ? ` (${c.transform})` : ''])));
    for (const operation of a.operations) {
      let heading = `${operation.method} ${operation.path}`;
      if (operation.records) heading += `, one record per ${operation.records}`;
      if (operation.subject) heading += `, subject ${operation.subject}`;
      const rows = operation.fields.map((f) => ({ path: f.path, category: f.category, leaves: leaves(f.category, purpose, a.prohibited) }))
        .concat(operation.queries.map((q) => ({ path: '?' + q.name, category: q.category, leaves: leaves(q.category, purpose, a.prohibited) })))
        .concat([{ path: 'anything else', category: '', leaves: 'never (not in the data map)' }]);
      block.appendChild(h('h4', null, heading));
      block.appendChild(simpleTable([
        { label: 'Field', cell: (r) => h('code', null, r.path) },
        { label: 'Category', key: 'category' },
        { label: 'Leaves', cell: (r) => h('span', { class: r.leaves.startsWith('never') ? 'leaves-never' : 'leaves-yes' }, r.leaves) },
      ], rows, { 'data-testid': 'explain-fields' }));
    }
    parts.push(block);
  }
  return parts;
}

/** A sample body for an operation, built from its data map paths. */
export function sampleBody(operation) {
  const sampleFor = (category, name) => {
    const c = category || '';
    if (c.includes('email')) return 'alice@example.com';
    if (c.includes('ip_address')) return '203.0.113.7';
    if (c.includes('credit_card') || c.includes('financial')) return '4111111111111111';
    if (c.includes('unique_id')) return 'u-1001';
    if (c.includes('date_of_birth')) return '1990-04-01';
    if (c.includes('phone')) return '+44 20 7946 0000';
    if (c.includes('name.first')) return 'Alice';
    if (c.includes('name.last')) return 'Example';
    if (c.startsWith('system')) return 'sample-' + name;
    return 'sample ' + name;
  };
  const root = {};
  let recordArray = null;
  const recordsPath = operation.records ? parsePath(operation.records) : null;
  const record = {};
  if (recordsPath) {
    recordArray = [record];
    placeAt(root, recordsPath.segments.filter((x) => x !== '*'), recordArray);
  }
  for (const f of operation.fields) {
    const path = parsePath(f.path);
    if (!path) continue;
    const target = path.root === '@' && recordsPath ? record : root;
    const last = [...path.segments].reverse().find((x) => x !== '*') || 'value';
    placeAt(target, path.segments, sampleFor(f.category, last));
  }
  return recordsPath || operation.fields.length ? root : null;
}

function parsePath(text) {
  if (!text || (text[0] !== '$' && text[0] !== '@')) return null;
  const segments = [];
  const re = /\.([^.[]+)|\[\*\]/g;
  let m;
  while ((m = re.exec(text.slice(1)))) segments.push(m[1] !== undefined ? m[1] : '*');
  return { root: text[0], segments };
}

function placeAt(target, segments, value) {
  let node = target;
  for (let i = 0; i < segments.length; i += 1) {
    const key = segments[i];
    const lastOne = i === segments.length - 1;
    const nextIsArray = segments[i + 1] === '*';
    if (key === '*') {
      if (!Array.isArray(node)) return;
      if (lastOne) { node.push(value); return; }
      if (!node.length) node.push(nextIsArray ? [] : {});
      node = node[0];
      continue;
    }
    if (lastOne) { node[key] = value; return; }
    if (node[key] === undefined || typeof node[key] !== 'object') node[key] = nextIsArray ? [] : {};
    node = node[key];
  }
}

function previewForm(vendorId, agreement, output) {
  const form = h('form', { class: 'stack', 'data-testid': 'preview-form', novalidate: true });
  const purposes = agreement ? agreement.purposes.map((p) => p.ref) : [];
  const operations = agreement ? agreement.operations : [];
  const purpose = purposes.length ? select('purpose', purposes, purposes[0]) : h('input', { name: 'purpose', type: 'text', required: true });
  const operation = operations.length
    ? select('operation', operations.map((o, i) => [String(i), `${o.method} ${o.path}`]), '0')
    : h('input', { name: 'operation', type: 'text', placeholder: 'POST /events', required: true });
  const subject = h('input', { name: 'subject', type: 'text', autocomplete: 'off', placeholder: 'only for operations without a subject path' });
  const body = h('textarea', { name: 'body', rows: '10', spellcheck: 'false', class: 'mono' });
  const consents = h('textarea', { name: 'consents', rows: '6', spellcheck: 'false', class: 'mono' });
  const gpc = h('input', { type: 'checkbox', name: 'gpc' });
  let bodyEdited = false;
  let consentsEdited = false;
  body.addEventListener('input', () => { bodyEdited = true; });
  consents.addEventListener('input', () => { consentsEdited = true; });
  const currentOperation = () => (operations.length ? operations[Number(operation.value)] : null);
  const fillBody = () => {
    if (bodyEdited) return;
    const op = currentOperation();
    const sample = op ? sampleBody(op) : null;
    body.value = sample ? JSON.stringify(sample, null, 2) : '';
  };
  const fillConsents = () => {
    if (consentsEdited) return;
    consents.value = JSON.stringify([{ purpose: purpose.value, vendor: vendorId, status: 'granted', givenAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), source: 'console-preview' }], null, 2);
  };
  operation.addEventListener('change', fillBody);
  purpose.addEventListener('change', fillConsents);
  fillBody();
  fillConsents();
  const submit = h('button', { type: 'submit', id: 'preview-submit' }, 'Preview');
  form.append(
    h('div', { class: 'row' }, field('Purpose', purpose), field('Operation', operation), field('Subject (Share-Subject)', subject)),
    field('Sample body (JSON)', body, 'What an internal service would send. Edited text is kept when you change the operation.'),
    field('Hypothetical consents (JSON array)', consents, 'Consent records as the consent platform would push them; without "subject" a record applies to every subject of the sample.'),
    h('div', { class: 'field inline' }, gpc, h('label', { for: gpc.id = 'preview-gpc' }, 'The end user sent Global Privacy Control (Sec-GPC: 1)')),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(output);
    const request = { vendor: vendorId, purpose: purpose.value };
    const op = currentOperation();
    if (op) {
      request.method = op.method;
      request.operation = op.path;
    } else {
      const [method, ...rest] = operation.value.trim().split(/\s+/);
      request.method = method;
      request.operation = rest.join(' ');
    }
    try {
      if (body.value.trim()) request.body = JSON.parse(body.value);
      if (consents.value.trim()) request.consents = JSON.parse(consents.value);
    } catch (error) {
      output.appendChild(problemBox({ problem: { title: 'Invalid JSON', detail: 'the sample body or the consents are not JSON: ' + error.message } }));
      return;
    }
    if (subject.value) request.subject = subject.value;
    if (gpc.checked) request.gpc = true;
    output.setAttribute('aria-busy', 'true');
    busyButton(submit, async () => {
      try {
        const result = (await post('/v1/preview', request)).data;
        output.appendChild(previewResult(result));
      } catch (error) {
        output.appendChild(problemBox(error, error.problem && Array.isArray(error.problem.errors) ? errorList(error.problem.errors) : null));
      } finally {
        output.setAttribute('aria-busy', 'false');
      }
    });
  });
  return form;
}

export function errorList(errors) {
  return h('ul', { class: 'errors' }, errors.map((e) => (typeof e === 'string' ? h('li', null, e)
    : h('li', null, e.line !== undefined ? `line ${e.line}: ` : e.index !== undefined ? `item ${e.index}: ` : '', show(e.message)))));
}

export function previewResult(result) {
  const shared = result.decision === 'shared';
  const box = h('div', { class: 'preview-result', 'data-testid': 'preview-result', 'data-decision': result.decision });
  box.appendChild(h('p', { class: 'decision' }, 'Decision: ', badge(show(result.decision), shared ? 'active' : 'expired'),
    result.contract ? ` \u2014 against ${result.contract.id} version ${result.contract.version} (${result.contract.status}), ${result.contract.digest}` : ''));
  if (result.reason && typeof result.reason === 'object') {
    box.appendChild(h('p', { class: 'refusal' }, h('strong', null, problemCode(result.reason.type)), ': ', show(result.reason.detail)));
  }
  box.appendChild(h('h3', null, 'Outgoing body'));
  box.appendChild(result.body === null || result.body === undefined
    ? h('p', { class: 'empty', 'data-testid': 'preview-body' }, shared ? 'No body is sent.' : 'Nothing is sent.')
    : pre(result.body, { 'data-testid': 'preview-body' }));
  if (result.query && Object.keys(result.query).length) {
    box.appendChild(h('h3', null, 'Outgoing query'));
    box.appendChild(pre(result.query));
  }
  if (Array.isArray(result.fields)) {
    box.appendChild(h('h3', null, `Fields (${result.redactions || 0} redactions)`));
    box.appendChild(result.fields.length ? fieldsTable(result.fields, 'preview-fields') : empty('No fields were decided.'));
  }
  if (result.records) {
    box.appendChild(h('p', null, `Records: ${result.records.sent} of ${result.records.received} sent.`));
    const dropped = (result.records.outcomes || []).filter((o) => !o.kept);
    if (dropped.length) {
      box.appendChild(simpleTable([
        { label: 'Record', key: 'index' },
        { label: 'Kept', cell: (o) => (o.kept ? 'yes' : 'no') },
        { label: 'Reason', key: 'reason' },
      ], result.records.outcomes, { 'data-testid': 'preview-records' }));
    }
  }
  return box;
}

/** [{path, category, action, reason, count}] as a table. */
export function fieldsTable(fields, testid) {
  return simpleTable([
    { label: 'Path', cell: (f) => h('code', null, show(f.path)) },
    { label: 'Category', key: 'category' },
    { label: 'Action', cell: (f) => h('span', { class: 'action action-' + String(f.action).replace(/[^a-z]/g, '') }, show(f.action)) },
    { label: 'Reason', key: 'reason' },
    { label: 'Count', key: 'count' },
  ], fields, { 'data-testid': testid });
}

function actionsPanel(ctx, id, detail, result, reload) {
  const panel = section('Approval and status', { 'data-testid': 'vendor-actions' });
  if (!ctx.can('register')) {
    panel.appendChild(h('p', { class: 'muted' }, 'Approving, suspending and terminating is for the procurement role.'));
    return panel;
  }
  const state = vendorState(detail);
  const act = (button, verb, done) => busyButton(button, async () => {
    clear(result);
    try {
      const answer = (await post(`/v1/vendors/${seg(id)}/${verb}`)).data;
      result.appendChild(h('p', { class: 'notice success', role: 'status', 'data-testid': 'action-result' }, done(answer)));
      await reload();
    } catch (error) {
      result.appendChild(problemBox(error));
    }
  });
  const canApprove = detail.pendingVersion != null || detail.status === 'suspended';
  const approve = h('button', {
    type: 'button', id: 'approve', 'data-action': 'approve', disabled: !canApprove,
    title: canApprove ? null : 'No version is waiting for approval',
  }, detail.status === 'suspended' && detail.pendingVersion == null ? 'Reinstate' : `Approve${detail.pendingVersion != null ? ' version ' + detail.pendingVersion : ''}`);
  approve.addEventListener('click', () => act(approve, 'approve', (a) => `Version ${a.version} approved by ${show(a.approvedBy)}; status ${a.status}.`));
  const suspend = h('button', { type: 'button', id: 'suspend', class: 'secondary', 'data-action': 'suspend' }, 'Suspend');
  suspend.addEventListener('click', () => act(suspend, 'suspend', (v) => `Vendor ${v.id} is now ${v.status}; it receives nothing from the next request on.`));
  const terminate = h('button', { type: 'button', id: 'terminate', class: 'danger', 'data-action': 'terminate' }, 'Terminate\u2026');
  const confirmBox = h('div', { class: 'confirm', hidden: true, 'data-testid': 'terminate-confirm' });
  const really = h('button', { type: 'button', id: 'terminate-confirm', class: 'danger' }, 'Terminate for good');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  confirmBox.append(h('p', null, 'Termination is final: the vendor can never receive data again, and no new version can be registered.'), really, ' ', cancel);
  terminate.addEventListener('click', () => { confirmBox.hidden = false; really.focus(); });
  cancel.addEventListener('click', () => { confirmBox.hidden = true; terminate.focus(); });
  really.addEventListener('click', () => act(really, 'terminate', (v) => `Vendor ${v.id} is terminated.`));
  if (detail.status === 'terminated') {
    panel.appendChild(h('p', null, 'This vendor is terminated; nothing can change it.'));
  } else {
    panel.appendChild(h('p', { class: 'muted' }, `Status: ${state.label}. A version is approved by someone other than who registered it (two-person rule).`));
    panel.appendChild(h('div', { class: 'actions' }, approve, suspend, terminate));
    panel.appendChild(confirmBox);
  }
  return panel;
}

function versionsPanel(id, detail) {
  const panel = section('Versions', { 'data-testid': 'vendor-versions' });
  const versions = detail.versions || [];
  if (!versions.length) {
    panel.appendChild(empty('No versions.'));
    return panel;
  }
  const xmlArea = h('div', { class: 'xml-view' });
  panel.appendChild(simpleTable([
    { label: 'Version', key: 'version' },
    { label: 'Status', cell: (v) => badge(v.status, v.status === 'approved' ? 'active' : v.status === 'pending' ? 'pending' : 'muted') },
    { label: 'Digest', cell: (v) => h('code', { class: 'digest' }, show(v.digest)) },
    { label: 'Term', cell: (v) => `${show(v.effective)} to ${show(v.expires)}` },
    { label: 'Registered', cell: (v) => `${show(v.registeredBy)}, ${time(v.registeredAt)}` },
    { label: 'Approved', cell: (v) => (v.approvedBy ? `${v.approvedBy}, ${time(v.approvedAt)}` : '\u2014') },
    {
      label: 'XML', cell: (v) => h('button', {
        type: 'button', class: 'secondary small', 'data-version': v.version,
        on: {
          click: async (event) => {
            clear(xmlArea);
            await busyButton(event.currentTarget, () => load(xmlArea, async (target) => {
              const got = await agreementXML(id, v.version);
              const matches = got.computed ? got.computed === v.digest : null;
              target.appendChild(h('p', { class: 'summary' }, `Version ${v.version}: ${show(got.digest)}`,
                matches === null ? '' : matches ? ' \u2014 the bytes match the registered digest.' : ' \u2014 the bytes do NOT match the registered digest.'));
              target.appendChild(pre(got.xml, { 'data-testid': 'version-xml' }));
            }));
          },
        },
      }, `View v${v.version}`),
    },
  ], versions.slice().reverse(), { 'data-testid': 'versions-table' }));
  panel.appendChild(xmlArea);
  if (versions.length >= 2) {
    const numbers = versions.map((v) => String(v.version));
    const from = select('from', numbers, numbers[numbers.length - 2]);
    const to = select('to', numbers, numbers[numbers.length - 1]);
    const out = h('div', { class: 'diff-out' });
    const button = h('button', { type: 'submit' }, 'Show diff');
    const form = h('form', { class: 'row', 'data-testid': 'diff-form' }, field('From version', from), field('To version', to), h('div', { class: 'actions' }, button));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clear(out);
      busyButton(button, () => load(out, async (target) => {
        const [a, b] = await Promise.all([agreementXML(id, from.value), agreementXML(id, to.value)]);
        target.appendChild(renderDiff(lineDiff(a.xml, b.xml)));
      }, 'Comparing\u2026'));
    });
    panel.appendChild(h('h3', null, 'Compare two versions'));
    panel.appendChild(form);
    panel.appendChild(out);
  } else {
    panel.appendChild(h('p', { class: 'muted' }, 'A diff needs two versions; this vendor has one.'));
  }
  return panel;
}

export async function render(ctx) {
  const { root, params } = ctx;
  const id = params.id;
  root.appendChild(h('p', { class: 'crumbs' }, h('a', { href: '#/vendors' }, 'Vendors'), ' / ', id));
  root.appendChild(h('h1', null, 'Vendor ', h('span', { class: 'vendor-id', 'data-testid': 'vendor-id' }, id)));
  const result = h('div', { class: 'action-result', 'aria-live': 'polite' });
  const content = h('div', { class: 'vendor-content' });
  root.appendChild(result);
  root.appendChild(content);
  const reload = async () => {
    clear(content);
    await load(content, async (target) => {
      const detail = (await get(`/v1/vendors/${seg(id)}`)).data;
      const state = vendorState(detail);
      const latest = (detail.versions || []).slice(-1)[0];
      target.appendChild(section('Summary', { 'data-testid': 'vendor-summary' },
        h('p', null, 'Status: ', h('span', { 'data-testid': 'vendor-status', 'data-status': detail.status }, badge(state.label, state.kind)), ' ', flags(detail)),
        dl([
          ['Agreement', detail.agreement],
          ['Version in force', detail.currentVersion],
          ['Awaiting approval', detail.pendingVersion],
          ['Term ends', detail.expires ? `${detail.expires} (${detail.daysToExpiry} days)` : latest ? `${latest.expires} (version ${latest.version}, ${latest.status})` : null],
          ['Status changed', detail.statusChangedBy ? `${detail.statusChangedBy}, ${time(detail.statusChangedAt)}` : null],
        ])));
      target.appendChild(actionsPanel(ctx, id, detail, result, reload));
      const explainPanel = section('The agreement explained', { 'data-testid': 'vendor-explanation' });
      const previewPanel = section('Preview a request', { 'data-testid': 'vendor-preview' });
      target.appendChild(explainPanel);
      target.appendChild(versionsPanel(id, detail));
      target.appendChild(previewPanel);
      let agreement = null;
      if (latest) {
        await load(explainPanel, async (panel) => {
          const got = await agreementXML(id, latest.version);
          agreement = parseAgreement(got.xml);
          panel.appendChild(h('p', { class: 'muted' }, `Version ${latest.version} (${latest.status}), the latest registered.`));
          if (typeof detail.explanation === 'string') {
            if (agreement) panel.appendChild(h('p', { class: 'vendor-name-line' }, 'Vendor name: ', h('strong', { class: 'vendor-name', 'data-testid': 'vendor-name' }, show(agreement.vendor.name))));
            panel.appendChild(pre(detail.explanation, { 'data-testid': 'explanation-text' }));
          } else if (agreement) {
            panel.append(...explanation(agreement));
            panel.appendChild(h('p', { class: 'hint' }, 'Worked out in the browser from the agreement\u2019s XML; `gatewayd contracts explain` gives the gateway\u2019s own wording (it also knows which categories are sensitive).'));
          } else {
            panel.appendChild(problemBox({ problem: { title: 'Unreadable', detail: 'the agreement XML could not be read in the browser' } }));
          }
        });
      } else {
        explainPanel.appendChild(empty('No version is registered.'));
      }
      if (ctx.can('register')) {
        const output = h('div', { class: 'preview-out', 'aria-live': 'polite' });
        previewPanel.append(
          h('p', { class: 'muted' }, 'Nothing is sent and nothing is logged as a share. The latest registered version is used, pending included.'),
          previewForm(id, agreement, output), output);
      } else {
        previewPanel.appendChild(h('p', { class: 'muted' }, 'Previews are for the procurement role.'));
      }
    });
  };
  await reload();
}
