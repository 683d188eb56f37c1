// Paper still arrives: the clerk uploads the scan (PDF) with what the paper says, into the intake
// queue through POST /api/v1/intake/uploads, and may register it at once with the same facts.
import { api, errorText } from './api.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { documentTypes, typeOptions } from './intake-views.js';

/** base64 of a file, in chunks so that a large scan does not overflow the argument list. */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { base64: window.btoa(binary), head: String.fromCharCode(...bytes.subarray(0, 5)) };
}

/** What is wrong with the chosen scan before anything is sent, in the clerk's words. */
async function scanProblem(file) {
  if (!file) return t('uploadNoFile');
  if (file.size === 0) return t('uploadEmpty', file.name);
  const { base64, head } = await base64Of(file);
  if (head !== '%PDF-' || (file.type && file.type !== 'application/pdf')) return t('uploadNotPdf', file.name);
  return { base64 };
}

export async function uploadView(main, { user }) {
  await documentTypes();
  const message = h('div', { role: 'status', id: 'upload-outcome' });
  const field = (name, label, attrs = {}) => [
    h('label', { for: `up-${name}` }, label),
    h('input', { id: `up-${name}`, name, ...attrs }),
  ];
  const submit = async (event) => {
    event.preventDefault();
    const form = event.target;
    const button = form.querySelector('button[type=submit]');
    const data = new FormData(form);
    const file = data.get('scan');
    const checked = await scanProblem(file && file.size !== undefined && file.name ? file : null);
    if (typeof checked === 'string') return replace(message, h('p', { class: 'error' }, checked));
    const attachments = [];
    for (const extra of data.getAll('attachments').filter((f) => f && f.name)) {
      if (extra.size === 0) return replace(message, h('p', { class: 'error' }, t('uploadEmpty', extra.name)));
      attachments.push({
        name: extra.name,
        contentType: extra.type || 'application/octet-stream',
        content: (await base64Of(extra)).base64,
      });
    }
    const text = (name) => String(data.get(name) ?? '').trim();
    const facts = Object.fromEntries(
      ['subject', 'notation', 'documentType', 'senderName', 'promulgatedOn', 'signer', 'dueOn', 'agency']
        .map((name) => [name, text(name)])
        .filter(([, value]) => value !== ''),
    );
    button.disabled = true;
    replace(message, h('p', { 'aria-busy': 'true' }, t('uploading')));
    const result = await api('POST', '/api/v1/intake/uploads', {
      ...facts,
      scan: { name: file.name, contentType: 'application/pdf', content: checked.base64 },
      ...(attachments.length > 0 ? { attachments } : {}),
    });
    button.disabled = false;
    if (!result.ok) {
      const problems = result.data?.error?.details?.problems;
      return replace(
        message,
        h('p', { class: 'error' }, result.status === 413 ? t('uploadTooLarge') : t('uploadRefused')),
        Array.isArray(problems)
          ? h(
              'ul',
              { class: 'error' },
              problems.map((p) => h('li', {}, p)),
            )
          : h('p', { class: 'error' }, errorText(result)),
      );
    }
    const { id, duplicate } = result.data;
    const itemLink = h('a', { href: `#/intake/${id}`, id: 'uploaded-item' }, t('openItem'));
    if (duplicate) return replace(message, h('p', { class: 'error' }, t('uploadDuplicate'), ' ', itemLink));
    if (data.get('registerNow') !== 'on') {
      form.reset();
      return replace(message, h('p', { class: 'done' }, t('uploadQueued'), ' ', itemLink));
    }
    const registered = await api('POST', `/api/v1/intake/${id}/register`, {});
    if (!registered.ok)
      return replace(
        message,
        h('p', { class: 'error' }, t('uploadQueuedNotRegistered', errorText(registered)), ' ', itemLink),
      );
    form.reset();
    replace(
      message,
      h(
        'p',
        { class: 'done' },
        t('registered', registered.data.number, registered.data.year),
        ' — ',
        h('a', { href: `#/documents/${registered.data.documentId}`, id: 'open-document' }, t('openDocument')),
      ),
    );
  };
  replace(
    main,
    h('h1', {}, t('uploadTitle')),
    h('p', { class: 'hint' }, t('uploadHint')),
    h(
      'form',
      { class: 'panel upload', id: 'upload-form', onsubmit: submit, onchange: () => replace(message) },
      h(
        'div',
        { class: 'form-grid' },
        h('label', { for: 'up-scan' }, t('scanFile')),
        h('input', {
          id: 'up-scan',
          name: 'scan',
          type: 'file',
          accept: 'application/pdf,.pdf',
          required: true,
        }),
        field('subject', t('subject'), { size: 60, required: true, maxlength: 2000 }),
        field('notation', t('notation'), { size: 24, maxlength: 100, placeholder: '12/QĐ-UBND' }),
        field('documentType', t('documentType'), { size: 30, list: 'up-types', maxlength: 100 }),
        field('senderName', t('sender'), { size: 50, maxlength: 500 }),
        field('promulgatedOn', t('promulgatedOn'), { type: 'date' }),
        field('signer', t('signer'), { size: 40, maxlength: 200 }),
        field('dueOn', t('dueOn'), { type: 'date' }),
        !user.agency && field('agency', t('agency'), { size: 16, required: true }),
        h('label', { for: 'up-attachments' }, t('moreFiles')),
        h('input', { id: 'up-attachments', name: 'attachments', type: 'file', multiple: true }),
        h('span', {}),
        h(
          'label',
          { class: 'check' },
          h('input', { type: 'checkbox', name: 'registerNow', id: 'up-register-now' }),
          ' ',
          t('registerNow'),
        ),
      ),
      typeOptions('up-types'),
      h('button', { type: 'submit', id: 'upload' }, t('upload')),
    ),
    message,
  );
}
