// The relay's throughput over the last hour: grouped bars per minute drawn as inline SVG with DOM
// APIs (no library, no markup strings, colours from style.css classes), with a title, a
// description and a table of the same numbers for screen readers and for reading exact values.
import { h } from './dom.js';
import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const SERIES = ['accepted', 'delivered', 'refused'];
const WIDTH = 760;
const HEIGHT = 220;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children)
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const clock = (iso) =>
  new Date(iso).toLocaleTimeString('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });

/** A ceiling that divides into two even ticks: 1, 2, 4, 6, 10, 20, 50, … */
function niceMax(value) {
  if (value <= 2) return 2;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (m * step >= value && (m * step) % 2 === 0) return m * step;
  return Math.ceil(value / 2) * 2;
}

export function throughputChart(minutes) {
  const totals = Object.fromEntries(SERIES.map((k) => [k, minutes.reduce((sum, m) => sum + m[k], 0)]));
  const top = niceMax(Math.max(0, ...minutes.flatMap((m) => SERIES.map((k) => m[k]))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, minutes.length);
  const bar = Math.max(1, (slot - 2) / SERIES.length);
  const y = (value) => PAD.top + plotH - (value / top) * plotH;
  const description = t('chartDesc', minutes.length, totals.accepted, totals.delivered, totals.refused);

  const grid = [0, top / 2, top].map((value) =>
    s(
      'g',
      { class: 'tick' },
      s('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value) }),
      s('text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, value),
    ),
  );
  const labels = minutes.flatMap((m, index) =>
    index % 10 === 0 || index === minutes.length - 1
      ? [
          s(
            'text',
            { class: 'time', x: PAD.left + index * slot + slot / 2, y: HEIGHT - 6, 'text-anchor': 'middle' },
            clock(m.minute),
          ),
        ]
      : [],
  );
  const bars = minutes.flatMap((m, index) =>
    SERIES.flatMap((key, k) =>
      m[key] > 0
        ? [
            s(
              'rect',
              {
                class: `bar ${key}`,
                x: (PAD.left + index * slot + 1 + k * bar).toFixed(1),
                y: y(m[key]).toFixed(1),
                width: bar.toFixed(1),
                height: (PAD.top + plotH - y(m[key])).toFixed(1),
              },
              s('title', {}, `${clock(m.minute)} — ${t(`series_${key}`)}: ${m[key]}`),
            ),
          ]
        : [],
    ),
  );
  const svg = s(
    'svg',
    {
      id: 'throughput-chart',
      class: 'chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-labelledby': 'throughput-title throughput-desc',
    },
    s('title', { id: 'throughput-title' }, t('throughputTitle')),
    s('desc', { id: 'throughput-desc' }, description),
    ...grid,
    s('line', { class: 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0) }),
    ...labels,
    ...bars,
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    SERIES.map((key) =>
      h(
        'li',
        {},
        h('span', { class: `swatch ${key}`, 'aria-hidden': 'true' }),
        `${t(`series_${key}`)}: ${totals[key]}`,
        // The count of refusals leads to the list of them: when, from whom, why.
        key === 'refused'
          ? [' ', h('a', { href: '#/refusals', id: 'refusals-link' }, t('refusalsLink'))]
          : null,
      ),
    ),
  );
  // Newest first, and only the minutes with something in them: the table is for reading values.
  const busy = minutes.filter((m) => SERIES.some((k) => m[k] > 0)).reverse();
  const data = h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, t('chartTable')),
    busy.length === 0
      ? h('p', {}, t('chartEmpty'))
      : h(
          'table',
          { class: 'list', id: 'throughput-table' },
          h('caption', {}, description),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('minute')),
              SERIES.map((k) => h('th', { scope: 'col' }, t(`series_${k}`))),
            ),
          ),
          h(
            'tbody',
            {},
            busy.map((m) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, clock(m.minute)),
                SERIES.map((k) => h('td', {}, m[k])),
              ),
            ),
          ),
        ),
  );
  return h('figure', { class: 'throughput' }, svg, legend, data);
}
