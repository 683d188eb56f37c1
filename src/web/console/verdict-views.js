// Signature badges that open the full verdict (docs/contract.md "Signature verdict"), and the sender
// authentication of a mail (SPF/DKIM/DMARC, flags). Pure rendering of what the item API returned.
import { facts, h, localTime } from './dom.js';
import { t } from './i18n.js';

/**
 * Every verdict of an item, flattened: S/MIME of the message and each attachment's (PDF signatures,
 * an edXML package's XMLDSig). A file verdict `{signatures: [...]}` gives one badge per signature; a
 * check that failed to run (`{error}`) is shown as not verifiable with its message.
 */
export function signaturesOf(item) {
  const out = [];
  const add = (where, entry) => {
    if (!entry || typeof entry !== 'object') return;
    if (Array.isArray(entry.signatures)) for (const s of entry.signatures) out.push({ where, verdict: s });
    else if (typeof entry.status === 'string') out.push({ where, verdict: entry });
    else if (typeof entry.error === 'string')
      out.push({
        where,
        verdict: {
          status: 'unverifiable',
          chain: 'unknown',
          trusted: false,
          signer: null,
          reasons: [entry.error],
        },
      });
  };
  for (const entry of Array.isArray(item.verdicts) ? item.verdicts : [])
    add(entry?.file === 'message' ? t('theMessage') : t('thePackage'), entry);
  for (const attachment of item.attachments ?? [])
    for (const entry of Array.isArray(attachment.verdicts) ? attachment.verdicts : [])
      add(attachment.name, entry);
  return out;
}

/** [css class, label] of a verdict: good only when valid AND trusted. */
export function verdictLook(v) {
  if (v.status === 'invalid') return ['bad', t('sigInvalid')];
  if (v.status === 'unsigned') return ['neutral', t('sigUnsigned')];
  if (v.status === 'unverifiable') return ['warn', t('sigUnverifiable')];
  if (v.trusted) return ['good', t('sigValid')];
  const bad = v.chain === 'revoked' || v.chain === 'pinned-mismatch';
  return [bad ? 'bad' : 'warn', `${t('sigValidBut')} ${t('chains')[v.chain] ?? v.chain}`];
}

let nextId = 0;

/** A badge that opens the verdict in full: a native <details>, so it works by keyboard. */
export function verdictBadge({ where, verdict: v }) {
  const [look, label] = verdictLook(v);
  const id = `verdict-${(nextId += 1)}`;
  const signer = v.signer ?? null;
  return h(
    'details',
    { class: 'verdict', id },
    h(
      'summary',
      {},
      h('span', { class: `badge sig ${look}` }, label),
      ' ',
      h('span', { class: 'where' }, where),
      signer?.subject ? ` — ${commonName(signer.subject)}` : '',
    ),
    facts([
      [t('sigStatus'), `${v.status}${v.trusted ? ` · ${t('trusted')}` : ''}`],
      [t('sigChain'), `${v.chain} (${t('chains')[v.chain] ?? ''})`],
      [t('signer'), signer?.subject],
      [t('organization'), signer?.organization],
      [t('issuer'), signer?.issuer],
      [t('serial'), signer?.serial],
      [t('certValidity'), signer ? `${localTime(signer.notBefore)} – ${localTime(signer.notAfter)}` : ''],
      [t('signingTime'), v.signingTime ? localTime(v.signingTime) : ''],
      [t('sigField'), v.field],
      [
        t('coversWholeFile'),
        typeof v.coversWholeFile === 'boolean' ? (v.coversWholeFile ? t('yes') : t('noChangedAfter')) : '',
      ],
      [t('checkedAt'), v.checkedAt ? localTime(v.checkedAt) : ''],
    ]),
    v.reasons?.length > 0 && [
      h('h3', {}, t('sigReasons')),
      h(
        'ul',
        { class: 'reasons' },
        v.reasons.map((r) => h('li', {}, r)),
      ),
    ],
    v.warnings?.length > 0 && [
      h('h3', {}, t('sigWarnings')),
      h(
        'ul',
        { class: 'reasons' },
        v.warnings.map((w) => h('li', {}, w)),
      ),
    ],
  );
}

const commonName = (subject) => /CN=([^,]+)/.exec(subject)?.[1] ?? subject;

export function signatureSection(item) {
  const list = signaturesOf(item);
  return [
    h('h2', {}, t('signatures')),
    list.length === 0
      ? h('p', { class: 'hint', id: 'signatures' }, t('noSignatureChecked'))
      : h('div', { class: 'verdicts', id: 'signatures' }, list.map(verdictBadge)),
  ];
}

const AUTH_LOOK = { pass: 'good', fail: 'bad', softfail: 'warn', neutral: 'neutral', none: 'neutral' };

/** SPF, DKIM and DMARC as recorded at receipt, the flags ingest set, and the SMTP envelope. */
export function senderAuthSection(item) {
  const m = item.metadata ?? {};
  if (item.source !== 'smtp' && item.source !== 'imap') return null;
  const auth = m.senderAuth;
  const flags = Array.isArray(m.flags) ? m.flags : [];
  const envelope = m.envelope ?? {};
  return h(
    'section',
    { id: 'sender-auth', class: 'panel' },
    h('h2', {}, t('senderAuth')),
    auth
      ? h(
          'p',
          { class: 'auth-results' },
          ['spf', 'dkim', 'dmarc'].map((name) =>
            h(
              'span',
              { class: `badge sig ${AUTH_LOOK[auth[name]] ?? 'warn'}`, id: `auth-${name}` },
              `${name.toUpperCase()}: ${auth[name]}`,
            ),
          ),
          auth.dmarcPolicy ? ` ${t('dmarcPolicy')}: ${auth.dmarcPolicy}` : '',
        )
      : h('p', { class: 'hint' }, item.source === 'imap' ? t('authNotImap') : t('authNotChecked')),
    flags.length > 0 &&
      h(
        'p',
        { id: 'flags' },
        flags.map((flag) => h('span', { class: 'badge sig warn' }, t('flagTexts')[flag] ?? flag)),
      ),
    facts([
      [t('mailFrom'), envelope.mailFrom],
      [t('headerFrom'), m.mail?.from],
      [t('client'), envelope.client ? `${envelope.client.ip} (HELO ${envelope.client.helo})` : ''],
      [t('authenticatedAs'), envelope.authenticatedAs],
      [t('mailbox'), envelope.origin ? JSON.stringify(envelope.origin) : ''],
      [t('messageId'), item.messageId],
      [t('malware'), Array.isArray(m.malware) && m.malware.length > 0 ? m.malware.join('; ') : ''],
      [t('mimeProblems'), m.mail?.problems?.length > 0 ? m.mail.problems.join('; ') : ''],
    ]),
    auth?.header && h('details', {}, h('summary', {}, 'Authentication-Results'), h('pre', {}, auth.header)),
  );
}
