// The clerk's intake queue and one item's page: metadata, attachments, register, reject.
import { api, errorText, query, showFieldProblems } from './api.js';
import { askFirst, facts, h, localDate, localTime, replace, titleWithPassage } from './dom.js';
import { lang, passageLabel, stateLabel, t } from './i18n.js';
import { pagedTable } from './paged-table.js';
import { onLive } from './live.js';
import { senderAuthSection, signatureSection } from './verdict-views.js';
import { itemTextSection, readingStateText } from './reading-views.js';

const STATES = ['new', 'registered', 'rejected', 'duplicate', 'quarantined'];
const SOURCES = ['smtp', 'imap', 'amqp', 'http', 'upload'];

function select(name, values, current, label) {
  return h(
    'select',
    { id: name, name },
    h('option', { value: '' }, t('any')),
    values.map((value) => h('option', { value, selected: value === current }, label(value))),
  );
}

export async function intakeListView(main, { params }) {
  // "all" is a state of the filter, not an absent one: an absent state means the clerk's default, new.
  const state = params.get('state') ?? 'new';
  const filter = {
    state,
    source: params.get('source') ?? '',
    sender: params.get('sender') ?? '',
    q: params.get('q') ?? '',
    sort: params.get('sort') === 'urgency' ? 'urgency' : '',
  };
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        location.hash = `#/intake${query(Object.fromEntries(data))}`;
      },
    },
    h('label', { for: 'state' }, t('state')),
    h(
      'select',
      { id: 'state', name: 'state' },
      h('option', { value: 'all', selected: state === 'all' }, t('any')),
      STATES.map((value) => h('option', { value, selected: value === state }, stateLabel(value))),
    ),
    h('label', { for: 'source' }, t('source')),
    select('source', SOURCES, filter.source, (s) => s),
    h('label', { for: 'sender' }, t('sender')),
    h('input', { id: 'sender', name: 'sender', value: filter.sender, size: 18 }),
    h('label', { for: 'q' }, t('search')),
    h('input', {
      id: 'q',
      name: 'q',
      type: 'search',
      value: filter.q,
      size: 24,
      placeholder: t('searchHint'),
      title: t('searchHelp'),
    }),
    h('label', { for: 'sort' }, t('sortBy')),
    h(
      'select',
      { id: 'sort', name: 'sort' },
      h('option', { value: '' }, t('sorts').received),
      h('option', { value: 'urgency', selected: filter.sort === 'urgency' }, t('sorts').urgency),
    ),
    h('button', { type: 'submit' }, t('filter')),
    h('button', { type: 'button', onclick: () => void intakeListView(main, { params }) }, t('refresh')),
  );
  const list = pagedTable({
    id: 'intake-list',
    columns: [t('received'), t('priority'), t('source'), t('sender'), t('subject'), t('state')],
    url: (cursor) =>
      `/api/v1/intake${query({ ...filter, state: state === 'all' ? '' : state, cursor, limit: '50' })}`,
    rowsOf: (data) => data.items,
    row,
    // An empty queue says where mail just accepted is: it is read after the 250, a few seconds on.
    emptyText: () =>
      ['new', 'all'].includes(state) && !filter.sender && !filter.q ? t('intakeEmpty') : t('empty'),
  });
  replace(main, h('h1', {}, t('intakeTitle')), form, ...list.elements);
  await list.load();
  // New items appear and decided ones leave while the queue is open (live.js).
  onLive(list.elements[0], ['intake'], () => void list.reload());
}

function row(item) {
  return h(
    'tr',
    {},
    h('td', {}, localTime(item.receivedAt)),
    h('td', {}, urgencyMark(item.priority)),
    h('td', {}, item.source),
    h(
      'td',
      { title: [item.senderOrganId, item.senderAddress].filter(Boolean).join(' · ') || undefined },
      item.senderName ?? item.senderAddress ?? item.senderOrganId ?? '',
    ),
    h(
      'td',
      {},
      titleWithPassage(
        item.subject || '(…)',
        `#/intake/${item.id}`,
        item.passage,
        passageLabel(item.passage?.field),
      ),
    ),
    h('td', {}, h('span', { class: `badge ${item.state}` }, stateLabel(item.state))),
  );
}

// Hỏa tốc and thượng khẩn stand out (colour and words, never colour alone); khẩn is plain text.
export function urgencyMark(priority) {
  if (!priority) return '';
  const label = t('priorities')[priority] ?? '';
  return priority >= 2 ? h('span', { class: `badge urgency-${priority}` }, label) : label;
}

export async function intakeItemView(main, { id, user }) {
  const result = await api('GET', `/api/v1/intake/${encodeURIComponent(id)}`);
  if (!result.ok) {
    return replace(main, h('h1', {}, t('notFound')), h('p', {}, h('a', { href: '#/intake' }, t('back'))));
  }
  const item = result.data.item;
  const m = item.metadata ?? {};
  // Decisions on new items; a quarantined one (unknown sender, failed DMARC, malware) is released
  // first. Only clerks (and admins) decide: a leader is told who does, not shown forms that say 403.
  const decides = user?.role === 'clerk' || user?.role === 'admin';
  const open = item.state === 'new' && decides;
  // The text read from its files (reading-views.js), fetched beside the other lookups.
  const readText = itemTextSection(item);
  const [candidates] = await Promise.all([
    open ? api('GET', `/api/v1/intake/${item.id}/duplicate-candidates`) : null,
    open ? documentTypes() : null,
    readText.loaded,
  ]);
  replace(
    main,
    h('p', {}, h('a', { href: '#/intake' }, `← ${t('navIntake')}`)),
    h('h1', {}, item.subject || m.subject || '(…)'),
    h(
      'p',
      {},
      h('span', { class: `badge ${item.state}`, id: 'item-state' }, stateLabel(item.state)),
      item.state === 'duplicate' &&
        item.duplicateOfId && [
          ' ',
          t('duplicateOf'),
          ' ',
          h('a', { href: `#/intake/${item.duplicateOfId}`, id: 'duplicate-of' }, t('theOriginal')),
        ],
    ),
    h('h2', {}, t('metadata')),
    facts([
      [t('received'), localTime(item.receivedAt)],
      [t('priority'), item.priority ? urgencyMark(item.priority) : t('priorities')[0]],
      [t('source'), t('sources')[item.source] ?? item.source],
      [
        t('sender'),
        [item.form?.senderName, item.senderOrganId, item.senderAddress].filter(Boolean).join(' · '),
      ],
      [t('notation'), item.form?.notation],
      [t('documentType'), m.documentType?.name ?? (typeof m.documentType === 'string' ? m.documentType : '')],
      [t('promulgatedOn'), m.promulgation?.date ? localDate(`${m.promulgation.date}T12:00:00+07:00`) : ''],
      [t('documentKey'), item.documentKey],
      [t('businessType'), item.businessType ? t('businessTypes')[item.businessType] : ''],
      [t('reason'), item.reason],
    ]),
    signatureSection(item),
    (item.source === 'smtp' || item.source === 'imap') && mailBodySection(item, m.mail),
    h('h2', {}, t('attachments')),
    attachmentList(item.attachments, (a) => `/api/v1/intake/${item.id}/attachments/${a.id}`, {
      beside: readText.beside,
    }),
    readText.section,
    readingsSection(m.mail?.secondReading),
    senderAuthSection(item),
    (item.source === 'smtp' || item.source === 'imap') && headersPanel(item),
    item.document &&
      h(
        'p',
        { class: 'done' },
        t('registered', item.document.number, item.document.year),
        ' — ',
        h('a', { href: `#/documents/${item.document.id}` }, t('openDocument')),
      ),
    open && decisionForms(item, m, candidates?.ok ? candidates.data.candidates : []),
    !decides &&
      (item.state === 'new' || item.state === 'quarantined') &&
      h('p', { class: 'hint', id: 'clerk-decides' }, t('clerkDecides')),
    decides &&
      item.state === 'quarantined' &&
      (isReport(m)
        ? h('p', { class: 'hint', id: 'report-note' }, t('reportNotDocument'))
        : releaseForm(main, item, user)),
  );
}

/** Bounces, read receipts and abuse reports answer mail the hub sent: linked there, never released. */
const isReport = (m) => typeof m.mail?.kind === 'string' && m.mail.kind !== 'document';

/** Out of quarantine with a note of what was checked (the server decides who may: malware is for admins). */
function releaseForm(main, item, user) {
  const note = h('textarea', { id: 'release-note', rows: 2, cols: 60, required: true });
  const outcome = h('p', { role: 'status', id: 'release-outcome' });
  const release = async (event) => {
    event.preventDefault();
    const result = await api('POST', `/api/v1/intake/${item.id}/release`, { note: note.value });
    if (!result.ok) return void (outcome.textContent = errorText(result));
    await intakeItemView(main, { id: item.id, user });
  };
  return h(
    'section',
    { class: 'decisions' },
    h(
      'form',
      { onsubmit: release, id: 'release-form' },
      h('h2', {}, t('release')),
      h(
        'p',
        { class: 'hint' },
        (item.metadata?.malware ?? []).length > 0 ? t('releaseMalwareHint') : t('releaseHint'),
      ),
      h('label', { for: 'release-note' }, t('releaseNote')),
      note,
      h('button', { type: 'submit', id: 'release' }, t('release')),
    ),
    outcome,
  );
}

/** The original mail's header section, fetched when the clerk opens it. */
// The mail's own words: the text part as text; the HTML part only on request, in a frame that the
// server's policy keeps from running scripts, loading anything or submitting forms.
function mailBodySection(item, mail) {
  const text = mail?.text?.trim() ?? '';
  const html = mail?.hasHtml
    ? h(
        'details',
        {
          id: 'mail-body-html',
          class: 'panel',
          ontoggle: (event) => {
            const panel = event.currentTarget;
            if (!panel.open || panel.querySelector('iframe')) return;
            panel.append(
              h('iframe', {
                src: `/api/v1/intake/${item.id}/mail-body`,
                sandbox: '',
                referrerpolicy: 'no-referrer',
                title: t('mailBodyHtmlTitle'),
                class: 'mail-html',
              }),
            );
          },
        },
        h('summary', {}, t('mailBodyHtml')),
      )
    : null;
  return h(
    'section',
    { id: 'mail-body' },
    h('h2', {}, t('mailBody')),
    text
      ? h('pre', { class: 'mail-text', tabindex: '0' }, text)
      : h('p', { class: 'hint' }, t('mailBodyEmpty')),
    html,
  );
}

function headersPanel(item) {
  const body = h('div', {}, h('p', { 'aria-busy': 'true' }, '…'));
  let loaded = false;
  const panel = h(
    'details',
    {
      id: 'mail-headers',
      class: 'panel',
      ontoggle: async () => {
        if (!panel.open || loaded) return;
        loaded = true;
        const result = await api('GET', `/api/v1/intake/${item.id}/headers`);
        if (!result.ok) return replace(body, h('p', { class: 'error' }, errorText(result)));
        const { fields, problems, truncated } = result.data;
        replace(
          body,
          problems.length > 0 &&
            h(
              'ul',
              { class: 'hint' },
              problems.map((p) => h('li', {}, p)),
            ),
          truncated && h('p', { class: 'hint' }, t('headersTruncated')),
          h(
            'table',
            { class: 'list headers', id: 'header-fields' },
            h(
              'tbody',
              {},
              fields.map((f) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, f.name),
                  h('td', {}, f.value, f.raw ? h('div', { class: 'raw' }, f.raw) : null),
                ),
              ),
            ),
          ),
        );
      },
    },
    h('summary', {}, h('h2', {}, t('mailHeaders'))),
    body,
  );
  return panel;
}

let typesCache = null;

/** The document types of Nghị định 30, for the type fields' suggestions (one request per page load). */
export async function documentTypes() {
  if (!typesCache) {
    const result = await api('GET', '/api/v1/document-types');
    typesCache = result.ok ? result.data.types : [];
  }
  return typesCache;
}

export function typeOptions(id) {
  return h(
    'datalist',
    { id },
    (typesCache ?? []).map((type) =>
      h(
        'option',
        { value: type.name },
        type.abbreviation ? `${type.abbreviation} — ${type.name}` : type.name,
      ),
    ),
  );
}

/** `beside(a)`, when given, is shown next to the PDF viewer (the text read from that file). */
/** A file's kind as people name it (PDF, Word, ảnh…), never its MIME type. */
function fileKind(a) {
  const type = (a.contentType ?? '').toLowerCase();
  const kinds = t('fileKinds');
  if (type === 'application/pdf') return kinds.pdf;
  if (type.startsWith('image/')) return kinds.image;
  if (/word|officedocument\.wordprocessing|opendocument\.text/.test(type)) return kinds.text;
  if (/sheet|excel/.test(type)) return kinds.sheet;
  if (/zip|compressed/.test(type)) return kinds.archive;
  if (/xml/.test(type)) return kinds.xml;
  return kinds.other;
}

export function attachmentList(attachments, urlOf, { beside } = {}) {
  if (!attachments?.length) return h('p', {}, t('empty'));
  const viewer = h('section', { class: 'viewer', id: 'pdf-viewer', hidden: true });
  const show = (a) => {
    viewer.hidden = false;
    replace(
      viewer,
      h(
        'p',
        {},
        h('strong', {}, a.name),
        ' ',
        h(
          'button',
          { type: 'button', class: 'link', onclick: () => ((viewer.hidden = true), replace(viewer)) },
          t('close'),
        ),
      ),
      h(
        'div',
        { class: 'viewer-split' },
        h('iframe', { src: `${urlOf(a)}?disposition=inline`, title: a.name, id: 'pdf-frame' }),
        beside?.(a),
      ),
    );
    viewer.scrollIntoView({ block: 'nearest' });
  };
  return [
    h(
      'ul',
      { class: 'attachments' },
      attachments.map((a) =>
        h(
          'li',
          {},
          h('a', { href: urlOf(a), download: a.name }, a.name),
          ` (${fileKind(a)}, ${Math.ceil(a.size / 1024)} KB) `,
          a.contentType === 'application/pdf' &&
            h(
              'button',
              { type: 'button', class: 'small', 'data-view': a.name, onclick: () => show(a) },
              t('viewPdf'),
            ),
          a.fileText &&
            h(
              'span',
              { class: `reading-state ${a.fileText.state}` },
              `${t('readText')}: ${readingStateText(a.fileText)}`,
            ),
          zipListing(a),
        ),
      ),
    ),
    viewer,
  ];
}

/** What a ZIP attachment holds, as listed at receipt (never extracted): members, or why not listed. */
function zipListing(attachment) {
  const zip = (attachment.verdicts ?? []).find((v) => v?.check === 'zip');
  if (!zip) return null;
  if (zip.kind !== 'listed')
    return h('div', { class: 'hint zip-listing' }, `${t('zipNotListed')}: ${zip.reason}`);
  const kb = (bytes) => `${Math.ceil(bytes / 1024)} KB`;
  return h(
    'details',
    { class: 'zip-listing' },
    h('summary', {}, t('zipContents', zip.entries.length, kb(zip.totalSize))),
    h(
      'ul',
      {},
      zip.entries.map((e) => h('li', {}, h('code', {}, e.path), ` (${kb(e.size)})`)),
    ),
    zip.truncated && h('p', { class: 'hint' }, t('zipTruncated')),
  );
}

/**
 * The second MIME reading (docs/ingest.md) when it did not simply agree: why the item is held or
 * flagged, the points off the standard, and the files each reading found, side by side.
 */
function readingsSection(reading) {
  if (!reading || reading.verdict === 'agree') return null;
  const kb = (bytes) => `${Math.ceil(bytes / 1024)} KB`;
  const files = (list) =>
    list.length === 0
      ? h('p', { class: 'hint' }, t('readingsNone'))
      : h(
          'ul',
          {},
          list.map((f) =>
            h(
              'li',
              {},
              h('code', {}, f.name ?? '?'),
              ` (${kb(f.size)}, ${f.path}, ${f.sha256.slice(0, 12)})`,
            ),
          ),
        );
  const points = (reading.findings ?? []).filter((f) => f.severity !== 'harmless');
  return h(
    'section',
    { id: 'second-reading', class: `second-reading ${reading.verdict}` },
    h('h2', {}, t('readingsTitle')),
    reading.flagReason && h('p', { class: 'hint', id: 'second-reading-flag' }, reading.flagReason),
    h(
      'div',
      { class: 'readings' },
      h('div', { id: 'reading-strict' }, h('h3', {}, t('readingsStrict')), files(reading.readings.strict)),
      h(
        'div',
        { id: 'reading-mailparser' },
        h('h3', {}, t('readingsMailparser')),
        files(reading.readings.mailparser),
      ),
    ),
    points.length > 0 &&
      h(
        'details',
        {},
        h('summary', {}, `${t('readingsFindings')} (${points.length})`),
        h(
          'ul',
          {},
          points.map((f) => h('li', {}, lang === 'en' ? f.en : f.vi)),
        ),
      ),
  );
}

/** After a decision the forms stay readable but cannot be sent again; the badge shows the new state. */
function decided(event, state) {
  event.target
    .closest('.decisions')
    .querySelectorAll('button')
    .forEach((b) => (b.disabled = true));
  const badge = document.getElementById('item-state');
  badge.className = `badge ${state}`;
  badge.textContent = stateLabel(state);
}

function decisionForms(item, m, candidates) {
  const outcome = h('p', { role: 'status', id: 'decision-outcome' });
  // The registration form, prefilled from the package or mail; the clerk corrects it before the number is taken.
  // The server prefills the form (số with ký hiệu, the sender's name from the directory); one rule for both.
  const form = item.form ?? {};
  const fields = [
    ['subject', t('subject'), form.subject ?? '', { size: 60, required: true }],
    ['notation', t('notation'), form.notation ?? '', { size: 24 }],
    ['documentType', t('documentType'), form.documentType ?? '', { size: 24, list: 'reg-types' }],
    ['senderName', t('sender'), form.senderName ?? '', { size: 40 }],
    ['promulgatedOn', t('promulgatedOn'), form.promulgatedOn ?? '', { type: 'date' }],
    ['dueOn', t('dueOn'), form.dueOn ?? '', { type: 'date' }],
  ].map(([name, label, value, attrs]) => ({
    name,
    label,
    input: h('input', {
      id: `reg-${name}`,
      name,
      value,
      ...attrs,
      ...(item.formSources?.[name] ? { 'aria-describedby': `reg-${name}-from` } : {}),
    }),
    from: fieldSource(item.formSources?.[name], `reg-${name}-from`),
  }));
  const reason = h('textarea', { id: 'reject-reason', rows: 3, cols: 60, required: true });
  const register = async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(
      fields.filter((f) => f.input.value.trim() !== '').map((f) => [f.name, f.input.value.trim()]),
    );
    const result = await api('POST', `/api/v1/intake/${item.id}/register`, form);
    if (!result.ok) return void (outcome.textContent = showFieldProblems(event.target, result));
    replace(
      outcome,
      result.data.number === undefined
        ? t('versioned', t('businessTypes')[result.data.businessType] ?? result.data.businessType)
        : t('registered', result.data.number, result.data.year),
      ' — ',
      h('a', { href: `#/documents/${result.data.documentId}`, id: 'open-document' }, t('openDocument')),
    );
    decided(event, 'registered');
  };
  const reject = async (event) => {
    event.preventDefault();
    const confirmed = await askFirst({
      question: t('confirmRejectQ'),
      detail: t('confirmRejectDetail', reason.value.trim()),
      confirm: t('confirmReject'),
      cancel: t('keep'),
    });
    if (!confirmed) return;
    const result = await api('POST', `/api/v1/intake/${item.id}/reject`, { reason: reason.value });
    if (!result.ok) return void (outcome.textContent = errorText(result));
    outcome.textContent = t('rejected');
    decided(event, 'rejected');
  };
  const markDuplicate = async (event) => {
    event.preventDefault();
    const chosen = new FormData(event.target).get('duplicateOf');
    if (!chosen) return void (outcome.textContent = t('chooseOriginal'));
    const original = candidates.find((c) => c.id === chosen);
    const confirmed = await askFirst({
      question: t('confirmDuplicateQ'),
      detail: t(
        'confirmDuplicateDetail',
        original?.document
          ? t('registeredShort', original.document.number, original.document.year)
          : (original?.subject ?? chosen),
      ),
      confirm: t('confirmDuplicate'),
      cancel: t('keep'),
    });
    if (!confirmed) return;
    const result = await api('POST', `/api/v1/intake/${item.id}/duplicate`, { duplicateOf: chosen });
    if (!result.ok) return void (outcome.textContent = errorText(result));
    replace(
      outcome,
      t('markedDuplicate'),
      ' ',
      h('a', { href: `#/intake/${chosen}`, id: 'duplicate-of' }, t('theOriginal')),
    );
    decided(event, 'duplicate');
  };
  return h(
    'section',
    { class: 'decisions' },
    h(
      'form',
      { onsubmit: register },
      h('h2', {}, t('register')),
      h('p', { class: 'hint' }, t('registerHint')),
      h(
        'div',
        { class: 'form-grid' },
        fields.map((f) => [h('label', { for: f.input.id }, f.label), h('div', {}, f.input, f.from)]),
      ),
      h('button', { type: 'submit', id: 'register' }, t('register')),
    ),
    h(
      'form',
      { onsubmit: reject },
      h('h2', {}, t('reject')),
      h('label', { for: 'reject-reason' }, t('rejectReason')),
      reason,
      h('button', { type: 'submit', id: 'reject', class: 'danger' }, t('reject')),
    ),
    duplicateForm(candidates, markDuplicate),
    typeOptions('reg-types'),
    outcome,
  );
}

/**
 * Where a prefilled field came from. A value read from the page says how sure the reader was; an
 * unsure one asks the clerk to check it (the clerk confirms or corrects every reading).
 */
function fieldSource(source, id) {
  if (!source) return '';
  if (source.from !== 'page')
    return h('small', { id, class: 'field-source' }, t(source.from === 'mail' ? 'fromMail' : 'fromPackage'));
  const percent = Math.round((source.confidence ?? 0) * 100);
  const unsure = (source.confidence ?? 0) < 0.6;
  return h(
    'small',
    { id, class: unsure ? 'field-source unsure' : 'field-source' },
    t(unsure ? 'fromPageUnsure' : 'fromPage', percent),
  );
}

/** Items that look like the same document (same attachment, Message-ID, DocumentId, subject and sender). */
function duplicateForm(candidates, onsubmit) {
  if (candidates.length === 0)
    return h(
      'div',
      { class: 'panel', id: 'no-candidates' },
      h('h2', {}, t('markDuplicate')),
      h('p', { class: 'hint' }, t('noCandidates')),
    );
  return h(
    'form',
    { onsubmit, id: 'duplicate-form' },
    h('h2', {}, t('markDuplicate')),
    h('p', { class: 'hint' }, t('duplicateHint')),
    h(
      'fieldset',
      { class: 'candidates' },
      h('legend', {}, t('duplicateOfWhich')),
      candidates.map((c) =>
        h(
          'label',
          { class: 'candidate' },
          h('input', {
            type: 'radio',
            name: 'duplicateOf',
            value: c.id,
            id: `candidate-${c.id}`,
          }),
          ' ',
          c.document
            ? h('strong', {}, t('registeredShort', c.document.number, c.document.year))
            : h('span', { class: `badge ${c.state}` }, stateLabel(c.state)),
          ` ${localTime(c.receivedAt)} · ${c.subject ?? '(…)'} `,
          h('span', { class: 'hint' }, `(${c.matches.map((x) => t('matchTexts')[x] ?? x).join(', ')})`),
          ' ',
          h('a', { href: `#/intake/${c.id}` }, t('open')),
        ),
      ),
    ),
    h('button', { type: 'submit', id: 'mark-duplicate' }, t('markDuplicate')),
  );
}
