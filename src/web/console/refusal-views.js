// The submissions the relay refused (#/refusals?agency=&from=&to=), behind the dashboard's refusal
// count: newest first, when, from which agency by name, how it came and why, in words; paged, and
// filtered by agency and by days. The filters live in the address, so a filtered list is a link.
import { agencyOptions } from './admin-kit.js';
import { query } from './api.js';
import { h, localTime, replace } from './dom.js';
import { lang, t } from './i18n.js';
import { pagedTable } from './paged-table.js';

function field(id, label, control) {
  return [h('label', { for: id }, label), control];
}

export async function refusalsView(main, { params }) {
  const chosen = {
    agency: params.get('agency') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const agency = h(
    'select',
    { id: 'refusal-agency', name: 'agency' },
    h('option', { value: '' }, t('allAgencies')),
  );
  agency.append(...(await agencyOptions(chosen.agency)));
  const from = h('input', { id: 'refusal-from', name: 'from', type: 'date', value: chosen.from });
  const to = h('input', { id: 'refusal-to', name: 'to', type: 'date', value: chosen.to });
  const form = h(
    'form',
    {
      class: 'filters',
      id: 'refusal-filters',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/refusals${query({ agency: agency.value, from: from.value, to: to.value })}`;
      },
    },
    field('refusal-agency', t('refusalAgency'), agency),
    field('refusal-from', t('from'), from),
    field('refusal-to', t('to'), to),
    h('button', { type: 'submit' }, t('filter')),
  );
  const list = pagedTable({
    id: 'refusals',
    columns: [t('refusedAt'), t('refusalAgency'), t('refusalVia'), t('documentKey'), t('reason')],
    url: (cursor) => `/api/v1/relay/refusals${query({ ...chosen, cursor, limit: '50' })}`,
    rowsOf: (data) => data.refusals,
    row: (r) =>
      h(
        'tr',
        {},
        h('td', {}, localTime(r.refusedAt)),
        h(
          'td',
          {},
          r.agencyName ?? h('span', { class: 'hint' }, t('notInDirectory')),
          h('br'),
          h('small', { class: 'organ-id' }, r.organId),
        ),
        h('td', {}, t('refusalVias')[r.via] ?? r.via),
        h('td', {}, r.documentKey ?? ''),
        h(
          'td',
          {},
          h(
            'ul',
            { class: 'plain' },
            r.reasons.map((reason) => h('li', {}, reason[lang] ?? reason.vi)),
          ),
        ),
      ),
  });
  replace(
    main,
    h('h1', {}, t('refusalsTitle')),
    h('p', {}, h('a', { href: '#/relay' }, `← ${t('backToRelay')}`)),
    form,
    ...list.elements,
  );
  // A refused filter (the first day after the last) is said in the list's status line, in words.
  await list.load();
}
