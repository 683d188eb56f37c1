// Small pieces the data centre's admin pages share: a plain table, the box that shows a secret
// once (a one-time password, a token, a broker password) and the agency picker.
import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/** A table of rows of cells (text or nodes); `rowClass(i)` may mark a row. */
export function listTable(id, headings, rows, rowClass = () => undefined) {
  if (rows.length === 0) return h('p', { id }, t('empty'));
  return h(
    'table',
    { class: 'list', id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headings.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells, i) =>
        h(
          'tr',
          { class: rowClass(i) },
          cells.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

/** A secret shown once, selectable, with what to do with it. */
export function secretBox(id, title, secret, hint, extra = []) {
  return h(
    'section',
    { class: 'secret', id, role: 'status', 'aria-live': 'polite' },
    h('h2', {}, title),
    extra,
    h('p', {}, h('code', { class: 'secret-value', tabindex: '0' }, secret)),
    h('p', { class: 'hint' }, hint),
  );
}

/** The directory's agencies as <option>s (OrganId — name). */
export async function agencyOptions(current = '') {
  const result = await api('GET', '/api/v1/agencies');
  const agencies = result.ok ? result.data.agencies : [];
  return agencies.map((a) =>
    h('option', { value: a.organId, selected: a.organId === current }, `${a.organId} — ${a.name}`),
  );
}
