// The console's shell: session, navigation and hash routes (#/intake/<id>), so a page is a URL a
// clerk can bookmark and the server needs only one HTML route. Views live in *-views.js.
import { api, setCsrfToken, showFieldProblems } from './api.js';
import { h, replace } from './dom.js';
import { lang, t, toggleLang } from './i18n.js';
import { relayView } from './admin-views.js';
import { deadLetterView } from './dead-letter-views.js';
import { refusalsView } from './refusal-views.js';
import { auditView } from './audit-views.js';
import { certificatesView, ingestSourcesView } from './datacentre-views.js';
import { agenciesView } from './directory-views.js';
import { tokensView, usersView } from './people-views.js';
import { documentView, registerBookView } from './document-views.js';
import { intakeItemView, intakeListView } from './intake-views.js';
import { followUpView } from './follow-up-views.js';
import { uploadView } from './upload-views.js';
import { readingAdminView } from './reading-views.js';
import { composeView } from './outgoing-views.js';
import { liveIndicator, startLive, stopLive } from './live.js';

let user = null;
// Counts renders, so only the latest one takes the focus.
let renders = 0;

const ROUTES = [
  [/^#\/intake\/([0-9a-zA-Z-]+)$/, intakeItemView],
  [/^#\/intake$/, intakeListView],
  [/^#\/documents\/([0-9a-zA-Z-]+)$/, documentView],
  [/^#\/documents$/, registerBookView],
  [/^#\/relay$/, relayView],
  // A dead letter by its message_id (any characters the sender chose, so taken whole, encoded).
  [/^#\/dead-letters\/(.+)$/, deadLetterView],
  [/^#\/refusals$/, refusalsView],
  [/^#\/agencies$/, agenciesView],
  [/^#\/follow-up$/, followUpView],
  // clerk: paper upload
  [/^#\/upload$/, uploadView],
  // The data centre's admin pages.
  [/^#\/users$/, usersView],
  [/^#\/tokens$/, tokensView],
  [/^#\/audit$/, auditView],
  [/^#\/certificates$/, certificatesView],
  [/^#\/ingest$/, ingestSourcesView],
  [/^#\/reading$/, readingAdminView],
  [/^#\/outgoing\/new$/, composeView],
];

function header() {
  const top = document.getElementById('top');
  const links = [
    ['#/intake', t('navIntake')],
    ['#/documents', t('navBook')],
    // Theo dõi, đôn đốc: every person of an agency reads it; leaders assign from it.
    ['#/follow-up', t('navFollowUp')],
    ['#/upload', t('navUpload')],
    ...(user?.role === 'clerk' ? [['#/outgoing/new', t('navCompose')]] : []),
    ...(user?.role === 'admin'
      ? [
          ['#/relay', t('navRelay')],
          ['#/agencies', t('navAgencies')],
          ['#/users', t('navUsers')],
          ['#/tokens', t('navTokens')],
          ['#/audit', t('navAudit')],
          ['#/certificates', t('navCertificates')],
          ['#/ingest', t('navIngest')],
          ['#/reading', t('navReading')],
        ]
      : []),
  ];
  const current = location.hash.split('?')[0];
  replace(
    top,
    h('span', { class: 'brand' }, t('app')),
    user &&
      h(
        'nav',
        { 'aria-label': 'menu' },
        links.map(([href, label]) =>
          h('a', { href, 'aria-current': current.startsWith(href) ? 'page' : undefined }, label),
        ),
      ),
    h('span', { class: 'spacer' }),
    user && !user.mustChangePassword && liveIndicator(),
    user && h('span', { class: 'who' }, `${user.displayName} (${user.agency ?? user.role})`),
    h('button', { type: 'button', class: 'link', onclick: onToggleLang }, t('switchLang')),
    user && h('button', { type: 'button', class: 'link', onclick: signOut }, t('signOut')),
  );
}

function onToggleLang() {
  toggleLang();
  void render();
}

async function signOut() {
  stopLive();
  await api('POST', '/api/v1/auth/logout');
  user = null;
  setCsrfToken(null);
  location.hash = '#/login';
}

function loginView(main) {
  const message = h('p', { class: 'error', role: 'alert' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = async (event) => {
    event.preventDefault();
    const result = await api('POST', '/api/v1/auth/login', {
      username: username.value,
      password: password.value,
    });
    if (!result.ok) {
      message.textContent =
        result.status === 401 ? t('wrongLogin') : (result.data?.error?.message ?? t('error'));
      return;
    }
    user = result.data.user;
    setCsrfToken(result.data.csrfToken);
    // A bookmarked page asked for before signing in is where the person goes next.
    const wanted = location.hash && location.hash !== '#/login' ? location.hash : home();
    if (location.hash === wanted) void render();
    else location.hash = wanted;
  };
  replace(
    main,
    h(
      'form',
      { class: 'login', onsubmit: submit },
      h('h1', {}, t('signIn')),
      h('label', { for: 'username' }, t('username')),
      username,
      h('label', { for: 'password' }, t('password')),
      password,
      h('button', { type: 'submit' }, t('signIn')),
      message,
    ),
  );
  username.focus();
}

/** A one-time password (from `lienthong user add`) must be replaced before anything else. */
function passwordView(main) {
  const message = h('p', { class: 'error', role: 'alert' });
  const field = (id, label, autocomplete, name) => [
    h('label', { for: id }, label),
    h('input', { id, name, type: 'password', autocomplete, required: true }),
  ];
  const submit = async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value;
    if (value('new-password') !== value('new-password-again'))
      return void (message.textContent = t('mismatch'));
    const result = await api('POST', '/api/v1/auth/password', {
      currentPassword: value('current-password'),
      newPassword: value('new-password'),
    });
    if (!result.ok) return void (message.textContent = showFieldProblems(event.target, result));
    user = result.data.user;
    void render();
  };
  replace(
    main,
    h(
      'form',
      { class: 'login', onsubmit: submit },
      h('h1', {}, t('changePassword')),
      h('p', {}, t('mustChange')),
      field('current-password', t('currentPassword'), 'current-password', 'currentPassword'),
      field('new-password', t('newPassword'), 'new-password', 'newPassword'),
      field('new-password-again', t('newPasswordAgain'), 'new-password'),
      h('button', { type: 'submit' }, t('changePassword')),
      message,
    ),
  );
  document.getElementById('current-password').focus();
}

async function render() {
  document.documentElement.lang = lang;
  document.title = t('app');
  const main = document.getElementById('main');
  const [path, search] = location.hash.split('?');
  header();
  if (!user) return loginView(main);
  if (user.mustChangePassword) return passwordView(main);
  startLive();
  for (const [pattern, view] of ROUTES) {
    const match = pattern.exec(path);
    if (match) {
      // Each address draws into a page of its own: when a clerk clicks on before a slow page has
      // answered, that page's late content lands in a page no longer shown, never under the new
      // address.
      const generation = ++renders;
      const page = h('div', { class: 'page', 'data-route': path });
      replace(main, page);
      replace(page, h('p', { 'aria-busy': 'true' }, '…'));
      await view(page, { id: match[1], params: new URLSearchParams(search ?? ''), user });
      if (generation === renders) main.focus({ preventScroll: true });
      return;
    }
  }
  location.hash = home();
}

const home = () =>
  user?.role === 'admin' ? '#/relay' : user?.role === 'leader' ? '#/follow-up' : '#/intake';

async function start() {
  const session = await api('GET', '/api/v1/auth/session');
  if (session.ok) {
    user = session.data.user;
    setCsrfToken(session.data.csrfToken);
  }
  window.addEventListener('hashchange', () => void render());
  // The routes live in the hash, so the skip link's "#main" would be read as a route (and lead
  // home): it moves the focus to the page's content instead and leaves the address alone.
  document.querySelector('a.skip')?.addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main')?.focus();
  });
  window.addEventListener('lienthong:signed-out', () => {
    stopLive();
    user = null;
    setCsrfToken(null);
    void render();
  });
  await render();
}

void start();
