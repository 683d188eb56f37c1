import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../access/index.ts';
import { documentPackage } from '../../test/support/relay-fixtures.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';

const A = '000.00.11.H53';
const B = '000.00.12.H53';
const C = '000.00.13.H53';

let web: TestWebApp;
const bearer = new Map<string, Record<string, string>>();
function h(organId: string): Record<string, string> {
  const headers = bearer.get(organId);
  if (!headers) throw new Error(`no token for ${organId}`);
  return headers;
}

async function tokenFor(organId: string): Promise<Record<string, string>> {
  const token = await createApiToken(web.prisma, { agency: organId }, 'system:test');
  if (token.kind !== 'created') throw new Error(token.reason);
  return { authorization: `Bearer ${token.secret}` };
}

const submit = (body: Buffer, headers: Record<string, string>) =>
  web.app.inject({
    method: 'POST',
    url: '/api/v1/packages',
    payload: body,
    headers: { ...headers, 'content-type': 'application/xml' },
  });

beforeAll(async () => {
  web = await startTestWebApp('packages');
  for (const organId of [A, B, C]) {
    await addAgency(web.prisma, organId);
    bearer.set(organId, await tokenFor(organId));
  }
});
afterAll(() => web.close());

describe('POST /api/v1/packages', () => {
  it('accepts a package of the token’s own agency with 202, after storing it and its outbox rows', async () => {
    const documentId = `${A},2026/11/25,http/STC`;
    const response = await submit(documentPackage({ from: A, to: [B], documentId }), h(A));
    expect(response.statusCode).toBe(202);
    const body = response.json<{ packageId: string; outcome: string; recipients: string[] }>();
    expect(body).toMatchObject({ outcome: 'accepted', recipients: [B] });
    expect(
      await web.prisma.outboxMessage.count({
        where: { kind: 'edoc', targetOrganId: B, headers: { path: ['packageId'], equals: body.packageId } },
      }),
    ).toBe(1);
  });

  it('refuses a package whose From is another agency, with the reason', async () => {
    const response = await submit(documentPackage({ from: B, to: [C] }), h(A));
    expect(response.statusCode).toBe(422);
    expect(response.json<{ error: { message: string } }>().error.message).toContain(
      `you may submit only for your own agency ${A}`,
    );
  });

  it.each([
    ['not XML at all', Buffer.from('hello')],
    [
      'a billion-laughs document',
      Buffer.from('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;</l>'),
    ],
    ['an unknown recipient', documentPackage({ from: A, to: ['000.00.77.H77'] })],
  ])('answers %s with 422 and a reason, never a 500', async (_name, body) => {
    const response = await submit(body, h(A));
    expect(response.statusCode).toBe(422);
    expect(response.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(10);
  });

  it('refuses JSON where edXML is expected', async () => {
    const response = await web.app.inject({
      method: 'POST',
      url: '/api/v1/packages',
      payload: { x: 1 },
      headers: h(A),
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('GET /api/v1/packages/:id', () => {
  it('shows the delivery state to the sender and the recipient, and to nobody else', async () => {
    const response = await submit(documentPackage({ from: A, to: [B] }), h(A));
    const { packageId } = response.json<{ packageId: string }>();
    for (const organId of [A, B]) {
      const seen = await web.app.inject({
        method: 'GET',
        url: `/api/v1/packages/${packageId}`,
        headers: h(organId),
      });
      expect(seen.statusCode).toBe(200);
      expect(seen.json<{ deliveries: { toOrganId: string; state: string }[] }>().deliveries).toEqual([
        expect.objectContaining({ toOrganId: B, state: 'queued' }),
      ]);
    }
    const outsider = await web.app.inject({
      method: 'GET',
      url: `/api/v1/packages/${packageId}`,
      headers: h(C),
    });
    const missing = await web.app.inject({
      method: 'GET',
      url: '/api/v1/packages/6f1c1f4e-0000-4000-8000-000000000000',
      headers: h(C),
    });
    expect([outsider.statusCode, outsider.body]).toEqual([missing.statusCode, missing.body]);
  });
});

describe('POST /api/v1/packages/:id/resend', () => {
  it('lets an admin queue a failed delivery again, keeping the failure in its history', async () => {
    const { packageId } = (await submit(documentPackage({ from: A, to: [C] }), h(A))).json<{
      packageId: string;
    }>();
    await web.prisma.relayDelivery.update({
      where: { packageId_toOrganId: { packageId, toOrganId: C } },
      data: { state: 'failed', lastError: 'broker refused' },
    });
    await web.prisma.outboxMessage.updateMany({
      where: { headers: { path: ['packageId'], equals: packageId } },
      data: { state: 'failed' },
    });
    await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
    const admin = await signInAs(web.app, 'quantri');
    const response = await web.app.inject({
      method: 'POST',
      url: `/api/v1/packages/${packageId}/resend`,
      headers: admin.headers,
    });
    expect(response.json()).toEqual({ requeued: [C] });
    const delivery = await web.prisma.relayDelivery.findUniqueOrThrow({
      where: { packageId_toOrganId: { packageId, toOrganId: C } },
    });
    expect(delivery.state).toBe('queued');
    expect(JSON.stringify(delivery.history)).toContain('resent by user:quantri');
    // The admin action is in the audit trail, committed with the change.
    const audit = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'relay.deliveries-resent' },
    });
    expect(audit).toMatchObject({ actor: 'user:quantri', subject: `package:${packageId}` });
    expect(audit.data).toEqual({ recipients: [C] });
    // A second resend finds nothing failed: nothing moves, nothing is audited.
    const again = await web.app.inject({
      method: 'POST',
      url: `/api/v1/packages/${packageId}/resend`,
      headers: admin.headers,
    });
    expect(again.json()).toEqual({ requeued: [] });
    expect(await web.prisma.auditEntry.count({ where: { action: 'relay.deliveries-resent' } })).toBe(1);
    expect(
      await web.prisma.outboxMessage.count({
        where: { state: 'pending', headers: { path: ['packageId'], equals: packageId } },
      }),
    ).toBe(1);
    const relay = await web.app.inject({ method: 'GET', url: '/api/v1/relay', headers: admin.headers });
    expect(relay.json<{ deliveries: Record<string, number> }>().deliveries['queued']).toBeGreaterThanOrEqual(
      1,
    );
  });
});
