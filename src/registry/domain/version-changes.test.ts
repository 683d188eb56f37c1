import { describe, expect, it } from 'vitest';
import { documentStanding, versionChanges } from './version-changes.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 2, minute));

describe('versionChanges', () => {
  it('names each fact that differs from the version before, ignoring facts the later one lacks', () => {
    expect(
      versionChanges(
        { subject: 'Kế hoạch quý IV', notation: '12/KH-STC', attachments: 'a.pdf' },
        { subject: 'Kế hoạch quý IV (sửa đổi)', notation: '12/KH-STC', attachments: 'a-v2.pdf' },
      ),
    ).toEqual([
      { field: 'subject', before: 'Kế hoạch quý IV', after: 'Kế hoạch quý IV (sửa đổi)' },
      { field: 'attachments', before: 'a.pdf', after: 'a-v2.pdf' },
    ]);
    expect(versionChanges({ subject: 'x' }, {})).toEqual([]);
    expect(versionChanges(null, { dueOn: '2026-12-01' })).toEqual([
      { field: 'dueOn', before: null, after: '2026-12-01' },
    ]);
    expect(versionChanges({ subject: 'x' }, null)).toEqual([]);
  });
});

describe('documentStanding', () => {
  it('is current for an original alone, updated after an update', () => {
    expect(documentStanding([{ id: 'o', businessType: 0, receivedAt: at(0) }])).toEqual({ kind: 'current' });
    expect(
      documentStanding([
        { id: 'o', businessType: 0, receivedAt: at(0) },
        { id: 'u', businessType: 2, receivedAt: at(5) },
      ]),
    ).toEqual({ kind: 'updated', at: at(5), versionId: 'u' });
  });

  it('stays revoked or replaced whatever update follows; the latest of the two wins', () => {
    expect(
      documentStanding([
        { id: 'u', businessType: 2, receivedAt: at(9) },
        { id: 'r', businessType: 1, receivedAt: at(5) },
        { id: 'o', businessType: 0, receivedAt: at(0) },
      ]),
    ).toEqual({ kind: 'revoked', at: at(5), versionId: 'r' });
    expect(
      documentStanding([
        { id: 'o', businessType: 0, receivedAt: at(0) },
        { id: 'r', businessType: 1, receivedAt: at(5) },
        { id: 'x', businessType: 3, receivedAt: at(7) },
      ]),
    ).toEqual({ kind: 'replaced', at: at(7), versionId: 'x' });
  });
});
