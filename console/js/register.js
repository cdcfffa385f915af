// #/register : upload a DPA (XML). 201 -> the new version; 422 -> every error with its line number.
import { h, clear, section, field, problemBox, busyButton, show, dl } from './dom.js';
import { call } from './api.js';
import { parseAgreement } from './vendor.js';

/** Selects line `n` (1-based) of a textarea and scrolls to it. */
function goToLine(textarea, n) {
  const lines = textarea.value.split('\n');
  const line = Math.max(1, Math.min(n, lines.length));
  let start = 0;
  for (let i = 0; i < line - 1; i += 1) start += lines[i].length + 1;
  textarea.focus();
  textarea.setSelectionRange(start, start + lines[line - 1].length);
  const lineHeight = textarea.scrollHeight / Math.max(1, lines.length);
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

export async function render(ctx) {
  const { root } = ctx;
  root.appendChild(h('h1', null, 'Register a DPA'));
  const xml = h('textarea', { name: 'xml', id: 'dpa-xml', rows: '18', spellcheck: 'false', class: 'mono', placeholder: '<?xml version="1.0" encoding="UTF-8"?>\n<agreement xmlns="urn:vendor-gateway:dpa:1" ...>' });
  const file = h('input', { type: 'file', name: 'file', id: 'dpa-file', accept: '.xml,application/xml,text/xml' });
  const submit = h('button', { type: 'submit', id: 'register-submit' }, 'Register');
  const result = h('div', { class: 'register-result', 'aria-live': 'polite', 'data-testid': 'register-result' });
  file.addEventListener('change', async () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    if (chosen.size > 1 << 20) {
      clear(result).appendChild(problemBox({ problem: { title: 'Too large', detail: 'the file is over 1 MiB, the gateway\u2019s limit' } }));
      return;
    }
    xml.value = await chosen.text();
    clear(result).appendChild(h('p', { class: 'notice', role: 'status' }, `Loaded ${chosen.name} (${chosen.size} bytes). Check it, then register.`));
  });
  const form = h('form', { class: 'stack', 'data-testid': 'register-form' },
    field('Agreement file', file, 'Or paste the XML below.'),
    field('Agreement XML', xml),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(result);
    if (!xml.value.trim()) {
      result.appendChild(problemBox({ problem: { title: 'Nothing to register', detail: 'choose a file or paste the agreement XML first' } }));
      return;
    }
    result.setAttribute('aria-busy', 'true');
    busyButton(submit, async () => {
      try {
        const answer = (await call('POST', '/v1/vendors', { body: xml.value, contentType: 'application/xml' })).data;
        const parsed = parseAgreement(xml.value);
        result.appendChild(h('div', { class: 'notice success', role: 'status', 'data-testid': 'register-ok' },
          h('p', null, `Registered ${answer.vendor} version ${answer.version}: ${answer.status}. `,
            'Someone other than you must approve it. ',
            h('a', { href: '#/vendors/' + encodeURIComponent(answer.vendor), 'data-testid': 'registered-vendor-link' }, `Open ${answer.vendor}`)),
          dl([
            ['Vendor name', parsed ? h('span', { class: 'vendor-name', 'data-testid': 'vendor-name' }, show(parsed.vendor.name)) : null],
            ['Agreement', answer.agreement],
            ['Digest', answer.digest],
            ['Term', `${show(answer.effective)} to ${show(answer.expires)}`],
            ['Registered by', answer.registeredBy],
          ])));
      } catch (error) {
        const errors = error.problem && Array.isArray(error.problem.errors) ? error.problem.errors : [];
        const list = errors.length
          ? h('ol', { class: 'errors', 'data-testid': 'register-errors' }, errors.map((e) => h('li', { 'data-line': e.line },
            h('button', { type: 'button', class: 'link', on: { click: () => goToLine(xml, Number(e.line) || 1) } }, `line ${show(e.line)}`),
            ': ', h('span', { class: 'error-message' }, show(e.message)),
            e.hint ? h('span', { class: 'hint' }, ` (${e.hint})`) : null)))
          : null;
        result.appendChild(problemBox(error, list));
      } finally {
        result.setAttribute('aria-busy', 'false');
      }
    });
  });
  root.appendChild(section('Agreement', null,
    h('p', { class: 'muted' }, 'The XML is validated against contracts/dpa.xsd and checked for meaning; every problem is listed with its line. A registered version is pending until a second person approves it.'),
    form, result));
}
