// The audit trail for admins: newest first, filtered by agency and action, paged; and the
// integrity check of the hash chain against its exported anchors, said in words.
import { agencyOptions } from './admin-kit.js';
import { api, errorText, query } from './api.js';
import { h, localTime, replace } from './dom.js';
import { t } from './i18n.js';

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

function entryRow(entry) {
  const data = entry.data && Object.keys(entry.data).length > 0 ? JSON.stringify(entry.data) : '';
  return h(
    'tr',
    {},
    h('td', { class: 'number' }, entry.seq),
    h('td', { class: 'number' }, localTime(entry.at)),
    h('td', {}, entry.actor),
    h('td', {}, entry.agency ?? ''),
    h('td', {}, h('code', {}, entry.action)),
    h('td', {}, entry.subject ?? ''),
    h('td', { class: 'data' }, data),
  );
}

export async function auditView(main, { params }) {
  const filter = { agency: params.get('agency') ?? '', action: params.get('action') ?? '' };
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
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/audit${query(Object.fromEntries(new FormData(event.target)))}`;
      },
    },
    h('label', { for: 'audit-agency' }, t('agency')),
    agency,
    h('label', { for: 'audit-action' }, t('action')),
    h('input', {
      id: 'audit-action',
      name: 'action',
      value: filter.action,
      placeholder: t('actionHint'),
      pattern: '[a-z0-9._\\-]{1,100}',
      size: 20,
    }),
    h('button', { type: 'submit' }, t('filter')),
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
