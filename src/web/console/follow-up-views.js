// Theo dõi, đôn đốc (Quy chế 59/2014, Điều 9): the leader's follow-up of due dates, the load of
// each department, and the assignment form on a document's page. Everything through the JSON API,
// which decides who may read (every person of the agency) and who may assign (leaders, admins).
import { api, errorText, query, showFieldProblems } from './api.js';
import { h, localDate, replace } from './dom.js';
import { statusLabel, t } from './i18n.js';
import { pagedTable } from './paged-table.js';

const mayAssign = (user) => user?.role === 'leader' || user?.role === 'admin';

export async function followUpView(main, { params, user }) {
  const filter = { due: params.get('due') ?? '', days: params.get('days') ?? '' };
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/follow-up${query(Object.fromEntries(new FormData(event.target)))}`;
      },
    },
    h('label', { for: 'due' }, t('fuShow')),
    h(
      'select',
      { id: 'due', name: 'due' },
      [
        ['', t('fuBoth')],
        ['overdue', t('fuOverdue')],
        ['due-soon', t('fuDueSoon')],
      ].map(([value, label]) => h('option', { value, selected: value === filter.due }, label)),
    ),
    h('label', { for: 'days' }, t('fuDays')),
    h('input', {
      id: 'days',
      name: 'days',
      type: 'number',
      min: 0,
      max: 60,
      size: 3,
      value: filter.days || '3',
    }),
    h('button', { type: 'submit' }, t('filter')),
  );
  const list = pagedTable({
    id: 'follow-up-list',
    columns: [
      t('number'),
      t('subject'),
      t('sender'),
      t('dueOn'),
      t('fuLeft'),
      t('fuDepartment'),
      t('fuAssignee'),
      t('status'),
    ],
    url: (cursor) => `/api/v1/follow-up${query({ ...filter, cursor, limit: '50' })}`,
    rowsOf: (data) => data.items,
    row: followUpRow,
  });
  const counts = h('div', { id: 'department-counts-box' });
  replace(
    main,
    h('h1', {}, t('fuTitle')),
    h('p', { class: 'hint' }, t('fuHint')),
    form,
    ...list.elements,
    h('h2', {}, t('fuByDepartment')),
    counts,
    mayAssign(user) && departmentForm(user, () => void loadCounts(counts, filter.days)),
  );
  await Promise.all([list.load(), loadCounts(counts, filter.days)]);
}

/** "Quá hạn 2 ngày", "Hạn hôm nay", "Còn 3 ngày": in words, so overdue is never told by colour alone. */
function leftText(item) {
  if (item.daysLeft < 0) return t('fuLate', -item.daysLeft);
  if (item.daysLeft === 0) return t('fuToday');
  return t('fuDaysLeft', item.daysLeft);
}

function followUpRow(item) {
  return h(
    'tr',
    { class: item.overdue ? 'overdue' : undefined, 'data-id': item.id },
    h(
      'td',
      { class: 'number' },
      `${item.number}/${item.year}`,
      item.direction === 'outgoing' ? ` (${t('outgoing')})` : '',
    ),
    h('td', {}, h('a', { href: `#/documents/${item.id}` }, item.subject)),
    h('td', {}, item.senderName ?? item.senderOrganId ?? ''),
    h('td', { class: 'number' }, localDate(item.dueOn)),
    h('td', { class: item.overdue ? 'late' : undefined }, leftText(item)),
    // Given to a person without a department is assigned all the same, not "Chưa giao".
    h('td', {}, item.department?.name ?? h('em', {}, item.assignee ? t('fuPersonal') : t('fuUnassigned'))),
    h('td', {}, item.assignee?.displayName ?? ''),
    h('td', {}, statusLabel(item.statusCode)),
  );
}

async function loadCounts(box, days) {
  const result = await api('GET', `/api/v1/follow-up/departments${query({ days })}`);
  if (!result.ok) return replace(box, h('p', { role: 'status' }, errorText(result)));
  const { departments, unassigned } = result.data;
  const cell = (value, late) =>
    h('td', { class: late && value > 0 ? 'number late' : 'number' }, String(value));
  const line = (name, load, id) =>
    h(
      'tr',
      { 'data-department': id },
      h('th', { scope: 'row' }, name),
      cell(load.total),
      cell(load.open),
      cell(load.overdue, true),
      cell(load.dueSoon),
    );
  replace(
    box,
    h(
      'table',
      { class: 'list counts', id: 'department-counts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [t('fuDepartment'), t('fuTotal'), t('fuOpen'), t('fuOverdueCount'), t('fuDueSoonCount')].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        departments.map((d) => line(d.name, d, d.id)),
        line(t('fuUnassigned'), unassigned, 'unassigned'),
      ),
    ),
    departments.length === 0 && h('p', { class: 'hint' }, t('fuNoDepartments')),
  );
}

/** Leaders add the departments documents are assigned to; an admin names the agency. */
function departmentForm(user, onAdded) {
  const name = h('input', { id: 'department-name', name: 'name', required: true, maxlength: 300, size: 30 });
  const agency = user.agency
    ? null
    : h('input', { id: 'department-agency', name: 'agency', required: true, size: 16 });
  const outcome = h('p', { role: 'status', id: 'department-outcome' });
  const submit = async (event) => {
    event.preventDefault();
    const result = await api('POST', '/api/v1/departments', {
      name: name.value,
      ...(agency ? { agency: agency.value.trim() } : {}),
    });
    if (!result.ok) return void (outcome.textContent = showFieldProblems(event.target, result));
    showFieldProblems(event.target, { data: null });
    outcome.textContent = t('fuDepartmentAdded', result.data.department.name);
    name.value = '';
    onAdded();
  };
  return h(
    'form',
    { class: 'filters', id: 'department-form', onsubmit: submit },
    h('label', { for: 'department-name' }, t('fuNewDepartment')),
    name,
    agency && [h('label', { for: 'department-agency' }, t('agency')), agency],
    h('button', { type: 'submit' }, t('fuAdd')),
    outcome,
  );
}

/**
 * The assignment form of a document's page, for leaders and admins: department, person and due
 * date, prefilled with the document's current ones. Only what changed is sent. `onDone(message)`
 * redraws the page (the timeline may have gained 04) and shows the message.
 */
export function assignSection(d, user, onDone) {
  if (!mayAssign(user) || d.statusCode === '06' || d.statusCode === '02') return null;
  const department = h('select', { id: 'assign-department' });
  const person = h('select', { id: 'assign-person' });
  const due = h('input', { id: 'assign-due', type: 'date', value: d.dueOn ? d.dueOn.slice(0, 10) : '' });
  const outcome = h('p', { role: 'status', id: 'assign-outcome' });
  const button = h('button', { type: 'submit', id: 'assign' }, t('fuAssign'));
  const submit = async (event) => {
    event.preventDefault();
    const current = {
      departmentId: d.departmentId,
      assigneeId: d.assigneeId,
      dueOn: d.dueOn?.slice(0, 10) ?? null,
    };
    const chosen = {
      departmentId: department.value || null,
      assigneeId: person.value || null,
      dueOn: due.value || null,
    };
    const body = Object.fromEntries(Object.entries(chosen).filter(([key, value]) => value !== current[key]));
    if (Object.keys(body).length === 0) return void (outcome.textContent = t('fuNothingChanged'));
    const result = await api('POST', `/api/v1/documents/${d.id}/assign`, body);
    if (!result.ok) return void (outcome.textContent = errorText(result));
    onDone(t('fuAssigned', result.data.statusRecorded, result.data.queuedForSender));
  };
  const section = h(
    'form',
    { class: 'assign', id: 'assign-form', onsubmit: submit },
    h('h2', {}, t('fuAssignTitle')),
    h(
      'div',
      { class: 'form-grid' },
      h('label', { for: 'assign-department' }, t('fuDepartment')),
      department,
      h('label', { for: 'assign-person' }, t('fuAssignee')),
      person,
      h('label', { for: 'assign-due' }, t('dueOn')),
      due,
    ),
    button,
    outcome,
  );
  button.disabled = true;
  void api('GET', '/api/v1/departments').then((result) => {
    if (!result.ok) return void (outcome.textContent = errorText(result));
    // An admin sees every agency's departments: only the document's own can take it.
    const departments = result.data.departments.filter((x) => x.agencyId === d.agencyId);
    const people = result.data.people.filter((x) => x.agencyId === d.agencyId);
    const nameOf = new Map(departments.map((x) => [x.id, x.name]));
    replace(
      department,
      h('option', { value: '' }, `— ${t('fuUnassigned')} —`),
      departments.map((x) => h('option', { value: x.id, selected: x.id === d.departmentId }, x.name)),
    );
    replace(
      person,
      h('option', { value: '' }, '—'),
      people.map((x) =>
        h(
          'option',
          { value: x.id, selected: x.id === d.assigneeId },
          x.departmentId ? `${x.displayName} (${nameOf.get(x.departmentId) ?? ''})` : x.displayName,
        ),
      ),
    );
    if (departments.length === 0) outcome.textContent = t('fuNoDepartments');
    button.disabled = false;
  });
  return section;
}
