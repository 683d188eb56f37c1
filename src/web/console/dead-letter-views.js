// One dead letter for admins (#/dead-letters/<message_id>): where it was going and why it died,
// its payload as the API describes it (text shown as text, an edXML package in brief, binary as
// size and SHA-256 only) and the discard, asked first, with the reason the audit trail keeps.
import { api, errorText, showFieldProblems } from './api.js';
import { askFirst, facts, h, replace } from './dom.js';
import { statusLabel, t } from './i18n.js';

/** A broker's reason code (delivery_limit, …) in words; a consumer's own reason is already words. */
export function deadReasonWords(reason) {
  return (reason && t('deadReasons')[reason]) ?? reason ?? '';
}

export function letterKindWords(type) {
  return (type && t('letterKinds')[type]) ?? type ?? '';
}

const organ = (o) => (o ? [o.name, o.organId ? `(${o.organId})` : ''].filter(Boolean).join(' ') : '');

function summary(edxml) {
  if (edxml.kind === 'edoc')
    return facts([
      [t('kind'), t('summaryEdoc')],
      [t('summaryFrom'), organ(edxml.from)],
      [
        t('summaryTo'),
        h(
          'ul',
          { class: 'plain' },
          edxml.to.map((o) => h('li', {}, organ(o))),
        ),
      ],
      [t('notation'), [edxml.number, edxml.notation].filter(Boolean).join('/')],
      [t('subject'), edxml.subject],
      [t('documentKey'), edxml.documentId],
    ]);
  return facts([
    [t('kind'), t('summaryStatus')],
    [t('summaryFrom'), organ(edxml.from)],
    [t('state'), statusLabel(edxml.statusCode)],
    [t('statusDescription'), edxml.description],
    [t('summaryAbout'), [edxml.about.code, edxml.about.documentId].filter(Boolean).join(' · ')],
  ]);
}

function payloadSection(payload) {
  const about =
    payload.summary === 'summarised'
      ? [h('h2', {}, t('packageSummary')), summary(payload.edxml)]
      : [
          h(
            'p',
            { class: 'hint' },
            payload.summary === 'too-large' ? t('payloadTooLarge') : t('payloadNotEdxml'),
          ),
        ];
  const content = payload.text
    ? [
        payload.text.truncated ? h('p', { class: 'hint' }, t('payloadTruncated', payload.size)) : null,
        // Text, never markup: the payload is a text node inside <pre>.
        h('pre', { class: 'payload', id: 'payload-text', tabindex: '0' }, payload.text.value),
      ]
    : [h('p', { id: 'payload-binary' }, t('payloadBinary'))];
  return [...about, h('h2', {}, t('payloadTitle')), ...content];
}

function discardForm(messageId, done) {
  const outcome = h('p', { class: 'error', role: 'alert', id: 'discard-outcome' });
  const reason = h('textarea', { id: 'discard-reason', name: 'reason', rows: 3, cols: 50, maxlength: 500 });
  const submit = async (event) => {
    event.preventDefault();
    const form = event.target;
    const given = reason.value.trim();
    if (given.length < 3) {
      // The server refuses it too; said here first so nothing is asked for a reason it would refuse.
      const words = t('discardReasonShort');
      outcome.textContent = showFieldProblems(form, {
        data: { error: { problems: [{ field: 'reason', vi: words, en: words }] } },
      });
      return;
    }
    showFieldProblems(form, { data: null });
    const yes = await askFirst({
      question: t('confirmDiscardQ'),
      detail: t('confirmDiscardDetail', messageId),
      confirm: t('confirmDiscard'),
      cancel: t('keep'),
    });
    if (!yes) return;
    const button = form.querySelector('button');
    button.disabled = true;
    const result = await api('POST', `/api/v1/relay/dead-letters/${encodeURIComponent(messageId)}/discard`, {
      reason: given,
    });
    button.disabled = false;
    if (!result.ok) return void (outcome.textContent = showFieldProblems(form, result));
    done();
  };
  return h(
    'section',
    { class: 'discard' },
    h('h2', {}, t('discardTitle')),
    h('p', { class: 'hint' }, t('discardHint')),
    h(
      'form',
      { id: 'discard-form', onsubmit: submit },
      h('label', { for: 'discard-reason' }, t('discardReason')),
      reason,
      h('button', { type: 'submit', class: 'danger' }, t('discardButton')),
    ),
    outcome,
  );
}

export async function deadLetterView(main, { id }) {
  let messageId;
  try {
    messageId = decodeURIComponent(id);
  } catch {
    messageId = id;
  }
  const back = h('p', {}, h('a', { href: '#/relay' }, `← ${t('backToRelay')}`));
  const result = await api('GET', `/api/v1/relay/dead-letters/${encodeURIComponent(messageId)}`);
  if (!result.ok)
    return replace(
      main,
      h('h1', {}, t('deadLetterTitle')),
      back,
      h('p', { class: 'error' }, errorText(result)),
    );
  const { deadLetter: letter, payload } = result.data;
  const discarded = () =>
    replace(
      main,
      h('h1', {}, t('deadLetterTitle')),
      h('p', { class: 'done', role: 'status', id: 'discard-done' }, t('discarded', messageId)),
      back,
    );
  replace(
    main,
    h('h1', {}, t('deadLetterTitle')),
    back,
    facts([
      [t('messageId'), h('code', {}, messageId)],
      [t('kind'), letterKindWords(letter.type)],
      [t('sender'), letter.from],
      [t('goingTo'), (letter.routingKeys ?? []).join(', ')],
      [t('reason'), deadReasonWords(letter.reason)],
      [t('deadQueue'), letter.queue],
      [t('contentType'), payload.contentType],
      [t('sizeBytes'), t('bytesValue', payload.size)],
      [t('sha256'), h('code', { class: 'hash' }, payload.sha256)],
    ]),
    ...payloadSection(payload),
    discardForm(messageId, discarded),
  );
}
