// Sortable, paged tables: sort buttons in the header cells (aria-sort), client-side paging.
import { h, clear, show } from './dom.js';

function compare(a, b) {
  const ax = a === undefined || a === null ? '' : a;
  const bx = b === undefined || b === null ? '' : b;
  if (typeof ax === 'number' && typeof bx === 'number') return ax - bx;
  if (typeof ax === 'boolean' || typeof bx === 'boolean') return Number(ax) - Number(bx);
  return String(ax) < String(bx) ? -1 : String(ax) > String(bx) ? 1 : 0;
}

/**
 * options: {testid, caption, columns: [{key, label, value?(row), cell?(row), sortable?}], rows,
 *   sort: {key, dir}, pinned?(row) -> number (rows with a lower number come first whatever the sort),
 *   pageSize, page, onState?({sort, page}), rowClass?(row), emptyMessage}
 */
export function sortableTable(options) {
  const state = {
    sort: options.sort || null,
    page: Math.max(1, Number(options.page) || 1),
  };
  const pageSize = options.pageSize || 0;
  const wrap = h('div', { class: 'table-block' });

  function sortedRows() {
    const rows = options.rows.slice();
    const column = state.sort && options.columns.find((c) => c.key === state.sort.key);
    const sign = state.sort && state.sort.dir === 'descending' ? -1 : 1;
    rows.sort((a, b) => {
      if (options.pinned) {
        const p = options.pinned(a) - options.pinned(b);
        if (p !== 0) return p;
      }
      if (!column) return 0;
      const value = column.value || ((row) => row[column.key]);
      return sign * compare(value(a), value(b));
    });
    return rows;
  }

  function render() {
    clear(wrap);
    const rows = sortedRows();
    if (!rows.length) {
      wrap.appendChild(h('p', { class: 'empty', 'data-testid': (options.testid || 'table') + '-empty' }, options.emptyMessage || 'Nothing to show.'));
      return;
    }
    const pages = pageSize ? Math.max(1, Math.ceil(rows.length / pageSize)) : 1;
    if (state.page > pages) state.page = pages;
    const visible = pageSize ? rows.slice((state.page - 1) * pageSize, state.page * pageSize) : rows;
    const headRow = h('tr');
    for (const column of options.columns) {
      const th = h('th', { scope: 'col' });
      if (column.sortable !== false) {
        const active = state.sort && state.sort.key === column.key;
        th.setAttribute('aria-sort', active ? state.sort.dir : 'none');
        const arrow = active ? (state.sort.dir === 'ascending' ? '\u25B2' : '\u25BC') : '\u21C5';
        th.appendChild(h('button', {
          type: 'button', class: 'sort', 'data-sort-key': column.key,
          on: {
            click: () => {
              const dir = active && state.sort.dir === 'ascending' ? 'descending' : 'ascending';
              state.sort = { key: column.key, dir };
              state.page = 1;
              if (options.onState) options.onState({ sort: state.sort, page: state.page });
              render();
              const again = wrap.querySelector(`button.sort[data-sort-key="${CSS.escape(column.key)}"]`);
              if (again) again.focus();
            },
          },
        }, column.label, h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }, ' ' + arrow)));
      } else {
        th.textContent = column.label;
      }
      headRow.appendChild(th);
    }
    const body = h('tbody');
    for (const row of visible) {
      const tr = h('tr', { class: options.rowClass ? options.rowClass(row) : null });
      for (const column of options.columns) {
        const content = column.cell ? column.cell(row) : show(row[column.key]);
        tr.appendChild(h('td', { 'data-label': column.label }, content));
      }
      body.appendChild(tr);
    }
    const table = h('table', { class: 'data', 'data-testid': options.testid || null },
      options.caption ? h('caption', null, options.caption) : null,
      h('thead', null, headRow), body);
    wrap.appendChild(h('div', { class: 'table-wrap' }, table));
    if (pageSize && pages > 1) {
      wrap.appendChild(pager({
        label: `Page ${state.page} of ${pages} (${rows.length} rows)`,
        hasPrevious: state.page > 1,
        hasNext: state.page < pages,
        onPrevious: () => { state.page -= 1; if (options.onState) options.onState({ sort: state.sort, page: state.page }); render(); },
        onNext: () => { state.page += 1; if (options.onState) options.onState({ sort: state.sort, page: state.page }); render(); },
        testid: (options.testid || 'table') + '-pager',
      }));
    }
  }

  render();
  return wrap;
}

/** Previous / next buttons with a label. */
export function pager({ label, hasPrevious, hasNext, onPrevious, onNext, testid }) {
  return h('div', { class: 'pager', 'data-testid': testid || 'pager' },
    h('button', { type: 'button', class: 'secondary', 'data-testid': 'previous', disabled: !hasPrevious, on: { click: onPrevious } }, '\u2190 Previous'),
    h('span', { class: 'pager-label' }, label),
    h('button', { type: 'button', class: 'secondary', 'data-testid': 'next', disabled: !hasNext, on: { click: onNext } }, 'Next \u2192'),
  );
}

/** A plain table (no sorting) from columns and rows. */
export function simpleTable(columns, rows, attrs) {
  const head = h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c.label)));
  const body = h('tbody', null, rows.map((row) => h('tr', null, columns.map((c) => h('td', { 'data-label': c.label }, c.cell ? c.cell(row) : show(row[c.key]))))));
  return h('div', { class: 'table-wrap' }, h('table', Object.assign({ class: 'data' }, attrs || {}), h('thead', null, head), body));
}
