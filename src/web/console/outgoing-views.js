// Sending a document (soạn văn bản đi): the PDF, its details and recipients chosen from the
// directory go to POST /api/v1/outgoing, which numbers, signs and relays it; then the document's
// page follows each recipient's delivery, refreshing while the page is open, and offers the files
// that were sent (read back from the signed package).
import { api, errorText } from './api.js';
import { h, localTime, replace } from './dom.js';
import { deliveryStateLabel, lang, t } from './i18n.js';
import { attachmentList } from './intake-views.js';

const REFRESH_MS = 3000;
const FINAL = new Set(['finished', 'rejected', 'failed', 'recall_accepted', 'recall_refused']);

/** Lower case without diacritics, so "so tai chinh" finds "Sở Tài chính". */
const fold = (text) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase();

const todayInVietnam = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' });

/** The file's bytes as base64, in chunks so a large PDF does not overflow the call stack. */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return window.btoa(binary);
}

// QCVN 102 Subject: 500 characters (edxml/field-rules.ts FIELD_LIMITS).
const SUBJECT_LIMIT = 500;

function field(id, label, input) {
  return [h('label', { for: id }, label), input];
}

function recipientPicker(agencies) {
  const count = h('p', { id: 'recipient-count', role: 'status' }, t('chosen', 0));
  const boxes = [];
  const rows = agencies.map((agency) => {
    const box = h('input', {
      type: 'checkbox',
      name: 'recipient',
      value: agency.organId,
      id: `recipient-${agency.organId}`,
      onchange: () => {
        count.textContent = t('chosen', boxes.filter((b) => b.checked).length);
      },
    });
    boxes.push(box);
    const row = h(
      'li',
      { 'data-search': fold(`${agency.name} ${agency.organId}`) },
      h('label', { for: box.id }, box, ` ${agency.name} `, h('span', { class: 'organ-id' }, agency.organId)),
    );
    return row;
  });
  const search = h('input', {
    id: 'recipient-search',
    type: 'search',
    size: 40,
    autocomplete: 'off',
    oninput: () => {
      const words = fold(search.value).split(/\s+/).filter(Boolean);
      for (const row of rows)
        row.hidden = !words.every((word) => row.getAttribute('data-search').includes(word));
    },
    // Enter in the search box filters; it must not send the form.
    onkeydown: (event) => {
      if (event.key === 'Enter') event.preventDefault();
    },
  });
  return {
    element: h(
      'fieldset',
      { class: 'recipients' },
      h('legend', {}, t('recipients')),
      h('label', { for: 'recipient-search' }, t('recipientSearch')),
      search,
      h('ul', { id: 'recipient-list', class: 'recipient-list' }, rows),
      count,
    ),
    chosen: () => boxes.filter((b) => b.checked).map((b) => b.value),
  };
}

export async function composeView(main, { user }) {
  const [types, agencies] = await Promise.all([
    api('GET', '/api/v1/document-types'),
    api('GET', '/api/v1/agencies'),
  ]);
  if (!types.ok || !agencies.ok)
    return replace(main, h('h1', {}, t('composeTitle')), h('p', { class: 'error' }, errorText(agencies)));
  const picker = recipientPicker(agencies.data.agencies.filter((a) => a.organId !== user.agency));
  const outcome = h('p', { id: 'compose-outcome', role: 'alert', class: 'error' });
  const pdf = h('input', { id: 'pdf', type: 'file', accept: 'application/pdf,.pdf', required: true });
  const documentType = h(
    'select',
    { id: 'document-type', required: true },
    types.data.types
      .filter((type) => type.kind === 'administrative')
      .map((type) => h('option', { value: type.no, selected: type.no === 18 }, type.name)),
  );
  const input = (id, attrs = {}) => h('input', { id, ...attrs });
  const notation = input('notation', { required: true, maxlength: 30, size: 16, placeholder: 'UBND-VP' });
  // No maxlength: a browser would cut a pasted trích yếu at 500 mid-word without a word. The count
  // shows the limit as the clerk types; past it the form says so beside the field and sends nothing.
  const subject = h('textarea', {
    id: 'subject',
    required: true,
    rows: 3,
    cols: 60,
    'aria-describedby': 'subject-count',
  });
  const subjectCount = h('p', { id: 'subject-count', class: 'hint', 'aria-live': 'polite' });
  const countSubject = () => {
    const length = [...subject.value.trim()].length;
    subjectCount.textContent = t('charCount', length, SUBJECT_LIMIT);
    subjectCount.classList.toggle('error', length > SUBJECT_LIMIT);
    subject.setAttribute('aria-invalid', String(length > SUBJECT_LIMIT));
  };
  subject.addEventListener('input', countSubject);
  countSubject();
  const promulgatedOn = input('promulgated-on', { type: 'date', required: true, value: todayInVietnam() });
  const place = input('place', { maxlength: 50, size: 20 });
  const signerName = input('signer-name', { required: true, maxlength: 50, size: 30 });
  const signerPosition = input('signer-position', { maxlength: 100, size: 30 });
  const signerCompetence = input('signer-competence', { maxlength: 100, size: 30 });
  const priority = h(
    'select',
    { id: 'priority' },
    t('priorities').map((label, value) => h('option', { value }, label)),
  );
  const dueOn = input('due-on', { type: 'date' });
  const send = h('button', { type: 'submit', id: 'send' }, t('sendSigned'));

  const submit = async (event) => {
    event.preventDefault();
    const file = pdf.files?.[0];
    if (!file) return void (outcome.textContent = t('choosePdf'));
    const recipients = picker.chosen();
    if (recipients.length === 0) return void (outcome.textContent = t('chooseRecipient'));
    const subjectLength = [...subject.value.trim()].length;
    if (subjectLength > SUBJECT_LIMIT) {
      subjectCount.textContent = t('subjectTooLong', subjectLength, SUBJECT_LIMIT);
      subject.focus();
      return;
    }
    const optional = (value) => (value.trim() ? value.trim() : undefined);
    send.disabled = true;
    outcome.textContent = t('sending');
    const result = await api('POST', '/api/v1/outgoing', {
      notation: notation.value.trim(),
      documentType: Number(documentType.value),
      subject: subject.value.trim(),
      promulgatedOn: promulgatedOn.value,
      place: optional(place.value),
      signer: {
        fullName: signerName.value.trim(),
        position: optional(signerPosition.value),
        competence: optional(signerCompetence.value),
      },
      priority: Number(priority.value),
      dueOn: optional(dueOn.value),
      recipients,
      pdf: { name: file.name, content: await base64Of(file) },
    });
    send.disabled = false;
    if (!result.ok) return void (outcome.textContent = errorText(result));
    dirty = false;
    location.hash = `#/documents/${result.data.documentId}`;
  };

  replace(
    main,
    h('h1', {}, t('composeTitle')),
    h('p', {}, t('composeHint')),
    h(
      'form',
      { class: 'compose', id: 'compose', onsubmit: submit },
      h(
        'div',
        { class: 'compose-fields' },
        field('pdf', t('pdfFile'), pdf),
        field('document-type', t('documentType'), documentType),
        field('notation', t('notationHint'), notation),
        field('subject', t('subject'), h('div', { class: 'limited' }, subject, subjectCount)),
        field('promulgated-on', t('promulgatedOn'), promulgatedOn),
        field('place', t('place'), place),
        field('signer-name', t('signerName'), signerName),
        field('signer-position', t('signerPosition'), signerPosition),
        field('signer-competence', t('signerCompetence'), signerCompetence),
        field('priority', t('priority'), priority),
        field('due-on', t('dueOn'), dueOn),
      ),
      picker.element,
      h('p', {}, send),
      outcome,
    ),
  );
  // A reload or a closed tab would lose what the clerk typed: the browser asks first while the form
  // holds anything, and stops asking once the page is left for another of the console's.
  let dirty = false;
  const form = document.getElementById('compose');
  form?.addEventListener('input', () => {
    dirty = true;
  });
  const warn = (event) => {
    if (!dirty || !form?.isConnected) return;
    event.preventDefault();
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', warn);
  const forget = () => {
    if (form?.isConnected) return;
    window.removeEventListener('beforeunload', warn);
    window.removeEventListener('hashchange', forget);
  };
  window.addEventListener('hashchange', forget);
  pdf.focus();
}

function deliveryRows(deliveries) {
  return deliveries.map((d) =>
    h(
      'tr',
      { 'data-organ-id': d.toOrganId, 'data-state': d.state },
      h('td', {}, d.toName ?? d.toOrganId, ' ', h('span', { class: 'organ-id' }, d.toOrganId)),
      h('td', { class: `delivery-${d.state}` }, deliveryStateLabel(d.state)),
      h(
        'td',
        {},
        d.reasonWords ? (d.reasonWords[lang] ?? d.reasonWords.vi) : (d.reason ?? ''),
        d.retry &&
          h(
            'span',
            { class: 'hint retry' },
            ' ',
            t('retrying', d.retry.attempts, localTime(d.retry.nextAttemptAt)),
          ),
      ),
      h('td', {}, localTime(d.updatedAt)),
    ),
  );
}

/**
 * Each recipient's delivery of a document the agency sent, fetched again every few seconds while
 * the section is on the page (statuses arrive from the recipients at their own pace).
 */
export function deliveriesSection(documentId) {
  const body = h('tbody');
  const status = h('p', { role: 'status', id: 'deliveries-status' });
  const section = h(
    'section',
    { class: 'deliveries' },
    h('h2', {}, t('deliveriesTitle')),
    h(
      'table',
      { class: 'list', id: 'deliveries' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [t('recipients'), t('status'), t('reasonLabel'), t('deliveryUpdated')].map((c) => h('th', {}, c)),
        ),
      ),
      body,
    ),
    status,
  );
  const load = async () => {
    const result = await api('GET', `/api/v1/documents/${encodeURIComponent(documentId)}/deliveries`);
    if (!result.ok) status.textContent = errorText(result);
    else {
      body.replaceChildren(...deliveryRows(result.data.deliveries));
      status.textContent = result.data.deliveries.length === 0 ? t('empty') : '';
      // Nothing more will come once every recipient finished, refused or could not be reached.
      if (result.data.deliveries.length > 0 && result.data.deliveries.every((d) => FINAL.has(d.state)))
        return;
    }
    setTimeout(() => {
      if (section.isConnected) void load();
    }, REFRESH_MS);
  };
  void load();
  return section;
}

/**
 * The files a sent document travelled with, as the signed package holds them: download links, and
 * the PDF viewer like an incoming document's attachments. Files are addressed by their position in
 * the package, so no file name ever becomes part of a URL.
 */
export function sentFilesSection(documentId) {
  const id = encodeURIComponent(documentId);
  const list = h('div', { id: 'sent-files' });
  const section = h('section', { class: 'sent-files' }, h('h2', {}, t('sentFiles')), list);
  void api('GET', `/api/v1/documents/${id}/files`).then((result) => {
    if (!result.ok) replace(list, h('p', { role: 'status' }, errorText(result)));
    else
      replace(
        list,
        attachmentList(result.data.files, (f) => `/api/v1/documents/${id}/files/${f.index}`),
      );
  });
  return section;
}
