// The register book (search + CSV export) and one document's page: status timeline and 04/05/06.
import { api, errorText, query } from './api.js';
import { facts, h, localDate, localTime, replace, titleWithPassage } from './dom.js';
import { actorWords, passageLabel, statusLabel, t } from './i18n.js';
import { attachmentList } from './intake-views.js';
import { pagedTable } from './paged-table.js';
import { assignSection } from './follow-up-views.js';
import { deliveriesSection, sentFilesSection } from './outgoing-views.js';

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
    h('input', {
      id: 'q',
      name: 'q',
      type: 'search',
      size: 30,
      value: filter.q,
      placeholder: t('searchHint'),
      title: t('searchHelp'),
    }),
    h('button', { type: 'submit' }, t('search')),
  );
  const list = pagedTable({
    id: 'register-book',
    columns: [
      t('number'),
      t('registeredAt'),
      t('notation'),
      t('subject'),
      filter.direction === 'outgoing' ? t('recipients') : t('sender'),
      t('status'),
    ],
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
    h(
      'td',
      {},
      titleWithPassage(d.subject, `#/documents/${d.id}`, d.passage, passageLabel(d.passage?.field)),
    ),
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
    standingBanner(d),
    facts([
      [
        d.direction === 'outgoing' ? t('outgoingNumber') : t('number'),
        h('strong', { id: 'document-number' }, `${d.number}/${d.year}`),
      ],
      [t('direction'), t(d.direction)],
      [t('registeredAt'), localTime(d.registeredAt)],
      [t('notation'), d.notation],
      [t('documentType'), d.documentType],
      [
        d.direction === 'outgoing' ? t('recipients') : t('sender'),
        [d.senderName, d.senderOrganId].filter(Boolean).join(' · '),
      ],
      [t('promulgatedOn'), d.promulgatedOn ? localDate(d.promulgatedOn) : ''],
      [t('signer'), d.signer],
      [t('dueOn'), d.dueOn ? localDate(d.dueOn) : ''],
      [t('documentKey'), d.documentKey],
      [t('status'), statusLabel(d.statusCode)],
    ]),
    // A sent document: where each recipient stands, and the PDF it travelled with (inside the signed package).
    d.direction === 'outgoing' && [deliveriesSection(d.id), sentFilesSection(d.id)],
    d.direction === 'incoming' && [
      h('h2', {}, t('attachments')),
      attachmentList(d.intakeItem?.attachments, (a) => `/api/v1/documents/${d.id}/attachments/${a.id}`),
    ],
    h('h2', {}, t('timeline')),
    timeline(d),
    h('h2', {}, t('versions')),
    versionTable(d),
    assignSection(d, user, (message) =>
      documentView(main, { id, user }).then(() => {
        const outcome = document.getElementById('assign-outcome');
        if (outcome) outcome.textContent = message;
      }),
    ),
    d.direction === 'incoming' && statusForm(d),
  );
}

const versionName = (type) => (type === 0 ? t('original') : (t('businessTypes')[type] ?? String(type)));

/** A revoked or replaced document must not be acted on by mistake: said first, in a banner. */
function standingBanner(d) {
  const standing = d.standing;
  if (!standing || standing.kind === 'current') return null;
  const version = d.versions?.find((v) => v.id === standing.versionId);
  const from = version?.item
    ? [' — ', h('a', { href: `#/intake/${version.item.id}` }, t('theVersionItem'))]
    : [];
  return h(
    'p',
    { class: `banner ${standing.kind}`, id: 'standing', role: 'note' },
    h('strong', {}, t('standings')[standing.kind]),
    ` ${localTime(standing.at)}`,
    from,
  );
}

function versionTable(d) {
  const versions = d.versions ?? [];
  if (versions.length === 0) return h('p', { id: 'versions' }, t('empty'));
  return h(
    'table',
    { class: 'list', id: 'versions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [t('versionKind'), t('received'), t('versionSource'), t('versionChanges')].map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      versions.map((v) =>
        h(
          'tr',
          { class: `version-${v.businessType}` },
          h(
            'td',
            {},
            h(
              'span',
              { class: `badge version-${v.businessType}` },
              `${versionName(v.businessType)} (${v.businessType})`,
            ),
          ),
          h('td', {}, localTime(v.receivedAt)),
          h(
            'td',
            {},
            v.item
              ? [
                  h(
                    'a',
                    { href: `#/intake/${v.item.id}` },
                    `${v.item.source} · ${v.item.senderOrganId ?? v.item.senderAddress ?? ''}`,
                  ),
                  v.item.packageId && h('div', { class: 'hint' }, `${t('package')} ${v.item.packageId}`),
                ]
              : '',
          ),
          h(
            'td',
            {},
            v.businessType === 0
              ? t('originalRegistered')
              : v.changes?.length > 0
                ? h(
                    'ul',
                    { class: 'changes' },
                    v.changes.map((c) =>
                      h(
                        'li',
                        {},
                        h('strong', {}, t('fieldNames')[c.field] ?? c.field),
                        ': ',
                        h('del', {}, c.before ?? '—'),
                        ' → ',
                        h('ins', {}, c.after ?? '—'),
                      ),
                    ),
                  )
                : t('noChanges'),
          ),
        ),
      ),
    ),
  );
}

/** Registration, statuses sent and received, and versions that arrived, in the order they happened. */
function timeline(d) {
  const entries = [
    {
      at: d.registeredAt,
      kind: 'registered',
      text: [
        h(
          'strong',
          {},
          t(d.direction === 'outgoing' ? 'registeredOutgoingEvent' : 'registeredEvent', d.number, d.year),
        ),
        ` — ${d.registeredByName ?? actorWords(d.registeredBy)}`,
      ],
    },
    ...(d.statusEvents ?? []).map((e) => ({
      at: e.occurredAt,
      kind: `status ${e.direction}`,
      text: [
        h('strong', {}, statusLabel(e.code)),
        ` (${e.direction === 'outgoing' ? t('statusSent') : t('statusReceived')})`,
        e.description ? ` — ${e.description}` : '',
      ],
    })),
    // A leader's follow-up: who got it (department, person) and its due date, before → after.
    ...(d.assignments ?? []).map((a) => ({
      at: a.at,
      kind: 'assignment',
      text: [
        h('strong', {}, t('assignedEvent')),
        ` — ${assignmentText(a)} — ${a.byName ?? actorWords(a.by)}`,
      ],
    })),
    ...(d.versions ?? [])
      .filter((v) => v.businessType !== 0)
      .map((v) => ({
        at: v.receivedAt,
        kind: `version version-${v.businessType}`,
        text: [h('strong', {}, `${t('versionArrived')}: ${versionName(v.businessType)}`)],
      })),
  ].sort((a, b) => new Date(a.at) - new Date(b.at));
  return h(
    'ol',
    { class: 'timeline', id: 'timeline' },
    entries.map((e) => h('li', { class: e.kind }, h('time', {}, localTime(e.at)), ' ', e.text)),
  );
}

function assignmentText({ before, after }) {
  const parts = [];
  if (after.department !== before.department)
    parts.push(t('assignedDepartment', after.department ?? t('fuUnassigned')));
  if (after.assignee !== before.assignee) parts.push(t('assignedPerson', after.assignee ?? '—'));
  if (after.dueOn !== before.dueOn)
    parts.push(
      before.dueOn
        ? t('dueChanged', localDate(before.dueOn), after.dueOn ? localDate(after.dueOn) : t('noDue'))
        : t('dueSet', after.dueOn ? localDate(after.dueOn) : t('noDue')),
    );
  return parts.join('; ') || t('assignedSame');
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
    if (fresh.ok) document.getElementById('timeline')?.replaceWith(timeline(fresh.data.document));
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
