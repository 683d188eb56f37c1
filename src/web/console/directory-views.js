// The agency directory for admins: the list, an import of the directory CSV (the CLI's format and
// rules: all rows or none, every refusal with its line) and partner agencies' broker passwords.
import { listTable, secretBox } from './admin-kit.js';
import { api, errorText } from './api.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';

function importOutcome(result) {
  if (result.ok)
    return [
      h('p', { class: 'done' }, t('imported', result.data.created, result.data.updated)),
      listTable(
        'import-rows',
        [t('line'), t('organId'), t('outcome')],
        result.data.rows.map((r) => [r.line, r.organId, t('outcomes')[r.outcome] ?? r.outcome]),
      ),
    ];
  const problems = result.data?.error?.details?.problems;
  return [
    h('p', { class: 'error' }, `${t('notImported')} ${errorText(result)}`),
    Array.isArray(problems)
      ? listTable(
          'import-problems',
          [t('line'), t('reason')],
          problems.map((p) => [p.line, p.message]),
        )
      : null,
  ];
}

export async function agenciesView(main) {
  const listHolder = h('div');
  const secret = h('div', { id: 'broker-secret' });
  const outcome = h('div', { id: 'import-outcome', role: 'status', 'aria-live': 'polite' });
  const brokerError = h('p', { class: 'error', role: 'alert', id: 'broker-outcome' });

  const load = async () => {
    const result = await api('GET', '/api/v1/agencies');
    if (!result.ok) return replace(listHolder, h('p', { class: 'error' }, errorText(result)));
    replace(
      listHolder,
      listTable(
        'agencies',
        [t('organId'), t('name'), t('channel'), t('emails'), t('aliases'), t('signaturePolicy'), ''],
        result.data.agencies.map((a) => {
          let action = '';
          if (a.channel === 'partner') {
            action = h('button', { type: 'button' }, t('brokerCredentials'));
            const button = action;
            button.addEventListener('click', async () => {
              button.disabled = true;
              const issued = await api(
                'POST',
                `/api/v1/agencies/${encodeURIComponent(a.organId)}/broker-credentials`,
              );
              button.disabled = false;
              brokerError.textContent = issued.ok ? '' : errorText(issued);
              replace(
                secret,
                issued.ok
                  ? secretBox(
                      'broker-password',
                      t('brokerUserFor', a.organId),
                      issued.data.password,
                      t('brokerShownOnce'),
                      [
                        h('p', {}, `${t('username')}: `, h('code', {}, issued.data.username)),
                        h('p', {}, `${t('brokerInbox')}: `, h('code', {}, issued.data.queue)),
                      ],
                    )
                  : null,
              );
            });
          }
          return [
            a.organId,
            a.name,
            a.channel,
            (a.emails ?? []).join(', '),
            (a.aliases ?? []).join(', '),
            a.signaturePolicy ?? '',
            action,
          ];
        }),
      ),
    );
  };

  const file = h('input', {
    id: 'csv-file',
    name: 'csv',
    type: 'file',
    accept: '.csv,text/csv',
    required: true,
  });
  const upload = async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return replace(outcome, h('p', { class: 'error' }, t('chooseFile')));
    const submit = event.target.querySelector('button');
    submit.disabled = true;
    const result = await api('POST', '/api/v1/agencies/import-csv', { csv: await chosen.text() });
    submit.disabled = false;
    replace(outcome, importOutcome(result));
    if (result.ok) await load();
  };

  replace(
    main,
    h('h1', {}, t('agenciesTitle')),
    h(
      'form',
      { class: 'export', id: 'import-csv', onsubmit: upload },
      h('strong', {}, t('directoryImport')),
      h('label', { for: 'csv-file' }, t('csvFile')),
      file,
      h('button', { type: 'submit' }, t('importCsv')),
      h('p', { class: 'hint' }, t('csvHint')),
    ),
    outcome,
    brokerError,
    secret,
    listHolder,
  );
  await load();
}
