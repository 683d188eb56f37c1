// The register book (search + CSV export) and one document's page: status timeline and 04/05/06.
import { api, errorText, query } from './api.js';
import { facts, h, localDate, localTime, replace } from './dom.js';
import { statusLabel, t } from './i18n.js';
import { attachmentList } from './intake-views.js';
import { pagedTable } from './paged-table.js';
import { assignSection } from './follow-up-views.js';

const FOLLOW_UP = ['04', '05', '06'];

export async function registerBookView(main, { params, user }) {
  const filter = {
    q: params.get('q') ?? '',
    direction: params.get('direction') ?? 'incoming',
    year: params.get('year') ?? '',
  };
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/documents${query(Object.fromEntries(new FormData(event.target)))}`;
      },
    },
    h('label', { for: 'direction' }, t('direction')),
    h(
      'select',
      { id: 'direction', name: 'direction' },
      ['incoming', 'outgoing'].map((d) => h('option', { value: d, selected: d === filter.direction }, t(d))),
    ),
    h('label', { for: 'year' }, t('year')),
    h('input', { id: 'year', name: 'year', inputmode: 'numeric', size: 5, value: filter.year }),
    h('label', { for: 'q' }, t('search')),
    h('input', { id: 'q', name: 'q', type: 'search', size: 30, value: filter.q }),
    h('button', { type: 'submit' }, t('search')),
  );
  const list = pagedTable({
    id: 'register-book',
    columns: [t('number'), t('registeredAt'), t('notation'), t('subject'), t('sender'), t('status')],
    url: (cursor) => `/api/v1/documents${query({ ...filter, cursor, limit: '50' })}`,
    rowsOf: (data) => data.documents,
    row: documentRow,
  });
  replace(main, h('h1', {}, t('bookTitle')), form, ...list.elements, exportForm(filter.direction, user));
  await list.load();
}

function documentRow(d) {
  return h(
    'tr',
    {},
    h('td', { class: 'number' }, `${d.number}/${d.year}`),
    h('td', {}, localDate(d.registeredAt)),
    h('td', {}, d.notation ?? ''),
    h('td', {}, h('a', { href: `#/documents/${d.id}` }, d.subject)),
    h('td', {}, d.senderName ?? d.senderOrganId ?? ''),
    h('td', {}, statusLabel(d.statusCode)),
  );
}

/** A plain link to the API's CSV: the browser downloads it with the session cookie. */
function exportForm(direction, user) {
  const year = new Date().getFullYear();
  const from = h('input', { id: 'csv-from', type: 'date', value: `${year}-01-01` });
  const to = h('input', { id: 'csv-to', type: 'date', value: `${year}-12-31` });
  const agency = user.agency ? null : h('input', { id: 'csv-agency', size: 16 });
  const link = h('a', { id: 'export-csv', class: 'button', download: '' }, t('exportCsv'));
  const update = () => {
    link.href = `/api/v1/documents/register-book${query({
      direction,
      from: from.value,
      to: to.value,
      agency: agency?.value,
    })}`;
  };
  for (const input of [from, to, agency]) input?.addEventListener('input', update);
  update();
  return h(
    'fieldset',
    { class: 'export' },
    h('legend', {}, t('exportCsv')),
    h('label', { for: 'csv-from' }, t('from')),
    from,
    h('label', { for: 'csv-to' }, t('to')),
    to,
    agency && [h('label', { for: 'csv-agency' }, t('agency')), agency],
    link,
  );
}

export async function documentView(main, { id, user }) {
  const result = await api('GET', `/api/v1/documents/${encodeURIComponent(id)}`);
  if (!result.ok)
    return replace(main, h('h1', {}, t('notFound')), h('p', {}, h('a', { href: '#/documents' }, t('back'))));
  const d = result.data.document;
  replace(
    main,
    h('p', {}, h('a', { href: '#/documents' }, `← ${t('navBook')}`)),
    h('h1', {}, d.subject),
    facts([
      [t('number'), h('strong', { id: 'document-number' }, `${d.number}/${d.year}`)],
      [t('direction'), t(d.direction)],
      [t('registeredAt'), localTime(d.registeredAt)],
      [t('notation'), d.notation],
      [t('documentType'), d.documentType],
      [t('sender'), [d.senderName, d.senderOrganId].filter(Boolean).join(' · ')],
      [t('promulgatedOn'), d.promulgatedOn ? localDate(d.promulgatedOn) : ''],
      [t('status'), statusLabel(d.statusCode)],
      [t('dueOn'), d.dueOn ? localDate(d.dueOn) : ''],
    ]),
    h('h2', {}, t('attachments')),
    attachmentList(d.intakeItem?.attachments, (a) => `/api/v1/documents/${d.id}/attachments/${a.id}`),
    h('h2', {}, t('timeline')),
    timeline(d.statusEvents),
    d.versions?.length > 0 && [
      h('h2', {}, t('versions')),
      h(
        'ul',
        {},
        d.versions.map((v) =>
          h(
            'li',
            {},
            `${localTime(v.receivedAt)} · ${t('businessTypes')[v.businessType] ?? v.businessType} ${v.note ?? ''}`,
          ),
        ),
      ),
    ],
    assignSection(d, user, (message) =>
      documentView(main, { id, user }).then(() => {
        const outcome = document.getElementById('assign-outcome');
        if (outcome) outcome.textContent = message;
      }),
    ),
    d.direction === 'incoming' && statusForm(d),
  );
}

function timeline(events) {
  if (!events?.length) return h('p', { id: 'timeline' }, t('empty'));
  return h(
    'ol',
    { class: 'timeline', id: 'timeline' },
    events.map((e) =>
      h(
        'li',
        {},
        h('time', {}, localTime(e.occurredAt)),
        ' ',
        h('strong', {}, statusLabel(e.code)),
        e.description ? ` — ${e.description}` : '',
      ),
    ),
  );
}

function statusForm(d) {
  const description = h('input', { id: 'status-description', size: 50 });
  const outcome = h('p', { role: 'status', id: 'status-outcome' });
  const send = async (code) => {
    const body = { code, ...(description.value.trim() ? { description: description.value.trim() } : {}) };
    const result = await api('POST', `/api/v1/documents/${d.id}/status`, body);
    if (!result.ok) return void (outcome.textContent = errorText(result));
    outcome.textContent = t('statusSaved', result.data.code, result.data.queuedForSender);
    const fresh = await api('GET', `/api/v1/documents/${d.id}`);
    if (fresh.ok)
      document.getElementById('timeline')?.replaceWith(timeline(fresh.data.document.statusEvents));
  };
  return h(
    'section',
    { class: 'decisions' },
    h('h2', {}, t('actions')),
    h('label', { for: 'status-description' }, t('description')),
    description,
    h(
      'p',
      {},
      FOLLOW_UP.map((code) =>
        h(
          'button',
          { type: 'button', id: `status-${code}`, onclick: () => void send(code) },
          statusLabel(code),
        ),
      ),
    ),
    outcome,
  );
}
