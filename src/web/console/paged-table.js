import { api, errorText } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * A list fed by one of the API's keyset-paged endpoints: a table, a status line and a "more"
 * button that appears only while the API gives a next cursor. `url(cursor)` builds the request,
 * `rowsOf(data)` picks the rows out of the answer, `row(item)` draws one.
 */
export function pagedTable({ id, columns, url, rowsOf, row }) {
  const body = h('tbody');
  const status = h('p', { role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, t('more'));
  let cursor = null;
  const load = async () => {
    const result = await api('GET', url(cursor));
    if (!result.ok) return void (status.textContent = errorText(result));
    for (const item of rowsOf(result.data)) body.append(row(item));
    cursor = result.data.nextCursor;
    more.hidden = !cursor;
    status.textContent = body.children.length === 0 ? t('empty') : '';
  };
  /** The first page again, drawn in one go (a live update must not flicker or lose its place). */
  const reload = async () => {
    const result = await api('GET', url(null));
    if (!result.ok) return void (status.textContent = errorText(result));
    body.replaceChildren(...rowsOf(result.data).map(row));
    cursor = result.data.nextCursor;
    more.hidden = !cursor;
    status.textContent = body.children.length === 0 ? t('empty') : '';
  };
  more.addEventListener('click', () => void load());
  const table = h(
    'table',
    { class: 'list', id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', {}, c)),
      ),
    ),
    body,
  );
  return { elements: [table, status, more], load, reload };
}
