import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson, GENESIS_HASH, type AuditFields } from './audit-hash.ts';

const entry: AuditFields = {
  seq: 1n,
  at: new Date('2026-11-25T01:02:03.456Z'),
  actor: 'user:vanthu',
  agencyId: null,
  action: 'intake.register',
  subject: 'intake:1',
  data: { b: 1, a: [1, { y: 2, x: 1 }] },
};

describe('audit hash', () => {
  it('is stable regardless of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
    expect(auditHash(GENESIS_HASH, entry)).toBe(
      auditHash(GENESIS_HASH, { ...entry, data: { a: [1, { x: 1, y: 2 }], b: 1 } }),
    );
  });

  it.each([
    ['seq', { seq: 2n }],
    ['time', { at: new Date('2026-11-25T01:02:03.457Z') }],
    ['actor', { actor: 'user:other' }],
    ['agency', { agencyId: '00000000-0000-0000-0000-000000000001' }],
    ['action', { action: 'intake.reject' }],
    ['data', { data: { b: 2, a: [1, { y: 2, x: 1 }] } }],
  ])('changes when the %s changes', (_name, change) => {
    expect(auditHash(GENESIS_HASH, { ...entry, ...change })).not.toBe(auditHash(GENESIS_HASH, entry));
  });

  it('depends on the previous hash', () => {
    expect(auditHash('f'.repeat(64), entry)).not.toBe(auditHash(GENESIS_HASH, entry));
  });
});
