// Admin pages for people and partner systems: users (create with a one-time password, change the
// name, role or agency, disable, enable, reset password) and API tokens (create with the secret shown once, revoke).
import { agencyOptions, listTable, secretBox } from './admin-kit.js';
import { api, errorText, showFieldProblems } from './api.js';
import { askFirst, h, localTime, replace } from './dom.js';
import { t } from './i18n.js';

const ROLES = ['clerk', 'leader', 'admin'];

function field(id, label, control) {
  return [h('label', { for: id }, label), control];
}

/**
 * The form that changes one person: name, role, agency. A change of role or agency signs the
 * person out (the hub says so), so it is asked first; the server keeps its own rules (no admin
 * takes the admin role from themselves or from the last admin) and names the field it refuses.
 */
async function editUserForm(user, { onDone, onCancel }) {
  const status = h('p', { class: 'error', role: 'alert', id: 'edit-user-outcome' });
  const name = h('input', { id: 'edit-display', name: 'displayName', value: user.displayName, size: 24 });
  const role = h(
    'select',
    { id: 'edit-role', name: 'role' },
    ROLES.map((r) => h('option', { value: r, selected: r === user.role }, t('roles')[r])),
  );
  const agency = h('select', { id: 'edit-agency', name: 'agency' }, h('option', { value: '' }, '—'));
  agency.append(...(await agencyOptions(user.agency ?? '')));
  const syncRole = () => {
    agency.disabled = role.value === 'admin';
  };
  role.addEventListener('change', syncRole);
  syncRole();
  const cancel = h('button', { type: 'button', id: 'edit-user-cancel' }, t('cancelEdit'));
  cancel.addEventListener('click', onCancel);
  const submit = async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {};
    const displayName = name.value.trim();
    if (displayName !== user.displayName) body.displayName = displayName;
    if (role.value !== user.role) body.role = role.value;
    const nextAgency = role.value === 'admin' ? null : agency.value || null;
    if (nextAgency !== (user.agency ?? null)) body.agency = nextAgency;
    if (Object.keys(body).length === 0) return onCancel();
    if (
      (body.role !== undefined || body.agency !== undefined) &&
      !(await askFirst({
        question: t('confirmUserScopeQ', user.username),
        detail: t('confirmUserScopeDetail'),
        confirm: t('confirmUserScope'),
        cancel: t('keep'),
      }))
    )
      return;
    const result = await api('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}`, body);
    if (!result.ok) return void (status.textContent = showFieldProblems(form, result));
    const signedOut = body.role !== undefined || body.agency !== undefined;
    await onDone(t(signedOut ? 'userSavedSignedOut' : 'userSaved', user.username));
  };
  const form = h(
    'form',
    { class: 'edit-form', id: 'edit-user', onsubmit: submit, 'aria-labelledby': 'edit-user-title' },
    h('strong', { id: 'edit-user-title' }, t('editUserTitle', user.username)),
    field('edit-display', t('displayName'), name),
    field('edit-role', t('role'), role),
    field('edit-agency', t('agency'), agency),
    h('button', { type: 'submit' }, t('save')),
    cancel,
  );
  return { elements: [form, status], focus: () => name.focus() };
}

export async function usersView(main) {
  const editing = h('div', { id: 'user-edit' });
  const saved = h('p', { class: 'done', role: 'status', id: 'user-saved' });
  const secret = h('div', { id: 'user-secret' });
  const outcome = h('p', { class: 'error', role: 'alert', id: 'user-outcome' });
  const listHolder = h('div');
  const agency = h('select', { id: 'user-agency', name: 'agency' }, h('option', { value: '' }, '—'));
  agency.append(...(await agencyOptions()));
  const role = h(
    'select',
    { id: 'user-role', name: 'role' },
    ROLES.map((r) => h('option', { value: r }, t('roles')[r])),
  );
  // An admin is hub-wide: no agency, no department.
  const department = h('input', { id: 'user-department', name: 'department', size: 18 });
  const syncRole = () => {
    agency.disabled = role.value === 'admin';
    department.disabled = role.value === 'admin';
  };
  role.addEventListener('change', syncRole);
  syncRole();

  const showSecret = (username, password) =>
    replace(
      secret,
      secretBox('one-time-password', t('oneTimePasswordFor', username), password, t('shownOnce')),
    );

  const load = async () => {
    const result = await api('GET', '/api/v1/users');
    if (!result.ok) return replace(listHolder, h('p', { class: 'error' }, errorText(result)));
    const act = async (button, url, after) => {
      button.disabled = true;
      const done = await api('POST', url);
      outcome.textContent = done.ok ? '' : errorText(done);
      if (done.ok) after(done.data);
      await load();
    };
    replace(
      listHolder,
      listTable(
        'users',
        [
          t('username'),
          t('displayName'),
          t('role'),
          t('agency'),
          t('department'),
          t('state'),
          t('created'),
          '',
        ],
        result.data.users.map((user) => {
          const base = `/api/v1/users/${encodeURIComponent(user.id)}`;
          const toggle = h('button', { type: 'button' }, user.disabled ? t('enable') : t('disable'));
          toggle.addEventListener('click', async () => {
            // Locking signs the person out at once: asked first. Enabling is harmless.
            if (
              !user.disabled &&
              !(await askFirst({
                question: t('confirmDisableQ', user.username),
                detail: t('confirmDisableDetail'),
                confirm: t('confirmDisable'),
                cancel: t('keep'),
              }))
            )
              return;
            await act(toggle, `${base}/${user.disabled ? 'enable' : 'disable'}`, () => undefined);
          });
          const edit = h('button', { type: 'button', class: 'edit-user' }, t('edit'));
          edit.addEventListener('click', async () => {
            saved.textContent = '';
            const shown = await editUserForm(user, {
              onDone: async (words) => {
                replace(editing);
                saved.textContent = words;
                await load();
              },
              onCancel: () => {
                replace(editing);
                edit.focus();
              },
            });
            replace(editing, ...shown.elements);
            shown.focus();
          });
          const reset = h('button', { type: 'button' }, t('resetPassword'));
          reset.addEventListener(
            'click',
            () =>
              void act(reset, `${base}/reset-password`, (data) => showSecret(user.username, data.password)),
          );
          return [
            user.username,
            user.displayName,
            t('roles')[user.role] ?? user.role,
            user.agency ?? '',
            user.department ?? '',
            h(
              'span',
              {
                class: `badge ${user.disabled ? 'rejected' : user.mustChangePassword ? 'new' : 'registered'}`,
              },
              user.disabled
                ? t('disabledState')
                : user.mustChangePassword
                  ? t('mustChangeState')
                  : t('active'),
            ),
            localTime(user.createdAt),
            h('span', { class: 'actions' }, edit, toggle, reset),
          ];
        }),
        (i) => (result.data.users[i].disabled ? 'muted' : undefined),
      ),
    );
  };

  const create = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { username: form.get('username'), role: role.value };
    if (role.value !== 'admin') {
      if (agency.value) body.agency = agency.value;
      if (department.value.trim()) body.department = department.value.trim();
    }
    const displayName = String(form.get('displayName') ?? '').trim();
    if (displayName) body.displayName = displayName;
    const result = await api('POST', '/api/v1/users', body);
    if (!result.ok) return void (outcome.textContent = showFieldProblems(event.target, result));
    showFieldProblems(event.target, { data: null });
    outcome.textContent = '';
    event.target.reset();
    syncRole();
    showSecret(result.data.user.username, result.data.password);
    await load();
  };

  replace(
    main,
    h('h1', {}, t('usersTitle')),
    h(
      'form',
      { class: 'filters', id: 'new-user', onsubmit: create },
      h('strong', {}, t('newUser')),
      field(
        'user-username',
        t('username'),
        h('input', { id: 'user-username', name: 'username', required: true, size: 14 }),
      ),
      field(
        'user-display',
        t('displayName'),
        h('input', { id: 'user-display', name: 'displayName', size: 18 }),
      ),
      field('user-role', t('role'), role),
      field('user-agency', t('agency'), agency),
      field('user-department', t('department'), department),
      h('button', { type: 'submit' }, t('create')),
    ),
    outcome,
    secret,
    saved,
    editing,
    listHolder,
  );
  await load();
}

export async function tokensView(main) {
  const secret = h('div', { id: 'token-secret' });
  const outcome = h('p', { class: 'error', role: 'alert', id: 'token-outcome' });
  const listHolder = h('div');
  const agency = h('select', { id: 'token-agency', name: 'agency', required: true });
  agency.append(...(await agencyOptions()));

  const load = async () => {
    const result = await api('GET', '/api/v1/tokens');
    if (!result.ok) return replace(listHolder, h('p', { class: 'error' }, errorText(result)));
    const tokens = [...result.data.tokens].reverse();
    replace(
      listHolder,
      listTable(
        'tokens',
        [t('tokenName'), t('agency'), t('prefix'), t('created'), t('lastUsed'), t('state'), ''],
        tokens.map((token) => {
          const revoke = h('button', { type: 'button', class: 'danger' }, t('revoke'));
          revoke.addEventListener('click', async () => {
            const confirmed = await askFirst({
              question: t('confirmRevokeQ', token.name),
              detail: t('confirmRevokeDetail'),
              confirm: t('revoke'),
              cancel: t('keep'),
            });
            if (!confirmed) return;
            revoke.disabled = true;
            const done = await api('POST', `/api/v1/tokens/${encodeURIComponent(token.id)}/revoke`);
            outcome.textContent = done.ok ? '' : errorText(done);
            await load();
          });
          return [
            token.name,
            token.agency,
            h('code', {}, `${token.prefix}…`),
            localTime(token.createdAt),
            token.lastUsedAt ? localTime(token.lastUsedAt) : t('never'),
            h(
              'span',
              { class: `badge ${token.revoked ? 'rejected' : 'registered'}` },
              token.revoked ? t('revoked') : t('active'),
            ),
            token.revoked ? '' : revoke,
          ];
        }),
        (i) => (tokens[i].revoked ? 'muted' : undefined),
      ),
    );
  };

  const create = async (event) => {
    event.preventDefault();
    const name = String(new FormData(event.target).get('name') ?? '').trim();
    const result = await api('POST', '/api/v1/tokens', { agency: agency.value, ...(name ? { name } : {}) });
    if (!result.ok) return void (outcome.textContent = errorText(result));
    outcome.textContent = '';
    event.target.reset();
    replace(
      secret,
      secretBox(
        'token-secret-box',
        t('tokenSecretFor', `${result.data.token.name} (${result.data.token.agency})`),
        result.data.secret,
        t('tokenShownOnce'),
      ),
    );
    await load();
  };

  replace(
    main,
    h('h1', {}, t('tokensTitle')),
    h(
      'form',
      { class: 'filters', id: 'new-token', onsubmit: create },
      h('strong', {}, t('newToken')),
      field('token-agency', t('agency'), agency),
      field('token-name', t('tokenName'), h('input', { id: 'token-name', name: 'name', size: 28 })),
      h('button', { type: 'submit' }, t('create')),
    ),
    outcome,
    secret,
    listHolder,
  );
  await load();
}
