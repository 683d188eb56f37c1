import { api, errorText } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * A list fed by one of the API's keyset-paged endpoints: a table, a status line and a "more"
 * button that appears only while the API gives a next cursor. `url(cursor)` builds the request,
 * `rowsOf(data)` picks the rows out of the answer, `row(item)` draws one; `emptyText()` is what
 * an empty list says (by default "nothing here").
 */
export function pagedTable({ id, columns, url, rowsOf, row, emptyText = () => t('empty') }) {
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
    status.textContent = body.children.length === 0 ? emptyText() : '';
  };
  /**
   * The list again from the top, as far down as the reader had paged ("more"), drawn in one go:
   * a live update must not flicker, nor take away the rows someone was working through.
   */
  const reload = async () => {
    const shown = Math.max(1, body.children.length);
    const rows = [];
    let next = null;
    do {
      const result = await api('GET', url(next));
      if (!result.ok) return void (status.textContent = errorText(result));
      rows.push(...rowsOf(result.data));
      next = result.data.nextCursor;
    } while (next && rows.length < shown);
    body.replaceChildren(...rows.map(row));
    cursor = next;
    more.hidden = !cursor;
    status.textContent = body.children.length === 0 ? emptyText() : '';
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
