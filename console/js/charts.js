// SVG charts built with DOM calls (no markup strings): stacked bars per day and horizontal bars.
// Colours come from CSS classes (series-0 ... series-7); every chart also has its numbers as a table.
import { h, s } from './dom.js';
import { simpleTable } from './table.js';

const SERIES = 8;
let chartCount = 0;

function niceMax(value) {
  if (value <= 0) return 1;
  const exponent = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * exponent >= value) return step * exponent;
  }
  return 10 * exponent;
}

/** A y scale for counts: whole-number steps of 1, 2 or 5 x 10^k, at most about 5 of them. */
function integerScale(value) {
  if (value <= 0) return { max: 1, ticks: 1 };
  const raw = Math.max(1, value / 4);
  const exponent = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * exponent).find((s) => s >= raw);
  const ticks = Math.ceil(value / step);
  return { max: ticks * step, ticks };
}

function legend(names) {
  return h('ul', { class: 'legend' }, names.map((name, index) =>
    h('li', null, h('span', { class: `swatch series-${index % SERIES}`, 'aria-hidden': 'true' }), name)));
}

/**
 * A stacked bar per day. `days`: ['YYYY-MM-DD', ...]; `series`: [{name, values: [n per day]}].
 */
export function stackedBars({ title, days, series, unit, testid }) {
  const id = `chart-${++chartCount}`;
  const width = 480;
  const height = 240;
  const left = 36;
  const right = 8;
  const top = 12;
  const bottom = 30;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const totals = days.map((_, d) => series.reduce((sum, one) => sum + (one.values[d] || 0), 0));
  const { max, ticks } = integerScale(Math.max(0, ...totals));
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.72);
  const svg = s('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title`,
    preserveAspectRatio: 'xMidYMid meet', 'data-testid': testid || null,
  });
  svg.appendChild(s('title', { id: `${id}-title` }, `${title}: ${totals.reduce((a, b) => a + b, 0)} ${unit} in ${days.length} days`));
  for (let i = 0; i <= ticks; i += 1) {
    const value = (max * i) / ticks;
    const y = top + plotHeight - (plotHeight * i) / ticks;
    svg.appendChild(s('line', { class: 'grid', x1: left, x2: width - right, y1: y, y2: y }));
    svg.appendChild(s('text', { class: 'axis', x: left - 6, y: y + 5, 'text-anchor': 'end' }, Number.isInteger(value) ? String(value) : value.toFixed(1)));
  }
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  days.forEach((day, d) => {
    const x = left + d * slot + (slot - barWidth) / 2;
    let base = top + plotHeight;
    series.forEach((one, index) => {
      const value = one.values[d] || 0;
      if (!value) return;
      const barHeight = (plotHeight * value) / max;
      base -= barHeight;
      svg.appendChild(s('rect', {
        class: `bar series-${index % SERIES}`, x: x.toFixed(2), y: base.toFixed(2),
        width: barWidth.toFixed(2), height: Math.max(0.5, barHeight).toFixed(2),
      }, s('title', null, `${day} ${one.name}: ${value} ${unit}`)));
    });
    const fromEnd = days.length - 1 - d;
    if (fromEnd % labelEvery === 0) {
      const last = fromEnd === 0;
      svg.appendChild(s('text', {
        class: 'axis', x: (last ? left + (d + 1) * slot : left + d * slot + slot / 2).toFixed(2), y: height - bottom + 20,
        'text-anchor': last ? 'end' : 'middle',
      }, day.slice(5)));
    }
  });
  svg.appendChild(s('line', { class: 'baseline', x1: left, x2: width - right, y1: top + plotHeight, y2: top + plotHeight }));
  const rows = days.map((day, d) => ({ day, total: totals[d], parts: series.map((one) => one.values[d] || 0) })).filter((row) => row.total > 0);
  const table = simpleTable(
    [{ label: 'Day', key: 'day' }, ...series.map((one, index) => ({ label: one.name, cell: (row) => String(row.parts[index]) })), { label: 'Total', cell: (row) => String(row.total) }],
    rows,
    { 'data-testid': testid ? testid + '-table' : null },
  );
  return h('figure', { class: 'chart-figure' },
    h('figcaption', null, title),
    svg,
    series.length ? legend(series.map((one) => one.name)) : null,
    h('details', { class: 'chart-data' }, h('summary', null, 'Show the numbers'), rows.length ? table : h('p', { class: 'empty' }, 'No activity.')));
}

/** Horizontal bars: [{label, value}]. */
export function horizontalBars({ title, items, unit, testid }) {
  const id = `chart-${++chartCount}`;
  const width = 960;
  const rowHeight = 28;
  const labelWidth = 260;
  const height = Math.max(1, items.length) * rowHeight + 16;
  const max = niceMax(Math.max(0, ...items.map((item) => item.value)));
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title`, 'data-testid': testid || null });
  svg.appendChild(s('title', { id: `${id}-title` }, title));
  items.forEach((item, index) => {
    const y = 8 + index * rowHeight;
    const barWidth = ((width - labelWidth - 60) * item.value) / max;
    svg.appendChild(s('text', { class: 'axis label', x: labelWidth - 8, y: y + 16, 'text-anchor': 'end' }, item.label.length > 32 ? item.label.slice(0, 31) + '\u2026' : item.label));
    svg.appendChild(s('rect', { class: `bar series-${(index + 3) % SERIES}`, x: labelWidth, y: y + 3, width: Math.max(1, barWidth).toFixed(2), height: rowHeight - 8 },
      s('title', null, `${item.label}: ${item.value} ${unit}`)));
    svg.appendChild(s('text', { class: 'axis', x: (labelWidth + barWidth + 6).toFixed(2), y: y + 16 }, String(item.value)));
  });
  return h('figure', { class: 'chart-figure' },
    h('figcaption', null, title),
    items.length ? svg : h('p', { class: 'empty' }, 'No refusals in this window.'),
    items.length ? h('details', { class: 'chart-data' }, h('summary', null, 'Show the numbers'),
      simpleTable([{ label: 'Reason', key: 'label' }, { label: unit, cell: (row) => String(row.value) }], items, { 'data-testid': testid ? testid + '-table' : null })) : null);
}
