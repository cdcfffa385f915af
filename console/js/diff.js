// A line diff by longest common subsequence, rendered as text lines (`  `, `- `, `+ `).
import { h } from './dom.js';

const MAX_CELLS = 4_000_000;

/** [{op: ' ' | '-' | '+', line}] turning `a` into `b`. */
export function lineDiff(aText, bText) {
  const a = aText.replace(/\r\n?/g, '\n').split('\n');
  const b = bText.replace(/\r\n?/g, '\n').split('\n');
  // Common head and tail first: versions usually differ in a few lines.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA -= 1; endB -= 1; }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const out = a.slice(0, start).map((line) => ({ op: ' ', line }));
  const n = midA.length;
  const m = midB.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    for (const line of midA) out.push({ op: '-', line });
    for (const line of midB) out.push({ op: '+', line });
  } else {
    const width = m + 1;
    const table = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i -= 1) {
      for (let j = m - 1; j >= 0; j -= 1) {
        table[i * width + j] = midA[i] === midB[j]
          ? table[(i + 1) * width + j + 1] + 1
          : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midA[i] === midB[j]) { out.push({ op: ' ', line: midA[i] }); i += 1; j += 1; }
      else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) { out.push({ op: '-', line: midA[i] }); i += 1; }
      else { out.push({ op: '+', line: midB[j] }); j += 1; }
    }
    while (i < n) { out.push({ op: '-', line: midA[i] }); i += 1; }
    while (j < m) { out.push({ op: '+', line: midB[j] }); j += 1; }
  }
  for (const line of a.slice(endA)) out.push({ op: ' ', line });
  return out;
}

/** The diff as a `<pre>`, one element per line; unchanged runs longer than 2*context folded. */
export function renderDiff(lines, context = 3) {
  const block = h('pre', { class: 'code diff', 'data-testid': 'version-diff' });
  const changed = lines.map((l) => l.op !== ' ');
  const keep = lines.map((_, index) => {
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k += 1) if (changed[k]) return true;
    return false;
  });
  let folded = 0;
  const flush = () => {
    if (folded) block.appendChild(h('span', { class: 'diff-fold' }, `\u22EF ${folded} unchanged line${folded === 1 ? '' : 's'}\n`));
    folded = 0;
  };
  lines.forEach((l, index) => {
    if (!keep[index]) { folded += 1; return; }
    flush();
    const kind = l.op === '+' ? 'diff-add' : l.op === '-' ? 'diff-del' : 'diff-same';
    block.appendChild(h('span', { class: kind }, `${l.op} ${l.line}\n`));
  });
  flush();
  const added = lines.filter((l) => l.op === '+').length;
  const removed = lines.filter((l) => l.op === '-').length;
  return h('div', { class: 'diff-block' },
    h('p', { class: 'summary', 'data-testid': 'diff-summary' }, added || removed ? `${added} line${added === 1 ? '' : 's'} added, ${removed} removed.` : 'The two versions are identical.'),
    block);
}
