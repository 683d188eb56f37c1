import { describe, expect, it } from 'vitest';
import { parseMailboxes } from './imap/mailbox-config.ts';
import {
  checkConnection,
  checkDeclaredSize,
  checkRecipient,
  placeMessage,
  type ContentFacts,
} from './ingest-policy.ts';

const facts = (over: Partial<ContentFacts> = {}): ContentFacts => ({
  kind: 'document',
  parseProblem: null,
  problems: [],
  knownSender: true,
  auth: null,
  infected: [],
  unknownSenderPolicy: 'queue',
  ...over,
});
const auth = (dmarc: string, dmarcPolicy: string | null) => ({
  spf: 'fail',
  dkim: 'none',
  dmarc,
  dmarcPolicy,
  header: '',
});

describe('ingest policy', () => {
  it('limits connections per client', () => {
    const limits = { maxPerClient: 2, maxPerClientPerMinute: 10 };
    expect(checkConnection({ open: 1, lastMinute: 1 }, limits).kind).toBe('accept');
    expect(checkConnection({ open: 2, lastMinute: 1 }, limits)).toMatchObject({
      code: 'INGEST_RATE_LIMITED',
    });
    expect(checkConnection({ open: 0, lastMinute: 10 }, limits)).toMatchObject({
      code: 'INGEST_RATE_LIMITED',
    });
  });

  it('refuses a declared size over the limit and unknown recipients', () => {
    expect(checkDeclaredSize(2000, 1000)).toMatchObject({ code: 'INGEST_MESSAGE_TOO_LARGE' });
    expect(checkDeclaredSize(undefined, 1000).kind).toBe('accept');
    expect(checkRecipient(false, 0, 10)).toMatchObject({ code: 'INGEST_RECIPIENT_UNKNOWN' });
    expect(checkRecipient(true, 10, 10)).toMatchObject({ code: 'INGEST_TOO_MANY_RECIPIENTS' });
  });

  it.each<[string, Partial<ContentFacts>, string]>([
    ['a readable document from a known sender', {}, 'queue'],
    ['an unknown sender, queue policy', { knownSender: false }, 'queue'],
    [
      'an unknown sender, quarantine policy',
      { knownSender: false, unknownSenderPolicy: 'quarantine' },
      'quarantine',
    ],
    ['malware', { infected: ['a.exe: Eicar'] }, 'quarantine'],
    ['an unreadable message', { parseProblem: 'boom' }, 'quarantine'],
    ['a DSN', { kind: 'delivery-status' }, 'quarantine'],
    ['DMARC fail with p=none', { auth: auth('fail', 'none') }, 'queue'],
    ['DMARC fail with p=quarantine', { auth: auth('fail', 'quarantine') }, 'quarantine'],
    // The 250 comes before the content is read, so a p=reject failure is held, not refused.
    ['DMARC fail with p=reject', { auth: auth('fail', 'reject') }, 'quarantine'],
  ])('%s → %s', (_name, over, kind) => {
    expect(placeMessage(facts(over)).kind).toBe(kind);
  });

  it('quarantines an unsafe ZIP with its flag, and a report with the reason that links it', () => {
    const zip = { flag: 'zip-bomb', reason: 'a.zip: ratio over 100:1' };
    expect(placeMessage(facts({ unsafeArchives: [zip, { ...zip, reason: 'b.zip: …' }] }))).toEqual({
      kind: 'quarantine',
      reason: 'unsafe ZIP attachment, not opened: a.zip: ratio over 100:1; b.zip: …',
      flags: ['zip-bomb'],
    });
    expect(
      placeMessage(
        facts({ kind: 'delivery-status', reportReason: 'delivery report for <x@h>: failed 5.1.1' }),
      ),
    ).toMatchObject({ kind: 'quarantine', reason: 'delivery report for <x@h>: failed 5.1.1' });
    expect(placeMessage(facts({ kind: 'feedback-report' }))).toMatchObject({
      reason: 'feedback-report report, not a document',
    });
  });

  it('flags unknown senders and failed authentication either way', () => {
    expect(placeMessage(facts({ knownSender: false, auth: auth('fail', 'none') }))).toMatchObject({
      kind: 'queue',
      flags: ['unknown-sender', 'dmarc-fail', 'spf-fail'],
    });
  });
});

describe('mailbox configuration', () => {
  it('reads defaults and names every problem', () => {
    expect(parseMailboxes(undefined)).toEqual([]);
    const [box] = parseMailboxes(
      JSON.stringify([{ name: 'a', host: 'h', user: 'u', passwordFile: '/p', agency: '000.00.11.H53' }]),
    );
    expect(box).toMatchObject({ port: 993, secure: true, folder: 'INBOX', afterCommit: 'seen' });
    expect(() => parseMailboxes('[{"name":"a"}]')).toThrow(/host/);
    expect(() => parseMailboxes('not json')).toThrow(/not valid JSON/);
  });
});
