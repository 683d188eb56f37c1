// The agency directory for admins: the list, an import of the directory CSV (the CLI's format and
// rules: all rows or none, every refusal with its line), partner agencies' broker passwords, the
// closed codes with their successors, and a province merger (previewed, then asked before it runs).
import { listTable, secretBox } from './admin-kit.js';
import { api, errorText } from './api.js';
import { askFirst, h, replace } from './dom.js';
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

function planView(plan) {
  return h(
    'ol',
    { id: 'merge-plan' },
    ...plan.steps.map((step) => h('li', {}, `${t('line')} ${step.line}: ${t('mergeStep')[step.kind](step)}`)),
    ...plan.unmapped.map((agency) => h('li', { class: 'hint' }, t('unmapped', agency))),
    ...plan.warnings.map((warning) => h('li', { class: 'hint' }, warning)),
  );
}

function mergeProblems(result) {
  const problems = result.data?.error?.details?.problems;
  return [
    h('p', { class: 'error' }, `${t('mergeRefused')} ${errorText(result)}`),
    Array.isArray(problems)
      ? listTable(
          'merge-problems',
          [t('line'), t('reason')],
          problems.map((p) => [p.line, p.message]),
        )
      : null,
  ];
}

/** The merger form: Preview shows what will happen; Merge shows it again and asks first. */
function mergeForm(afterMerge) {
  const field = (id, label, attrs) => [
    h('label', { for: id }, label),
    h('input', { id, name: id, required: true, ...attrs }),
  ];
  const absorbed = field('merge-absorbed', t('absorbed'), { pattern: '[A-Za-z][0-9]{2}', size: 4 });
  const absorbing = field('merge-absorbing', t('absorbing'), { pattern: '[A-Za-z][0-9]{2}', size: 4 });
  const effective = field('merge-effective', t('effectiveOn'), { type: 'date' });
  const file = field('merge-mapping', t('mappingFile'), { type: 'file', accept: '.csv,text/csv' });
  const outcome = h('div', { id: 'merge-outcome', role: 'status', 'aria-live': 'polite' });
  const preview = h('button', { type: 'submit', value: 'preview' }, t('previewMerge'));
  const run = h('button', { type: 'button', class: 'danger', id: 'merge-run' }, t('runMerge'));

  const request = async (dryRun) => {
    const chosen = file[1].files?.[0];
    if (!chosen) {
      replace(outcome, h('p', { class: 'error' }, t('chooseFile')));
      return null;
    }
    return api('POST', '/api/v1/directory/merge', {
      absorbed: absorbed[1].value.trim().toUpperCase(),
      absorbing: absorbing[1].value.trim().toUpperCase(),
      effectiveOn: effective[1].value,
      mapping: await chosen.text(),
      dryRun,
    });
  };
  const moving = (plan) => plan.steps.filter((s) => s.kind !== 'done').length;

  const onPreview = async (event) => {
    event.preventDefault();
    preview.disabled = true;
    const result = await request(true);
    preview.disabled = false;
    if (!result) return;
    if (!result.ok) return replace(outcome, mergeProblems(result));
    replace(outcome, h('p', {}, t('mergePlanned', moving(result.data.plan))), planView(result.data.plan));
  };
  run.addEventListener('click', async () => {
    // Destructive: the plan is computed again and shown, and the admin confirms what it says.
    run.disabled = true;
    try {
      const planned = await request(true);
      if (!planned) return;
      if (!planned.ok) return replace(outcome, mergeProblems(planned));
      const plan = planned.data.plan;
      replace(outcome, planView(plan));
      const yes = await askFirst({
        question: t('confirmMergeQ', plan.absorbed, plan.absorbing),
        detail: t('confirmMergeDetail', moving(plan)),
        confirm: t('confirmMerge'),
        cancel: t('keep'),
      });
      if (!yes) return;
      const result = await request(false);
      if (!result) return;
      if (!result.ok) return replace(outcome, mergeProblems(result));
      replace(
        outcome,
        h('p', { class: 'done' }, t('mergeDone', moving(result.data.plan))),
        planView(result.data.plan),
      );
      await afterMerge();
    } finally {
      run.disabled = false;
    }
  });
  return [
    h(
      'form',
      { class: 'export', id: 'merge-form', onsubmit: onPreview },
      h('strong', {}, t('mergeTitle')),
      ...absorbed,
      ...absorbing,
      ...effective,
      ...file,
      preview,
      run,
      h('p', { class: 'hint' }, t('mergeHint')),
    ),
    outcome,
  ];
}

async function formerCodesTable(holder) {
  const result = await api('GET', '/api/v1/directory/former-codes');
  if (!result.ok) return replace(holder, h('p', { class: 'error' }, errorText(result)));
  if (result.data.formerCodes.length === 0) return replace(holder);
  replace(
    holder,
    h('h2', {}, t('formerCodesTitle')),
    listTable(
      'former-codes',
      [t('aliases'), t('closedOn'), t('reason'), t('successor'), t('retiredAgency')],
      result.data.formerCodes.map((f) => [
        f.code,
        f.closedOn ? f.closedOn.split('-').reverse().join('/') : '',
        t('closeReasons')[f.reason] ?? f.reason,
        `${f.successor.organId} ${f.successor.name}`,
        f.retiredAgency ? `${f.retiredAgency.organId} ${f.retiredAgency.name}` : '',
      ]),
    ),
  );
}

export async function agenciesView(main) {
  const formerCodes = h('div', { id: 'former-codes-holder' });
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
  const reload = async () => {
    await Promise.all([load(), formerCodesTable(formerCodes)]);
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
    ...mergeForm(reload),
    brokerError,
    secret,
    listHolder,
    formerCodes,
  );
  await reload();
}
