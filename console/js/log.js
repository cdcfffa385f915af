// #/log : the latest signed checkpoint, tree size, the server-side verification result and the
// checkpoint history.
import { h, clear, section, load, show, time, pre, dl, busyButton, empty } from './dom.js';
import { get, call } from './api.js';
import { sortableTable } from './table.js';

/** A C2SP checkpoint note: origin, tree size, root hash, then a blank line and signatures. */
export function parseCheckpoint(note) {
  const lines = String(note).split('\n');
  const blank = lines.indexOf('');
  return {
    origin: lines[0] || null,
    size: lines[1] && /^\d+$/.test(lines[1]) ? Number(lines[1]) : null,
    rootHash: lines[2] || null,
    signatures: blank >= 0 ? lines.slice(blank + 1).filter(Boolean) : [],
  };
}

async function checkpoint(target) {
  const note = (await call('GET', '/v1/log/checkpoint', { accept: 'text/plain' })).text;
  const parsed = parseCheckpoint(note);
  target.appendChild(dl([
    ['Origin', parsed.origin],
    ['Tree size', h('strong', { id: 'tree-size', 'data-testid': 'tree-size' }, show(parsed.size))],
    ['Root hash', h('code', { class: 'digest' }, show(parsed.rootHash))],
    ['Signatures', `${parsed.signatures.length}`],
  ]));
  target.appendChild(h('details', { open: true }, h('summary', null, 'Signed note (C2SP tlog-checkpoint)'), pre(note, { 'data-testid': 'checkpoint-note' })));
}

async function verify(target) {
  const answer = await call('GET', '/v1/log/verify', { allowStatus: [500] });
  const result = answer.data;
  if (!result || typeof result.ok !== 'boolean') {
    throw Object.assign(new Error('unexpected answer'), { problem: result && result.detail ? result : { status: answer.status, title: 'Unexpected answer', detail: 'the verification answer has no result' } });
  }
  const ok = result.ok === true;
  target.appendChild(h('p', {
    id: 'log-verified', class: ok ? 'verified ok' : 'verified failed', role: ok ? 'status' : 'alert',
    'data-ok': String(ok), 'data-testid': 'log-verified',
  }, ok ? '\u2714 Log verified: ' : '\u2716 Verification FAILED: ', show(result.message)));
  target.appendChild(dl([
    ['Entries rehashed', show(result.treeSize)],
    ['Latest checkpoint covers', result.checkpointSize === null || result.checkpointSize === undefined ? 'no checkpoint yet' : `${result.checkpointSize} entries`],
  ]));
}

async function history(target) {
  const list = (await get('/v1/log/checkpoints', { limit: 100 })).data.checkpoints || [];
  if (!list.length) {
    target.appendChild(empty('No checkpoint yet. One is signed every 1,000 entries and every 10 seconds of activity.'));
    return;
  }
  target.appendChild(sortableTable({
    testid: 'checkpoints-table',
    rows: list,
    sort: { key: 'treeSize', dir: 'descending' },
    pageSize: 20,
    columns: [
      { key: 'time', label: 'Signed', cell: (c) => time(c.time) },
      { key: 'treeSize', label: 'Tree size' },
      { key: 'rootHash', label: 'Root hash', cell: (c) => h('code', { class: 'digest' }, show(c.rootHash)) },
      { key: 'origin', label: 'Origin' },
      { key: 'note', label: 'Note', sortable: false, cell: (c) => h('details', null, h('summary', null, 'show'), pre(c.note)) },
    ],
  }));
}

async function publicKey(target) {
  const key = (await call('GET', '/v1/log/public-key', { accept: 'text/plain' })).text;
  target.appendChild(h('p', null, 'Verifier key (note verifier-key format), for ', h('code', null, 'gatewayd audit verify --key'), ' and tools/verify-export.py:'));
  target.appendChild(pre(key.trim(), { 'data-testid': 'public-key' }));
}

export async function render(ctx) {
  const { root } = ctx;
  root.appendChild(h('h1', null, 'Log integrity'));
  const checkpointPanel = section('Latest checkpoint', { 'data-testid': 'log-checkpoint' });
  const verifyPanel = section('Verification', { 'data-testid': 'log-verify' });
  const historyPanel = section('Checkpoint history', { 'data-testid': 'log-history' });
  const keyPanel = section('Public key', { 'data-testid': 'log-key' });
  const verifyOut = h('div', { class: 'verify-out', 'aria-live': 'polite' });
  const again = h('button', { type: 'button', id: 'verify-again', class: 'secondary' }, 'Verify again');
  verifyPanel.append(h('p', { class: 'muted' }, 'The gateway rehashes every entry, rebuilds the Merkle tree and compares it with the stored tree and the latest signed checkpoint. For an independent check, export the log and run gatewayd audit verify.'), verifyOut, again);
  again.addEventListener('click', () => busyButton(again, async () => {
    clear(verifyOut);
    await load(verifyOut, verify, 'Rehashing the log\u2026');
  }));
  root.append(h('div', { class: 'log-grid' }, checkpointPanel, verifyPanel), historyPanel, keyPanel);
  await Promise.all([
    load(checkpointPanel, checkpoint),
    load(verifyOut, verify, 'Rehashing the log\u2026'),
    load(historyPanel, history),
    load(keyPanel, publicKey),
  ]);
}
