import { webcrypto } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestVhost, type TestVhost } from '../../test/support/test-broker.ts';
import { testServices } from '../../test/support/test-services.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  TEST_PASSWORD,
  type TestWebApp,
} from '../../test/support/web-app.ts';
import { issuePartnerBrokerAccess } from '../exchange/index.ts';
import { createMailTransport, prismaOutboundMailLog, smtpOutbound } from '../outbound-mail/index.ts';
import {
  createIngestMetrics,
  ingestSources,
  startMailboxPoller,
  type MailboxPoller,
} from '../ingest/index.ts';
import { buildMail } from '../ingest/test-support/build-mail.ts';
import { createTestPki } from '../signing/test-support/test-pki.ts';
import {
  HUB_AGENCY,
  MAIL_DOMAIN,
  seedAgencies,
  startTestListener,
  type TestListener,
} from '../ingest/test-support/listener-harness.ts';
import { prismaRecipientDirectory } from '../ingest/index.ts';
import { fileAnchorSigner, readExportedAnchors, verifyAudit, writeAuditAnchor } from '../registry/index.ts';
import { agencyKeyCertificates, certificatesOfFile, trustDirectoryCertificates } from '../signing/index.ts';
// Deep import: the test makes certificates with chosen expiry dates, as the signing tests do.
import { X509CertificateGenerator } from '../signing/x509.ts';
import nodemailer from 'nodemailer';

/**
 * The admin pages' API: users (password reset), the audit trail (newest first, filters, the
 * integrity check), certificates close to expiry, the directory's CSV import, broker users on a
 * real RabbitMQ, the mail ingest sources from a real SMTP listener and IMAP poller, and the mail
 * the hub sent (one refused by a relay that is down).
 */
const PARTNER = '000.00.71.H53';
const HOSTED = '000.00.72.H53';
const DAY = 86_400_000;

let web: TestWebApp;
let admin: Record<string, string>;
let dataDir: string;
let trustDir: string;
let tlsFile: string;
let keyDir: string;
let vhost: TestVhost;
let managementUrl = testServices.amqpManagementUrl;
let listener: TestListener | undefined;
let poller: MailboxPoller | undefined;
let ingestRunning = false;
const metrics = createIngestMetrics();

type Json = Record<string, unknown>;

const send = (method: 'GET' | 'POST', url: string, payload?: unknown, headers = admin) =>
  web.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Json }) });

async function certificatePem(cn: string, notAfter: Date, issuerCn = cn): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const certificate = await X509CertificateGenerator.create({
    subject: `CN=${cn}, C=VN`,
    issuer: `CN=${issuerCn}, C=VN`,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return certificate.toString('pem');
}

async function management(method: string, urlPath: string): Promise<Response> {
  const base = new URL(testServices.amqpManagementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`);
  base.username = '';
  base.password = '';
  return fetch(new URL(urlPath, base), {
    method,
    headers: { authorization: `Basic ${auth.toString('base64')}` },
  });
}

function amqpUrlAs(username: string, password: string): string {
  const url = new URL(vhost.amqpUrl);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  return url.toString();
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lienthong-admin-'));
  trustDir = path.join(dataDir, 'trust');
  await mkdir(path.join(trustDir, 'pins', PARTNER), { recursive: true });
  await writeFile(
    path.join(trustDir, 'root.crt'),
    await certificatePem('Gốc', new Date(Date.now() + 3650 * DAY)),
  );
  await writeFile(
    path.join(trustDir, 'issuing.pem'),
    await certificatePem('Trung gian', new Date(Date.now() + 20.5 * DAY), 'Gốc'),
  );
  await writeFile(
    path.join(trustDir, 'pins', PARTNER, 'van-thu.pem'),
    await certificatePem('Văn thư Sở Xây dựng', new Date(Date.now() + 9.5 * DAY), 'Trung gian'),
  );
  await writeFile(
    path.join(trustDir, 'pins', `${HOSTED}.pem`),
    await certificatePem('Chứng thư cũ', new Date(Date.now() - 3.5 * DAY), 'Trung gian'),
  );
  await writeFile(path.join(trustDir, 'revoked.crl'), 'not read: CRLs are not listed');
  keyDir = path.join(dataDir, 'keys', 'agencies');
  await mkdir(keyDir, { recursive: true });
  await writeFile(
    path.join(keyDir, `${HOSTED}.cert.pem`),
    await certificatePem('Sở Nội vụ ký số', new Date(Date.now() + 25.5 * DAY), 'Trung gian'),
  );
  await writeFile(path.join(keyDir, `${HOSTED}.key.pem`), 'not listed: only certificates are');
  tlsFile = path.join(dataDir, 'tls.crt');
  await writeFile(tlsFile, await certificatePem('hub.lienthong.local', new Date(Date.now() + 60.5 * DAY)));

  vhost = await createTestVhost('admin');
  web = await startTestWebApp('admin-routes', {
    admin: {
      verifyAuditTrail: () =>
        verifyAudit(web.prisma, fileAnchorSigner(dataDir), readExportedAnchors(dataDir)),
      issueBrokerCredentials: (organId) =>
        issuePartnerBrokerAccess(
          { api: { url: managementUrl }, amqpUrl: vhost.amqpUrl, prisma: web.prisma },
          organId,
        ),
      // a folder of its own: the certificate-expiry tests list what keyDir holds
      agencyKeyDir: path.join(dataDir, 'installed-keys'),
      heldCertificates: async () => [
        ...(await trustDirectoryCertificates(trustDir)),
        ...(await agencyKeyCertificates(keyDir)),
        ...(await certificatesOfFile(tlsFile, 'tls')),
      ],
      ingestSources: () =>
        Promise.resolve(
          ingestRunning && listener && poller
            ? ingestSources(
                metrics,
                listener.port,
                [
                  {
                    name: 'hop-thu-so',
                    agency: HUB_AGENCY,
                    host: '127.0.0.1',
                    folder: 'INBOX',
                    health: () => poller!.health(),
                  },
                ],
                listener.processor.backlog(),
              )
            : undefined,
        ),
    },
  });
  await seedAgencies(web.prisma);
  await web.prisma.agency.create({ data: { organId: PARTNER, name: 'Sở Xây dựng', channel: 'partner' } });
  await addAgency(web.prisma, HOSTED, 'Sở Nội vụ');
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  await addPerson(web.prisma, { username: 'vanthu.nv', role: 'clerk', agency: HOSTED });
  admin = (await signInAs(web.app, 'quantri')).headers;
});

afterAll(async () => {
  await poller?.stop();
  await listener?.close();
  await web.close();
  await management('DELETE', `/api/users/${encodeURIComponent(`lienthong-${PARTNER}`)}`);
  await vhost.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('users', () => {
  it('resets a password: a new one-time password, the person’s sessions end, the old password fails', async () => {
    const clerk = await signInAs(web.app, 'vanthu.nv');
    const users = (await send('GET', '/api/v1/users')).json<{ users: { id: string; username: string }[] }>()
      .users;
    const id = users.find((u) => u.username === 'vanthu.nv')!.id;

    const reset = await send('POST', `/api/v1/users/${id}/reset-password`);
    expect(reset.statusCode).toBe(200);
    const body = reset.json<{ user: { mustChangePassword: boolean }; password: string }>();
    expect(body.user.mustChangePassword).toBe(true);
    expect(body.password.length).toBeGreaterThanOrEqual(12);

    expect((await send('GET', '/api/v1/auth/session', undefined, clerk.headers)).statusCode).toBe(401);
    const old = await web.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'vanthu.nv', password: TEST_PASSWORD },
    });
    expect(old.statusCode).toBe(401);
    const fresh = await signInAs(web.app, 'vanthu.nv', body.password);
    const session = await send('GET', '/api/v1/auth/session', undefined, fresh.headers);
    expect(session.json<{ user: { mustChangePassword: boolean } }>().user.mustChangePassword).toBe(true);

    const entry = await web.prisma.auditEntry.findFirstOrThrow({ where: { action: 'user.password-reset' } });
    expect(entry).toMatchObject({ actor: 'user:quantri', subject: `user:${id}` });
    expect(JSON.stringify(entry.data)).not.toContain(body.password);
  });

  it('locks a person: their sessions end, they cannot sign in, and the lock and unlock are audited', async () => {
    await addPerson(web.prisma, { username: 'vanthu.khoa', role: 'clerk', agency: PARTNER });
    const person = await signInAs(web.app, 'vanthu.khoa');
    const users = (await send('GET', '/api/v1/users')).json<{ users: { id: string; username: string }[] }>()
      .users;
    const id = users.find((u) => u.username === 'vanthu.khoa')!.id;
    const locked = await send('POST', `/api/v1/users/${id}/disable`);
    expect(locked.statusCode).toBe(200);
    expect((await send('GET', '/api/v1/auth/session', undefined, person.headers)).statusCode).toBe(401);
    const refused = await web.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'vanthu.khoa', password: TEST_PASSWORD },
    });
    expect(refused.statusCode).toBe(401);
    const lock = await web.prisma.auditEntry.findFirstOrThrow({ where: { action: 'user.disabled' } });
    expect(lock).toMatchObject({ actor: 'user:quantri', subject: `user:${id}` });
    expect((await send('POST', `/api/v1/users/${id}/enable`)).statusCode).toBe(200);
    const unlock = await web.prisma.auditEntry.findFirstOrThrow({ where: { action: 'user.enabled' } });
    expect(unlock).toMatchObject({ actor: 'user:quantri', subject: `user:${id}` });
    expect(unlock.seq).toBeGreaterThan(lock.seq);
  });

  it('refuses an admin locking their own account, and says what to do instead', async () => {
    const users = (await send('GET', '/api/v1/users')).json<{ users: { id: string; username: string }[] }>()
      .users;
    const self = users.find((u) => u.username === 'quantri')!.id;
    const own = await send('POST', `/api/v1/users/${self}/disable`);
    expect(own.statusCode).toBe(409);
    expect(own.json<{ error: { text: { vi: string } } }>().error.text.vi).toContain(
      'Không thể tự khóa tài khoản của chính mình',
    );
    // Still signed in, still an admin, and nothing recorded as a lock.
    expect((await send('GET', '/api/v1/users')).statusCode).toBe(200);
    expect(
      await web.prisma.auditEntry.count({ where: { action: 'user.disabled', subject: `user:${self}` } }),
    ).toBe(0);
  });

  it('never lets two admins locking each other at once leave the hub without an active admin', async () => {
    await addPerson(web.prisma, { username: 'quantri.mot', role: 'admin' });
    await addPerson(web.prisma, { username: 'quantri.hai', role: 'admin' });
    const one = await signInAs(web.app, 'quantri.mot');
    const two = await signInAs(web.app, 'quantri.hai');
    const idOf = async (username: string) =>
      (await web.prisma.user.findUniqueOrThrow({ where: { username } })).id;
    // The fixture's own admin is locked out of the picture first: only these two are active.
    const quantri = await idOf('quantri');
    await web.prisma.user.update({ where: { id: quantri }, data: { disabledAt: new Date() } });
    try {
      const [a, b] = await Promise.all([
        send('POST', `/api/v1/users/${await idOf('quantri.hai')}/disable`, undefined, one.headers),
        send('POST', `/api/v1/users/${await idOf('quantri.mot')}/disable`, undefined, two.headers),
      ]);
      const statuses = [a.statusCode, b.statusCode].sort();
      // One lock goes through; the other is refused as the last admin (409) or arrives from a session
      // the first lock already ended (401).
      expect(statuses[0]).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      expect(await web.prisma.user.count({ where: { role: 'admin', disabledAt: null } })).toBe(1);
      const refused = [a, b].find((r) => r.statusCode === 409);
      if (refused)
        expect(refused.json<{ error: { text: { vi: string } } }>().error.text.vi).toContain(
          'quản trị viên cuối cùng còn hoạt động',
        );
    } finally {
      await web.prisma.user.update({ where: { id: quantri }, data: { disabledAt: null } });
    }
  });

  it('refuses an admin resetting their own password, an unknown person, and a clerk', async () => {
    const users = (await send('GET', '/api/v1/users')).json<{ users: { id: string; username: string }[] }>()
      .users;
    const self = users.find((u) => u.username === 'quantri')!.id;
    const own = await send('POST', `/api/v1/users/${self}/reset-password`);
    expect([own.statusCode, own.json<{ error: { message: string } }>().error.message]).toEqual([
      422,
      'change your own password instead of resetting it',
    ]);
    expect((await send('GET', '/api/v1/auth/session')).statusCode).toBe(200);
    const unknown = await send('POST', '/api/v1/users/00000000-0000-4000-8000-000000000000/reset-password');
    expect(unknown.statusCode).toBe(404);
    await addPerson(web.prisma, { username: 'vanthu.xd', role: 'clerk', agency: PARTNER });
    const clerk = await signInAs(web.app, 'vanthu.xd');
    const refused = await send('POST', `/api/v1/users/${self}/reset-password`, undefined, clerk.headers);
    expect(refused.statusCode).toBe(403);
  });
});

describe('agency signing keys', () => {
  it('installs a checked pair, audited with the certificate (no key material); refuses a mismatch and records nothing', async () => {
    const pki = await createTestPki();
    const pem = async (file: string) => (await readFile(file)).toString('utf8');
    const installed = await send('POST', `/api/v1/agencies/${PARTNER}/signing-key`, {
      keyPem: await pem(pki.leaf.keyPath),
      certificatePem: await pem(pki.leaf.certPath),
    });
    expect(installed.statusCode, installed.body).toBe(201);
    const facts = installed.json<{ fingerprint: string; serial: string }>();
    const entry = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'agency.signing-key-installed' },
    });
    expect(entry).toMatchObject({ actor: 'user:quantri', subject: `agency:${PARTNER}` });
    expect(entry.data).toMatchObject({ fingerprint: facts.fingerprint, serial: facts.serial });
    expect(JSON.stringify(entry.data)).not.toContain('PRIVATE KEY');
    expect((await readFile(path.join(dataDir, 'installed-keys', `${PARTNER}.key.pem`))).toString()).toContain(
      'PRIVATE KEY',
    );

    const mismatch = await send('POST', `/api/v1/agencies/${HOSTED}/signing-key`, {
      keyPem: await pem(pki.otherLeaf.keyPath),
      certificatePem: await pem(pki.leaf.certPath),
    });
    expect(mismatch.statusCode).toBe(422);
    const unknown = await send('POST', '/api/v1/agencies/000.00.99.H53/signing-key', {
      keyPem: await pem(pki.leaf.keyPath),
      certificatePem: await pem(pki.leaf.certPath),
    });
    expect(unknown.statusCode).toBe(404);
    expect(await web.prisma.auditEntry.count({ where: { action: 'agency.signing-key-installed' } })).toBe(1);
  });
});

describe('certificates close to expiry', () => {
  type Certificate = {
    kind: string;
    organId: string | null;
    subject: string;
    daysLeft: number;
    expired: boolean;
    source: string;
  };
  const list = async (query: string) => {
    const response = await send('GET', `/api/v1/certificates${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<{ certificates: Certificate[] }>().certificates;
  };

  it('lists those within 30 days, soonest first, with the expired one flagged', async () => {
    const soon = await list('?withinDays=30');
    expect(soon.map((c) => [c.kind, c.organId, c.subject, c.daysLeft, c.expired, c.source])).toEqual([
      ['agency-pinned', HOSTED, 'CN=Chứng thư cũ, C=VN', -4, true, `pins/${HOSTED}.pem`],
      ['agency-pinned', PARTNER, 'CN=Văn thư Sở Xây dựng, C=VN', 9, false, `pins/${PARTNER}/van-thu.pem`],
      ['intermediate', null, 'CN=Trung gian, C=VN', 20, false, 'issuing.pem'],
      ['agency-key', HOSTED, 'CN=Sở Nội vụ ký số, C=VN', 25, false, path.join(keyDir, `${HOSTED}.cert.pem`)],
    ]);
  });

  it('lists every certificate without withinDays, the TLS one and the anchor included; CRLs and keys are not', async () => {
    const all = await list('');
    expect(all.map((c) => c.kind)).toEqual([
      'agency-pinned',
      'agency-pinned',
      'intermediate',
      'agency-key',
      'tls',
      'trust-anchor',
    ]);
    expect(all.find((c) => c.kind === 'tls')?.daysLeft).toBe(60);
    expect((await list('?withinDays=0')).map((c) => c.subject)).toEqual(['CN=Chứng thư cũ, C=VN']);
  });

  it('refuses a bad withinDays', async () => {
    for (const query of ['?withinDays=-1', '?withinDays=soon', '?within=3']) {
      const response = await send('GET', `/api/v1/certificates${query}`);
      expect([query, response.statusCode]).toEqual([query, 400]);
    }
  });
});

describe('the agency directory from a CSV file', () => {
  it('imports new and changed rows, names each with its line, and records who did it', async () => {
    const csv = [
      'organId,name,channel,emails,aliases,signaturePolicy',
      `${PARTNER},Sở Xây dựng tỉnh,partner,vanthu@sxd.example.vn,,require_trusted`,
      '000.00.73.H53,"Sở Y tế, tỉnh",email,vanthu@syt.example.vn;bgd@syt.example.vn,,',
    ].join('\n');
    const response = await send('POST', '/api/v1/agencies/import-csv', { csv });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      kind: 'saved',
      created: 1,
      updated: 1,
      rows: [
        { line: 2, organId: PARTNER, outcome: 'updated' },
        { line: 3, organId: '000.00.73.H53', outcome: 'created' },
      ],
    });
    const agencies = (await send('GET', '/api/v1/agencies')).json<{
      agencies: { organId: string; name: string; emails: string[] }[];
    }>().agencies;
    expect(agencies.find((a) => a.organId === '000.00.73.H53')).toMatchObject({
      name: 'Sở Y tế, tỉnh',
      emails: ['bgd@syt.example.vn', 'vanthu@syt.example.vn'],
    });
    const entry = await web.prisma.auditEntry.findFirstOrThrow({ where: { action: 'agency.imported' } });
    expect(entry.data).toEqual({ via: 'csv', created: 1, updated: 1, organIds: [PARTNER, '000.00.73.H53'] });
  });

  it('refuses the whole file for bad rows, each named with its line, and saves none', async () => {
    const before = await web.prisma.agency.count();
    const csv = [
      'organId,name,channel',
      '000.00.74.H53,Sở Tư pháp,hosted',
      '12345,Sở Sai Mã,hosted',
      '000.00.75.H53,Sở Kênh Lạ,pigeon',
    ].join('\n');
    const response = await send('POST', '/api/v1/agencies/import-csv', { csv });
    expect(response.statusCode).toBe(422);
    const problems = response.json<{
      error: { details: { problems: { line: number; message: string }[] } };
    }>().error.details.problems;
    expect(problems.map((p) => p.line)).toEqual([3, 4]);
    expect(problems[0]!.message).toContain('(OrganId) "12345"');
    expect(problems[1]!.message).toContain('channel must be one of');
    expect(await web.prisma.agency.count()).toBe(before);
  });

  it('refuses a file whose row clashes with the directory, naming the line, and saves none', async () => {
    const csv = [
      'organId,name,channel,emails',
      '000.00.76.H53,Sở Công Thương,hosted,',
      '000.00.77.H53,Sở Mạo Danh,email,vanthu@syt.example.vn',
    ].join('\n');
    const response = await send('POST', '/api/v1/agencies/import-csv', { csv });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { details: unknown } }>().error.details).toEqual({
      problems: [
        { line: 3, message: '000.00.77.H53: address vanthu@syt.example.vn belongs to 000.00.73.H53' },
      ],
    });
    expect(await web.prisma.agency.findUnique({ where: { organId: '000.00.76.H53' } })).toBeNull();
  });

  it('refuses a header it does not know and a file without rows', async () => {
    const header = await send('POST', '/api/v1/agencies/import-csv', { csv: 'organ,name,channel\nx,y,z\n' });
    expect(header.statusCode).toBe(422);
    expect(
      header.json<{ error: { details: { problems: { line: number; message: string }[] } } }>().error.details
        .problems[0],
    ).toMatchObject({ line: 1, message: expect.stringContaining('unknown column(s) organ') as string });
    const empty = await send('POST', '/api/v1/agencies/import-csv', { csv: 'organId,name,channel\n' });
    expect(empty.statusCode).toBe(422);
  });
});

describe('broker users', () => {
  const credentials = async () => send('POST', `/api/v1/agencies/${PARTNER}/broker-credentials`);

  it('issues a partner’s broker user that can connect, and a rotation locks out the old password', async () => {
    const first = await credentials();
    expect(first.statusCode).toBe(201);
    const issued = first.json<{ username: string; password: string; queue: string }>();
    // A hub on its own vhost names its users with it (issue 13, defect 7).
    expect(issued.username).toBe(`lienthong-${vhost.name}-${PARTNER}`);
    const connection = await amqp.connect(amqpUrlAs(issued.username, issued.password));
    const channel = await connection.createChannel();
    await channel.consume(issued.queue, () => undefined);
    const closed = new Promise((resolve) => connection.once('close', resolve));

    const second = (await credentials()).json<{ username: string; password: string; queue: string }>();
    expect(second.password).not.toBe(issued.password);
    // The connection that used the old password is closed by the rotation, not left running.
    await closed;
    await expect(amqp.connect(amqpUrlAs(issued.username, issued.password))).rejects.toThrow(
      /ACCESS_REFUSED|403/,
    );

    const entries = await web.prisma.auditEntry.findMany({
      where: { action: 'agency.broker-credentials-issued' },
    });
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actor: 'user:quantri', subject: `agency:${PARTNER}` });
    expect(entries[0]!.agencyId).not.toBeNull();
    expect(JSON.stringify(entries.map((e) => e.data))).not.toContain(second.password);
  });

  it('gives the inbox a new unguessable name on each issue, and moves what waited in the old one', async () => {
    const first = (await credentials()).json<{ queue: string }>();
    expect(first.queue).toMatch(
      new RegExp(`^lienthong\\.inbox\\.${PARTNER.replace(/\./g, '\\.')}\\.[A-Za-z0-9_-]{22}$`),
    );
    // Three documents wait for the partner, routed as the relay routes them.
    const admin = await amqp.connect(vhost.amqpUrl);
    const publisher = await admin.createConfirmChannel();
    for (const n of [1, 2, 3])
      publisher.publish('lienthong.deliver', PARTNER, Buffer.from(`document ${n}`), {
        persistent: true,
        mandatory: true,
        messageId: `waiting-${n}`,
        type: 'edoc',
      });
    await publisher.waitForConfirms();

    const second = (await credentials()).json<{ username: string; password: string; queue: string }>();
    expect(second.queue).not.toBe(first.queue);
    const probe = await admin.createChannel();
    probe.on('error', () => undefined);
    await expect(probe.checkQueue(first.queue)).rejects.toThrow(/NOT_FOUND|404/);
    // The new inbox holds the three, in order, and is the one the partner may read.
    const partner = await amqp.connect(amqpUrlAs(second.username, second.password));
    const reader = await partner.createChannel();
    const got: string[] = [];
    for (;;) {
      const message = await reader.get(second.queue, { noAck: true });
      if (!message) break;
      got.push(`${message.properties.messageId as string}:${message.content.toString()}`);
    }
    expect(got).toEqual(['waiting-1:document 1', 'waiting-2:document 2', 'waiting-3:document 3']);
    expect(await web.prisma.brokerInbox.findUniqueOrThrow({ where: { organId: PARTNER } })).toMatchObject({
      queue: second.queue,
      previousQueue: null,
    });
    await partner.close();
    await admin.close();
  });

  it('answers 503 with the reason when the broker is down, and records nothing', async () => {
    const before = await web.prisma.auditEntry.count({
      where: { action: 'agency.broker-credentials-issued' },
    });
    managementUrl = 'http://guest:guest@127.0.0.1:1';
    try {
      const response = await credentials();
      expect(response.statusCode).toBe(503);
      expect(response.json<{ error: { code: string; message: string } }>().error).toMatchObject({
        code: 'WEB_UNAVAILABLE',
        message: expect.stringMatching(
          /^the broker is not reachable, no password was issued: RabbitMQ management API at 127\.0\.0\.1:1 did not answer/,
        ) as string,
      });
    } finally {
      managementUrl = testServices.amqpManagementUrl;
    }
    expect(await web.prisma.auditEntry.count({ where: { action: 'agency.broker-credentials-issued' } })).toBe(
      before,
    );
  });

  it('refuses hosted and e-mail agencies, former codes and unknown ones', async () => {
    const hosted = await send('POST', `/api/v1/agencies/${HOSTED}/broker-credentials`);
    expect([hosted.statusCode, hosted.json<{ error: { message: string } }>().error.message]).toEqual([
      422,
      `${HOSTED} is hosted by the hub, which reads its inbox itself; only partner agencies get a broker user`,
    ]);
    expect((await send('POST', '/api/v1/agencies/000.00.73.H53/broker-credentials')).statusCode).toBe(422);
    expect((await send('POST', '/api/v1/agencies/000.00.99.H53/broker-credentials')).statusCode).toBe(404);
  });
});

describe('mail ingest sources', () => {
  it('answers 503 while ingest is not running in the process', async () => {
    const response = await send('GET', '/api/v1/ingest/sources');
    expect(response.statusCode).toBe(503);
  });

  it('shows the SMTP listener’s counters and a failing IMAP poller’s last error', async () => {
    listener = await startTestListener(web.prisma, {}, { metrics });
    poller = startMailboxPoller(
      {
        name: 'hop-thu-so',
        host: '127.0.0.1',
        port: 1,
        secure: false,
        user: 'vanthu',
        password: 'x',
        folder: 'INBOX',
        afterCommit: 'seen',
        processedFolder: 'done',
        recipient: () =>
          prismaRecipientDirectory(web.prisma, MAIL_DOMAIN).resolve(`${HUB_AGENCY}@${MAIL_DOMAIN}`),
      },
      {
        spool: listener.spool,
        metrics,
        log: pino({ level: 'silent' }),
        backoff: { initialMs: 50, maxMs: 200 },
      },
    );
    ingestRunning = true;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: listener.port,
      secure: false,
      ignoreTLS: true,
    });
    const raw = buildMail({ seed: 'nguon-thu' });
    await transport.sendMail({
      envelope: { from: 'a@b.example', to: [`${HUB_AGENCY}@${MAIL_DOMAIN}`] },
      raw,
    });
    await expect(
      transport.sendMail({ envelope: { from: 'a@b.example', to: ['nobody@lienthong.local'] }, raw }),
    ).rejects.toMatchObject({ responseCode: 550 });
    await listener.drained();
    await until(() => poller!.health().lastError !== null);

    const response = await send('GET', '/api/v1/ingest/sources');
    expect(response.statusCode).toBe(200);
    const sources = response.json<{
      smtp: {
        port: number;
        accepted: Record<string, number>;
        refused: Record<string, number>;
        bytes: number;
      };
      imap: {
        name: string;
        agency: string;
        up: boolean;
        lastSuccessAt: string | null;
        lastError: { at: string; message: string };
      }[];
      spool?: unknown;
    }>();
    expect(sources.smtp.port).toBe(listener.port);
    expect(sources.smtp.accepted).toEqual({ queue: 1 });
    expect(Object.values(sources.smtp.refused)).toEqual([1]);
    expect(sources.smtp.bytes).toBe(Buffer.byteLength(raw));
    expect(sources.imap).toEqual([
      {
        name: 'hop-thu-so',
        agency: HUB_AGENCY,
        host: '127.0.0.1',
        folder: 'INBOX',
        up: false,
        lastSuccessAt: null,
        lastError: {
          at: expect.any(String) as string,
          message: expect.stringContaining('ECONNREFUSED') as string,
        },
      },
    ]);
    // the one message above was read: the spool is empty
    expect(sources.spool).toMatchObject({ pending: 0, failed: 0 });
  });
});

describe('mail the hub sent', () => {
  type Mail = {
    id: string;
    kind: string;
    state: string;
    subject: string | null;
    sentAt: string;
    outcome: string | null;
    outcomeDiagnostic: string | null;
    sendError: string | null;
    sendFailedAt: string | null;
    packageId: string | null;
    toOrganId: string | null;
  };
  type Page = { mails: Mail[]; nextCursor: string | null };
  const list = async (query: string, headers = admin) => {
    const response = await send('GET', `/api/v1/ingest/outbound-mail${query}`, undefined, headers);
    expect([query, response.statusCode]).toEqual([query, 200]);
    return response.json<Page>();
  };
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  const packageId = '55555555-6666-4777-8888-999999999999';

  beforeAll(async () => {
    // A real send to a relay where nothing listens, recorded as the hub records it.
    const silent = pino({ level: 'silent' });
    const outbound = smtpOutbound({
      transport: createMailTransport('smtp://127.0.0.1:1'),
      from: 'lienthong@hub.example.vn',
      alertTo: ['quantri@hub.example.vn'],
      log: silent,
      record: prismaOutboundMailLog(web.prisma, silent),
    });
    await outbound.alert('Thư cảnh báo không gửi được', 'relay down');
    await web.prisma.outboundMail.createMany({
      data: [
        {
          messageId: `<${packageId}.${HOSTED}@lienthong>`,
          kind: 'relay_delivery',
          recipients: ['vanthu@snv.example.vn'],
          subject: '[Liên thông] Bị trả lại',
          packageId,
          toOrganId: HOSTED,
          sentAt: minutesAgo(50),
          outcome: 'failed',
          outcomeStatus: '5.1.1',
          outcomeDiagnostic: 'smtp; 550 5.1.1 user unknown',
          outcomeAt: minutesAgo(49),
        },
        {
          messageId: '<da-giao@hub.example.vn>',
          kind: 'receipt',
          recipients: ['vanthu@stc.example.vn'],
          subject: 'Đã nhận / Received: Đã giao',
          sentAt: minutesAgo(40),
          outcome: 'delivered',
          outcomeStatus: '2.0.0',
          outcomeAt: minutesAgo(39),
        },
        {
          messageId: '<cho-bao-cao@hub.example.vn>',
          kind: 'receipt',
          recipients: ['vanthu@stc.example.vn'],
          subject: 'Đã nhận / Received: Chờ báo cáo',
          sentAt: minutesAgo(30),
        },
        {
          messageId: '<tre@hub.example.vn>',
          kind: 'receipt',
          recipients: ['vanthu@stc.example.vn'],
          subject: 'Đã nhận / Received: Trễ',
          sentAt: minutesAgo(20),
          outcome: 'delayed',
          outcomeStatus: '4.4.1',
        },
        {
          messageId: '<tu-choi@hub.example.vn>',
          kind: 'receipt',
          recipients: ['vanthu@stc.example.vn'],
          subject: 'Đã nhận / Received: Từ chối đọc',
          sentAt: minutesAgo(10),
          outcome: 'denied',
          outcomeStatus: 'manual-action/MDN-sent-manually; denied',
        },
      ],
    });
  });

  it('filters: a send the relay refused, bounces (DSN failed, MDN denied), pending (delayed too)', async () => {
    const failed = (await list('?state=failed')).mails;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      kind: 'alert',
      state: 'failed',
      subject: '[lienthong] Thư cảnh báo không gửi được',
      outcome: null,
    });
    expect(failed[0]!.sendError).toMatch(/ECONNREFUSED/);
    expect(Date.parse(failed[0]!.sendFailedAt!)).toBeGreaterThan(Date.now() - 60_000);

    const bounced = (await list('?state=bounced')).mails;
    expect(bounced.map((m) => [m.subject, m.state, m.outcome])).toEqual([
      ['Đã nhận / Received: Từ chối đọc', 'bounced', 'denied'],
      ['[Liên thông] Bị trả lại', 'bounced', 'failed'],
    ]);
    expect(bounced[1]).toMatchObject({
      kind: 'relay_delivery',
      packageId,
      toOrganId: HOSTED,
      outcomeDiagnostic: 'smtp; 550 5.1.1 user unknown',
      sendError: null,
    });

    const pending = (await list('?state=pending')).mails.map((m) => m.subject);
    expect(pending).toEqual(
      expect.arrayContaining(['Đã nhận / Received: Trễ', 'Đã nhận / Received: Chờ báo cáo']),
    );
    expect(pending).not.toContain('Đã nhận / Received: Đã giao');
    expect(pending).not.toContain('[lienthong] Thư cảnh báo không gửi được');
    const delivered = (await list('?state=delivered')).mails;
    expect(delivered.map((m) => [m.subject, m.state])).toEqual([
      ['Đã nhận / Received: Đã giao', 'delivered'],
    ]);
  });

  it('pages newest first with a keyset cursor, every mail once', async () => {
    const all = (await list('?limit=200')).mails;
    expect(all.length).toBeGreaterThanOrEqual(6);
    const seen: Mail[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(`?state=all&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.mails.length).toBeLessThanOrEqual(2);
      seen.push(...page.mails);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((m) => m.id)).toEqual(all.map((m) => m.id));
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);
    const times = seen.map((m) => Date.parse(m.sentAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen[0]!.subject).toBe('[lienthong] Thư cảnh báo không gửi được');
  });

  it('refuses a cursor it did not give out, an unknown state, and a clerk', async () => {
    expect((await send('GET', '/api/v1/ingest/outbound-mail?cursor=bm9wZQ')).statusCode).toBe(400);
    expect((await send('GET', '/api/v1/ingest/outbound-mail?state=lost')).statusCode).toBe(400);
    await addPerson(web.prisma, { username: 'vanthu.thu', role: 'clerk', agency: HOSTED });
    const clerk = await signInAs(web.app, 'vanthu.thu');
    const refused = await send('GET', '/api/v1/ingest/outbound-mail', undefined, clerk.headers);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Thư cảnh báo');
  });
});

// Last: it breaks the chain of this file's database.
describe('the audit trail', () => {
  type Entry = { seq: string; action: string; agency: string | null };
  const page = async (query: string) => {
    const response = await send('GET', `/api/v1/audit${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<{ entries: Entry[]; nextBeforeSeq: string | null; nextAfterSeq: string | null }>();
  };

  it('pages newest first, filtered by action or by agency', async () => {
    const first = await page('?order=newest&limit=3');
    expect(first.entries).toHaveLength(3);
    const seqs = first.entries.map((e) => BigInt(e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a > b ? -1 : 1)));
    expect(first.nextAfterSeq).toBeNull();
    const second = await page(`?order=newest&limit=3&beforeSeq=${first.nextBeforeSeq}`);
    expect(BigInt(second.entries[0]!.seq)).toBeLessThan(seqs[2]!);

    const users = await page('?order=newest&action=user');
    expect(users.entries.length).toBeGreaterThan(0);
    expect(new Set(users.entries.map((e) => e.action.split('.')[0]))).toEqual(new Set(['user']));
    const exact = await page('?order=newest&action=user.password-reset');
    expect(exact.entries.map((e) => e.action)).toEqual(['user.password-reset']);

    const partner = await page(`?order=newest&agency=${PARTNER}`);
    expect(partner.entries.length).toBeGreaterThan(0);
    expect(new Set(partner.entries.map((e) => e.agency))).toEqual(new Set([PARTNER]));
  });

  it('says each entry in words: who by name, the action, what it was about, the details by label', async () => {
    type Words = { vi: string; en: string };
    type Readable = {
      action: string;
      actorName: Words;
      actionWords: Words;
      subjectName: Words | null;
      details: { key: string; label: Words | null; valueWords: Words }[];
    };
    const response = await send('GET', '/api/v1/audit?order=newest&action=user.created&limit=500');
    const { entries, areas } = response.json<{
      entries: Readable[];
      areas: { code: string; words: Words }[];
    }>();
    const created = entries.find((e) =>
      e.details.some((d) => d.key === 'role' && d.valueWords.vi === 'Văn thư'),
    );
    expect(created).toBeDefined();
    expect(created!.actionWords).toEqual({ vi: 'Tạo người dùng', en: 'Created a user' });
    // The subject is the person created, by name, never `user:<uuid>`.
    expect(created!.subjectName?.vi).toMatch(/\(.+\)$/);
    expect(created!.subjectName?.vi).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    expect(created!.details.find((d) => d.key === 'role')?.label).toEqual({ vi: 'Vai trò', en: 'Role' });
    expect(areas.map((a) => a.code)).toContain('user');
    for (const e of entries) {
      expect(e.actorName.vi).not.toMatch(/^(user|token|system):/);
      expect(e.actionWords.vi).not.toContain('.');
    }
  });

  it('filters by Vietnam calendar days, both ends included, and refuses a range that ends before it starts', async () => {
    const newest = (await page('?order=newest&limit=1')).entries[0]!;
    const at = await web.prisma.auditEntry.findUniqueOrThrow({ where: { seq: BigInt(newest.seq) } });
    const day = new Date(at.at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    const next = new Date(at.at.getTime() + 31 * 3_600_000).toISOString().slice(0, 10);
    expect((await page(`?order=newest&from=${day}&to=${day}`)).entries.map((e) => e.seq)).toContain(
      newest.seq,
    );
    expect((await page(`?order=newest&from=${next}`)).entries).toEqual([]);
    expect((await page(`?order=newest&to=2020-01-01`)).entries).toEqual([]);
    expect((await send('GET', `/api/v1/audit?from=${next}&to=${day}`)).statusCode).toBe(400);
    expect((await send('GET', '/api/v1/audit?from=31/12/2026')).statusCode).toBe(400);
  });

  it('exports the filtered trail as CSV in words, Vietnamese by default, for admins only', async () => {
    const csv = await send('GET', '/api/v1/audit/export?action=user');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="nhat-ky.csv"');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Số thứ tự,Thời điểm (giờ Việt Nam),Người thực hiện,Cơ quan,Thao tác,Đối tượng,Chi tiết',
    );
    const users = (await page('?action=user&limit=500')).entries;
    expect(lines).toHaveLength(users.length + 1);
    expect(lines.some((l) => l.includes('Tạo người dùng') && l.includes('Vai trò: Văn thư'))).toBe(true);
    expect(csv.body).not.toMatch(/,user\.created,/);
    const english = await send('GET', '/api/v1/audit/export?action=user&lang=en');
    expect(english.body).toContain('Created a user');
    await addPerson(web.prisma, { username: 'vanthu.csv', role: 'clerk', agency: HOSTED });
    const clerk = await signInAs(web.app, 'vanthu.csv');
    expect((await send('GET', '/api/v1/audit/export', undefined, clerk.headers)).statusCode).toBe(403);
  });

  it('refuses mixed paging, a bad action and an unknown agency', async () => {
    expect((await send('GET', '/api/v1/audit?order=newest&afterSeq=3')).statusCode).toBe(400);
    expect((await send('GET', '/api/v1/audit?beforeSeq=3')).statusCode).toBe(400);
    expect((await send('GET', '/api/v1/audit?action=%27%3B%20drop')).statusCode).toBe(400);
    expect((await send('GET', '/api/v1/audit?agency=000.00.98.H53')).statusCode).toBe(404);
  });

  it('checks the chain: intact, then broken with the changed entry named', async () => {
    await writeAuditAnchor(web.prisma, fileAnchorSigner(dataDir), dataDir);
    const intact = await send('GET', '/api/v1/audit/verify');
    expect(intact.json()).toMatchObject({ intact: true, anchor: { keyId: expect.any(String) as string } });

    const victim = await web.prisma.auditEntry.findFirstOrThrow({ where: { action: 'user.password-reset' } });
    await web.prisma.$executeRawUnsafe('ALTER TABLE audit_entry DISABLE TRIGGER USER');
    await web.prisma.$executeRawUnsafe(
      `UPDATE audit_entry SET actor = 'user:nobody' WHERE seq = ${victim.seq}`,
    );
    await web.prisma.$executeRawUnsafe('ALTER TABLE audit_entry ENABLE TRIGGER USER');
    const broken = await send('GET', '/api/v1/audit/verify');
    expect(broken.statusCode).toBe(200);
    expect(broken.json()).toEqual({
      intact: false,
      firstBadSeq: victim.seq.toString(),
      problem: `entry ${victim.seq} was changed after it was written (its hash no longer matches its content)`,
    });
  });
});
