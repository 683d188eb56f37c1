import { describe, expect, it } from 'vitest';
import { readinessReport, type Readiness } from './health-routes.ts';

const allUp: Readiness = {
  database: { status: 'up', detail: 'PostgreSQL' },
  broker: { status: 'up' },
  brokerManagement: { status: 'up' },
};

describe('readinessReport', () => {
  it('is ready with nothing degraded when every dependency is up', () => {
    expect(readinessReport(allUp)).toMatchObject({ ready: true, status: 'ready', reasons: [], degraded: [] });
  });

  it('stays ready, degraded, while a dependency other than the database is down, and names what is missing', () => {
    const report = readinessReport({
      ...allUp,
      broker: { status: 'connecting', withoutIt: 'no package is delivered' },
      mailRelay: { status: 'down', detail: 'relay:25: ECONNREFUSED', withoutIt: 'receipts are not sent' },
      mailboxes: {
        'so-tc': { status: 'down', detail: 'login failed', withoutIt: 'mail is not collected' },
        'so-yt': { status: 'up' },
      },
    });
    expect(report).toMatchObject({ ready: true, status: 'degraded', reasons: [] });
    expect(report.degraded).toEqual([
      'broker connecting: no package is delivered',
      'mailRelay down (relay:25: ECONNREFUSED): receipts are not sent',
      'mailbox so-tc down (login failed): mail is not collected',
    ]);
  });

  it('is not ready when the database is down, whatever else is up', () => {
    const report = readinessReport({
      ...allUp,
      database: { status: 'down', detail: 'connection refused', withoutIt: 'nothing can be accepted' },
    });
    expect(report).toMatchObject({ ready: false, status: 'not ready', degraded: [] });
    expect(report.reasons).toEqual(['database down (connection refused): nothing can be accepted']);
  });
});
