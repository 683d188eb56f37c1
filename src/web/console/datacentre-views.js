// Health of the data centre's edges for admins: certificates close to expiry, where mail comes in
// (SMTP counters, each IMAP mailbox's state, the spool when the hub reports one), and the mail the
// hub sent (receipts, alerts, relayed documents) with what became of each.
import { listTable } from './admin-kit.js';
import { api, errorText, query } from './api.js';
import { h, localDate, localTime, replace } from './dom.js';
import { t } from './i18n.js';
import { pagedTable } from './paged-table.js';

const WINDOWS = ['30', '90', '365', ''];

export async function certificatesView(main, { params }) {
  const within = params.has('withinDays') ? params.get('withinDays') : '30';
  const result = await api('GET', `/api/v1/certificates${query({ withinDays: within })}`);
  const picker = h(
    'select',
    {
      id: 'within',
      name: 'withinDays',
      onchange: (event) => {
        location.hash = `#/certificates?withinDays=${encodeURIComponent(event.target.value)}`;
      },
    },
    WINDOWS.map((w) => h('option', { value: w, selected: w === within }, w ? t('days', w) : t('all'))),
  );
  const form = h('form', { class: 'filters' }, h('label', { for: 'within' }, t('within')), picker);
  if (!result.ok)
    return replace(
      main,
      h('h1', {}, t('certificatesTitle')),
      form,
      h('p', { class: 'error' }, errorText(result)),
    );
  const certificates = result.data.certificates;
  replace(
    main,
    h('h1', {}, t('certificatesTitle')),
    form,
    listTable(
      'certificates',
      [t('kind'), t('agency'), t('certSubject'), t('issuer'), t('validUntil'), t('daysLeft'), t('file')],
      certificates.map((c) => [
        t('certKinds')[c.kind] ?? c.kind,
        c.organId ?? '',
        c.subject,
        c.issuer,
        localDate(c.notAfter),
        c.expired
          ? h('span', { class: 'badge rejected' }, t('expired'))
          : h(
              'span',
              { class: `badge ${c.daysLeft <= 30 ? 'new' : 'registered'}` },
              t('daysLeftValue', c.daysLeft),
            ),
        h('code', {}, c.source),
      ]),
      (i) => (certificates[i].expired ? 'expired' : undefined),
    ),
  );
}

function counts(id, record, label) {
  const rows = Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  return listTable(
    id,
    [t('kind'), t('count')],
    rows.map(([key, n]) => [label(key), h('span', { class: 'number' }, n)]),
  );
}

const OUTBOUND_FILTERS = ['all', 'failed', 'bounced', 'pending', 'delivered'];
// A mail that did not get through stands out; one sent with no report yet is neutral.
const OUTBOUND_BADGE = { failed: 'rejected', bounced: 'rejected', pending: '', delivered: 'registered' };

function outboundDetail(mail) {
  const lines = [];
  if (mail.sendError)
    lines.push(
      h(
        'div',
        { class: 'send-error' },
        t('mailSendFailed', localTime(mail.sendFailedAt)),
        ' ',
        h('code', {}, mail.sendError),
      ),
    );
  if (mail.outcome)
    lines.push(
      h(
        'div',
        { class: 'report' },
        t('mailReported', mail.outcomeAt ? localTime(mail.outcomeAt) : ''),
        ' ',
        mail.outcome,
        mail.outcomeStatus ? ` ${mail.outcomeStatus}` : '',
        mail.outcomeDiagnostic ? [' — ', h('code', {}, mail.outcomeDiagnostic)] : '',
      ),
    );
  if (mail.packageId) lines.push(h('div', {}, t('mailPackage', mail.packageId, mail.toOrganId ?? '')));
  return lines;
}

/** The mail the hub sent, with a filter kept in the page's address (#/ingest?outbound=failed). */
async function outboundSection(params) {
  const state = OUTBOUND_FILTERS.includes(params.get('outbound')) ? params.get('outbound') : 'all';
  const picker = h(
    'select',
    {
      id: 'outbound-state',
      name: 'outbound',
      onchange: (event) => {
        location.hash = `#/ingest?outbound=${encodeURIComponent(event.target.value)}`;
      },
    },
    OUTBOUND_FILTERS.map((f) => h('option', { value: f, selected: f === state }, t('outboundFilters')[f])),
  );
  const list = pagedTable({
    id: 'outbound-mail',
    columns: [t('mailSentAt'), t('kind'), t('mailTo'), t('mailSubject'), t('state'), t('mailDetail')],
    url: (cursor) => `/api/v1/ingest/outbound-mail${query({ state, cursor, limit: '50' })}`,
    rowsOf: (data) => data.mails,
    row: (mail) =>
      h(
        'tr',
        { class: `outbound-${mail.state}` },
        h('td', {}, localTime(mail.sentAt)),
        h('td', {}, t('outboundKinds')[mail.kind] ?? mail.kind),
        h('td', {}, mail.recipients.join(', ')),
        h('td', {}, mail.subject ?? ''),
        h(
          'td',
          {},
          h('span', { class: `badge ${OUTBOUND_BADGE[mail.state] ?? ''}` }, t('outboundBadges')[mail.state]),
        ),
        h('td', {}, outboundDetail(mail)),
      ),
  });
  await list.load();
  return [
    h('h2', { id: 'outbound' }, t('outboundTitle')),
    h('p', { class: 'hint' }, t('outboundHint')),
    h('form', { class: 'filters' }, h('label', { for: 'outbound-state' }, t('outboundFilter')), picker),
    ...list.elements,
  ];
}

export async function ingestSourcesView(main, { params } = { params: new URLSearchParams() }) {
  const [result, outbound] = await Promise.all([
    api('GET', '/api/v1/ingest/sources'),
    outboundSection(params),
  ]);
  const refresh = h(
    'button',
    { type: 'button', onclick: () => void ingestSourcesView(main, { params }) },
    t('refresh'),
  );
  // The mail the hub sent is shown even while ingest does not run in this process.
  if (!result.ok)
    return replace(
      main,
      h('h1', {}, t('ingestTitle')),
      h('p', { class: 'error' }, result.status === 503 ? t('ingestNotRunning') : errorText(result)),
      refresh,
      outbound,
    );
  const { smtp, imap, spool } = result.data;
  const sum = (record) => Object.values(record).reduce((a, b) => a + b, 0);
  replace(
    main,
    h('h1', {}, t('ingestTitle')),
    h('p', {}, refresh),
    h('h2', {}, `${t('smtpListener')} (${t('port')} ${smtp.port})`),
    h(
      'div',
      { class: 'cards', id: 'smtp' },
      h(
        'section',
        {},
        h('h3', {}, t('accepted')),
        h('p', { class: 'big' }, String(sum(smtp.accepted))),
        counts('smtp-accepted', smtp.accepted, (k) => t('placements')[k] ?? k),
      ),
      h(
        'section',
        {},
        h('h3', {}, t('refused')),
        h('p', { class: 'big' }, String(sum(smtp.refused))),
        counts('smtp-refused', smtp.refused, (k) => h('code', {}, k)),
      ),
      h('section', {}, h('h3', {}, t('bytes')), h('p', { class: 'big' }, smtp.bytes.toLocaleString('vi-VN'))),
    ),
    spool
      ? [
          h('h2', {}, t('spool')),
          listTable(
            'spool',
            [t('pending'), t('failed'), t('oldestAge')],
            [[spool.pending, spool.failed, spool.oldestAgeSeconds ?? '']],
          ),
        ]
      : null,
    h('h2', {}, t('imapMailboxes')),
    imap.length === 0
      ? h('p', { id: 'imap' }, t('noMailboxes'))
      : listTable(
          'imap',
          [t('mailbox'), t('agency'), 'host / folder', t('state'), t('lastSuccess'), t('lastError')],
          imap.map((m) => [
            m.name,
            m.agency,
            `${m.host} / ${m.folder}`,
            h('span', { class: `badge ${m.up ? 'registered' : 'rejected'}` }, m.up ? t('up') : t('down')),
            m.lastSuccessAt ? localTime(m.lastSuccessAt) : t('never'),
            m.lastError ? [h('time', {}, localTime(m.lastError.at)), ' ', m.lastError.message] : '',
          ]),
        ),
    outbound,
  );
}
