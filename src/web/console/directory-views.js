// The agency directory for admins: the list, one agency added or changed by a form, an import of the directory CSV (the CLI's format and
// rules: all rows or none, every refusal with its line), partner agencies' broker passwords, the
// closed codes with their successors, and a province merger (previewed, then asked before it runs).
import { listTable, secretBox } from './admin-kit.js';
import { api, errorText, showFieldProblems } from './api.js';
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

const CHANNELS = ['hosted', 'partner', 'email', 'national'];
const POLICIES = ['record_only', 'require_trusted'];

/**
 * One agency without a CSV file: a new one (its code is checked against every code the directory
 * knows, former ones included) or an existing one, whose code stays (a new code comes with a
 * merger or a recode). Former codes are kept as they are. A change of channel is asked first:
 * from then on documents for the agency travel another way.
 */
function agencyForm(agency, { onDone, onCancel }) {
  const editing = agency !== null;
  const status = h('p', { class: 'error', role: 'alert', id: 'agency-form-outcome' });
  const input = (id, name, attrs) => h('input', { id, name, ...attrs });
  const organId = input('agency-code', 'organId', {
    value: agency?.organId ?? '',
    size: 16,
    readonly: editing,
    'aria-describedby': editing ? 'agency-code-fixed' : undefined,
  });
  const name = input('agency-name', 'name', { value: agency?.name ?? '', size: 36 });
  const channel = h(
    'select',
    { id: 'agency-channel', name: 'channel' },
    CHANNELS.map((c) =>
      h('option', { value: c, selected: c === (agency?.channel ?? 'hosted') }, t('channels')[c]),
    ),
  );
  const emails = input('agency-emails', 'emails', {
    value: (agency?.emails ?? []).join('; '),
    size: 36,
    'aria-describedby': 'agency-emails-hint',
  });
  const policy = h(
    'select',
    { id: 'agency-policy', name: 'signaturePolicy' },
    POLICIES.map((p) =>
      h(
        'option',
        { value: p, selected: p === (agency?.signaturePolicy ?? 'record_only') },
        t('signaturePolicies')[p],
      ),
    ),
  );
  const cancel = h('button', { type: 'button', id: 'agency-form-cancel' }, t('cancelEdit'));
  cancel.addEventListener('click', onCancel);
  const submit = async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {
      organId: organId.value.trim(),
      name: name.value,
      channel: channel.value,
      signaturePolicy: policy.value,
      emails: emails.value
        .split(/[;,\s]+/)
        .map((e) => e.trim())
        .filter(Boolean),
      aliases: agency?.aliases ?? [],
    };
    if (
      editing &&
      body.channel !== agency.channel &&
      !(await askFirst({
        question: t('confirmChannelQ', agency.organId),
        detail: t('confirmChannelDetail', t('channels')[agency.channel] ?? '', t('channels')[body.channel]),
        confirm: t('confirmChannel'),
        cancel: t('keep'),
      }))
    )
      return;
    const result = editing
      ? await api('PUT', `/api/v1/agencies/${encodeURIComponent(agency.organId)}`, body)
      : await api('POST', '/api/v1/agencies/new', body);
    if (!result.ok) return void (status.textContent = showFieldProblems(form, result));
    await onDone(t(editing ? 'agencySaved' : 'agencyAdded', result.data.agency.organId));
  };
  const form = h(
    'form',
    { class: 'edit-form', id: 'agency-form', onsubmit: submit },
    h('strong', {}, editing ? t('editAgencyTitle', agency.organId) : t('newAgency')),
    h('label', { for: 'agency-code' }, t('agencyCode')),
    organId,
    h('label', { for: 'agency-name' }, t('agencyName')),
    name,
    h('label', { for: 'agency-channel' }, t('agencyChannel')),
    channel,
    h('label', { for: 'agency-emails' }, t('agencyEmails')),
    emails,
    h('label', { for: 'agency-policy' }, t('signaturePolicy')),
    policy,
    h('button', { type: 'submit' }, t('save')),
    cancel,
    h('p', { class: 'hint', id: 'agency-emails-hint' }, t('agencyEmailsHint')),
    editing ? h('p', { class: 'hint', id: 'agency-code-fixed' }, t('agencyCodeFixed')) : null,
  );
  return { elements: [form, status], focus: () => (editing ? name : organId).focus() };
}

export async function agenciesView(main) {
  const formerCodes = h('div', { id: 'former-codes-holder' });
  const listHolder = h('div');
  const secret = h('div', { id: 'broker-secret' });
  const outcome = h('div', { id: 'import-outcome', role: 'status', 'aria-live': 'polite' });
  const brokerError = h('p', { class: 'error', role: 'alert', id: 'broker-outcome' });

  const formHolder = h('div', { id: 'agency-form-holder' });
  const saved = h('p', { class: 'done', role: 'status', id: 'agency-saved' });
  const add = h('button', { type: 'button', id: 'agency-add' }, t('newAgency'));
  const openForm = (agency, opener) => {
    saved.textContent = '';
    const shown = agencyForm(agency, {
      onDone: async (words) => {
        replace(formHolder);
        saved.textContent = words;
        await reload();
      },
      onCancel: () => {
        replace(formHolder);
        opener.focus();
      },
    });
    replace(formHolder, ...shown.elements);
    shown.focus();
  };
  add.addEventListener('click', () => {
    openForm(null, add);
  });

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
          const edit = h('button', { type: 'button', class: 'edit-agency' }, t('edit'));
          edit.addEventListener('click', () => {
            openForm(a, edit);
          });
          return [
            a.organId,
            a.name,
            t('channels')[a.channel] ?? a.channel,
            (a.emails ?? []).join(', '),
            (a.aliases ?? []).join(', '),
            t('signaturePolicies')[a.signaturePolicy] ?? a.signaturePolicy ?? '',
            h('span', { class: 'actions' }, edit, action ? ' ' : '', action),
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
    h('p', {}, add),
    saved,
    formHolder,
    brokerError,
    secret,
    listHolder,
    formerCodes,
  );
  await reload();
}
