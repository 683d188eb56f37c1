// The audit trail for admins, in words: newest first, filtered by agency, part of the hub and
// dates, paged, exported as CSV; and the integrity check of the hash chain against its exported anchors, said in words.
import { agencyOptions } from './admin-kit.js';
import { api, errorText, query } from './api.js';
import { h, localTime, replace } from './dom.js';
import { lang, t } from './i18n.js';

const PAGE = '50';

function verdictText(verdict) {
  if (verdict.intact)
    return [
      h('p', { class: 'done' }, t('auditIntact', verdict.entries, verdict.head?.seq ?? '0')),
      h(
        'p',
        { class: 'hint' },
        verdict.anchor
          ? t('auditAnchor', verdict.anchor.seq, localTime(verdict.anchor.signedAt))
          : t('auditNoAnchor'),
      ),
    ];
  return [
    h('p', { class: 'error' }, `${t('auditBroken')} ${verdict.problem}`),
    verdict.firstBadSeq ? h('p', {}, t('auditFirstBad', verdict.firstBadSeq)) : null,
  ];
}

const words = (w) => (w ? (w[lang] ?? w.vi) : '');

/** What an entry recorded, in words; details without words (technical ones) only on request. */
function detailsCell(entry) {
  const readable = entry.details.filter((d) => d.label);
  const technical = entry.details.filter((d) => !d.label);
  return h(
    'td',
    { class: 'data' },
    readable.length > 0
      ? h(
          'dl',
          { class: 'audit-details' },
          readable.map((d) => [h('dt', {}, words(d.label)), h('dd', {}, words(d.valueWords))]),
        )
      : '',
    technical.length > 0
      ? h(
          'details',
          {},
          h('summary', {}, t('auditTechnical')),
          h(
            'dl',
            { class: 'audit-details' },
            technical.map((d) => [h('dt', {}, d.key), h('dd', {}, d.value)]),
          ),
        )
      : '',
  );
}

function entryRow(entry) {
  return h(
    'tr',
    {},
    h('td', { class: 'number' }, entry.seq),
    h('td', { class: 'number' }, localTime(entry.at)),
    h('td', {}, words(entry.actorName)),
    h('td', {}, entry.agencyName ?? ''),
    h('td', {}, words(entry.actionWords)),
    h('td', {}, words(entry.subjectName)),
    detailsCell(entry),
  );
}

export async function auditView(main, { params }) {
  const filter = {
    agency: params.get('agency') ?? '',
    action: params.get('action') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const verdict = h('div', { id: 'audit-verdict', role: 'status', 'aria-live': 'polite' });
  const check = h('button', { type: 'button', id: 'verify-audit' }, t('verifyAudit'));
  check.addEventListener('click', async () => {
    check.disabled = true;
    replace(verdict, h('p', { 'aria-busy': 'true' }, t('verifying')));
    const result = await api('GET', '/api/v1/audit/verify');
    check.disabled = false;
    replace(verdict, result.ok ? verdictText(result.data) : h('p', { class: 'error' }, errorText(result)));
  });

  const agency = h('select', { id: 'audit-agency', name: 'agency' }, h('option', { value: '' }, t('any')));
  agency.append(...(await agencyOptions(filter.agency)));
  const area = h('select', { id: 'audit-action', name: 'action' }, h('option', { value: '' }, t('any')));
  const from = h('input', { id: 'audit-from', name: 'from', type: 'date', value: filter.from });
  const to = h('input', { id: 'audit-to', name: 'to', type: 'date', value: filter.to });
  const formProblem = h('p', { class: 'error', id: 'audit-filter-problem', role: 'alert' });
  // The problem goes away as soon as the clerk changes a date.
  for (const input of [from, to])
    input.addEventListener('input', () => {
      formProblem.textContent = '';
      to.removeAttribute('aria-invalid');
    });
  const exportLink = h(
    'a',
    {
      id: 'audit-export',
      class: 'button',
      href: `/api/v1/audit/export${query({ ...filter, lang })}`,
      download: '',
    },
    t('auditExport'),
  );
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        if (from.value && to.value && from.value > to.value) {
          formProblem.textContent = t('auditFromAfterTo');
          to.setAttribute('aria-invalid', 'true');
          to.setAttribute('aria-describedby', 'audit-filter-problem');
          return void to.focus();
        }
        location.hash = `#/audit${query(Object.fromEntries(new FormData(event.target)))}`;
      },
    },
    h('label', { for: 'audit-agency' }, t('agency')),
    agency,
    h('label', { for: 'audit-action' }, t('auditArea')),
    area,
    h('label', { for: 'audit-from' }, t('auditFrom')),
    from,
    h('label', { for: 'audit-to' }, t('auditTo')),
    to,
    h('button', { type: 'submit' }, t('filter')),
    exportLink,
    formProblem,
  );

  const body = h('tbody');
  const status = h('p', { role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, t('more'));
  let before = null;
  const load = async () => {
    const result = await api(
      'GET',
      `/api/v1/audit${query({ ...filter, order: 'newest', beforeSeq: before, limit: PAGE })}`,
    );
    if (!result.ok) return void (status.textContent = errorText(result));
    if (area.options.length === 1)
      area.append(
        ...result.data.areas.map((a) =>
          h('option', { value: a.code, selected: a.code === filter.action }, words(a.words)),
        ),
      );
    for (const entry of result.data.entries) body.append(entryRow(entry));
    before = result.data.nextBeforeSeq;
    more.hidden = !before;
    status.textContent = body.children.length === 0 ? t('empty') : '';
  };
  more.addEventListener('click', () => void load());
  const columns = ['#', t('at'), t('actor'), t('agency'), t('action'), t('object'), t('details')];

  replace(
    main,
    h('h1', {}, t('auditTitle')),
    h('section', { class: 'verify' }, check, verdict),
    form,
    h(
      'table',
      { class: 'list', id: 'audit' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
    status,
    more,
  );
  await load();
}
