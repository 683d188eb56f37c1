import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { documentPackage, nestedZipBomb } from '../../test/support/relay-fixtures.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';
import { createApiToken } from '../access/index.ts';
import { routeTableOf } from './index.ts';

// Issue 13, acceptance 2 — the web doors: every text field of every JSON route (body, query, path)
// gets NUL, a control character, a lone surrogate, a noncharacter, a bidi override and 1 MB; the
// uploads' and packages' file fields get the archive bombs. The outcome is a refusal with a reason
// (or a stored item), never a 500 and never a half-stored record.

const A = '000.00.11.H53';
const B = '000.00.12.H53';
const archive = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/edxml/archives/${name}`, import.meta.url));

export const HOSTILE_TEXT: readonly (readonly [string, string, RegExp])[] = [
  ['a raw NUL', 'Công\u0000văn', /NUL character \(U\+0000\) at character 5/],
  ['a control character', 'V/v\u001b[2J', /control character U\+001B/],
  ['a lone surrogate', 'họp\uD800', /lone UTF-16 surrogate \(U\+D800\)/],
  ['a noncharacter', 'x\uFFFE', /noncharacter U\+FFFE/],
  ['a bidi override', 'hoadon\u202Efdp.exe', /bidirectional control U\+202E/],
];
const ONE_MB = 'x'.repeat(1_000_000);

let web: TestWebApp;
let admin: Record<string, string>;
let partner: Record<string, string>;

beforeAll(async () => {
  web = await startTestWebApp('hostile');
  await addAgency(web.prisma, A);
  await addAgency(web.prisma, B);
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  admin = (await signInAs(web.app, 'quantri')).headers;
  const token = await createApiToken(web.prisma, { agency: A }, 'system:test');
  if (token.kind !== 'created') throw new Error(token.reason);
  partner = { authorization: `Bearer ${token.secret}` };
});
afterAll(() => web.close());

type Issue = { path: string; message: string };
const issuesOf = (body: string) =>
  (JSON.parse(body) as { error?: { details?: { issues?: Issue[] } } }).error?.details?.issues ?? [];

function keysOf(schema: z.ZodType | undefined): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * A URL cannot carry a lone surrogate: a client sends its UTF-8-like bytes (%ED%A0%80), which
 * decode to U+FFFD, harmless text. Everything else is percent-encoded as a browser would.
 */
function inUrl(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value
      .replace(/[\uD800-\uDFFF]/g, '\u0000')
      .split('\u0000')
      .map(encodeURIComponent)
      .join('%ED%A0%80');
  }
}
const reachesAsText = (value: string) => !/[\uD800-\uDFFF]/.test(value);

/** A path with each parameter filled in validly (or with `value`), so the body is what is checked. */
function concreteUrl(url: string, value?: string): string {
  const valid: Record<string, string> = { index: '0', organId: A };
  return url.replace(/:(\w+)/g, (_, name: string) =>
    inUrl(value ?? valid[name] ?? '6f1c1f4e-0000-4000-8000-000000000000'),
  );
}

function jsonRoutes() {
  return routeTableOf(web.app).entries.filter(
    (route) => route.api !== undefined && route.url.startsWith('/api/'),
  );
}

describe('every JSON route of the API and the console', () => {
  it('refuses each hostile character in every body field with 400, naming the field and the character', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of jsonRoutes()) {
      const fields = keysOf(route.api?.body);
      if (!route.api?.body) continue;
      for (const field of fields.length > 0 ? fields : ['text'])
        for (const [, value, reason] of HOSTILE_TEXT) {
          checked += 1;
          const response = await web.app.inject({
            method: route.method as 'POST',
            url: concreteUrl(route.url),
            headers: admin,
            payload: { [field]: value },
          });
          const named = issuesOf(response.body).some(
            (issue) => issue.path === `body.${field}` && reason.test(issue.message),
          );
          if (response.statusCode !== 400 || !named)
            failures.push(
              `${route.method} ${route.url} ${field}: ${response.statusCode} ${response.body.slice(0, 200)}`,
            );
        }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('refuses them in every query parameter and path parameter too', async () => {
    const failures: string[] = [];
    for (const route of jsonRoutes()) {
      for (const [, value, reason] of HOSTILE_TEXT) {
        for (const key of keysOf(route.api?.query)) {
          const response = await web.app.inject({
            method: route.method as 'GET',
            url: `${concreteUrl(route.url)}?${key}=${inUrl(value)}`,
            headers: admin,
          });
          const refused =
            response.statusCode === 400 && issuesOf(response.body).some((i) => reason.test(i.message));
          if (reachesAsText(value) ? !refused : response.statusCode >= 500)
            failures.push(`${route.method} ${route.url}?${key}: ${response.statusCode}`);
        }
        if (route.api?.params && route.url.includes(':')) {
          const response = await web.app.inject({
            method: route.method as 'GET',
            url: concreteUrl(route.url, value),
            headers: admin,
            ...(route.method === 'GET' ? {} : { payload: {} }),
          });
          if (reachesAsText(value) ? response.statusCode !== 400 : response.statusCode >= 500)
            failures.push(`${route.method} ${route.url} (path): ${response.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 1 MB in any body field with a refusal or a result, never a 500', async () => {
    const failures: string[] = [];
    for (const route of jsonRoutes()) {
      if (!route.api?.body) continue;
      for (const field of keysOf(route.api.body)) {
        const response = await web.app.inject({
          method: route.method as 'POST',
          url: concreteUrl(route.url),
          headers: admin,
          payload: { [field]: ONE_MB },
        });
        const shaped =
          response.statusCode < 400 ||
          typeof response.json<{ error?: { message?: unknown } }>().error?.message === 'string';
        if (response.statusCode >= 500 || !shaped)
          failures.push(
            `${route.method} ${route.url} ${field}: ${response.statusCode} ${response.body.slice(0, 200)}`,
          );
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('uploads of paper documents', () => {
  const pdf = {
    name: 'scan.pdf',
    contentType: 'application/pdf',
    content: Buffer.from('%PDF-1.4 scan').toString('base64'),
  };
  const upload = (payload: Record<string, unknown>) =>
    web.app.inject({
      method: 'POST',
      url: '/api/v1/intake/uploads',
      headers: admin,
      payload: { agency: A, subject: 'Công văn giấy', scan: pdf, ...payload },
    });

  it.each([
    ['a nested ZIP bomb', () => nestedZipBomb(), /compression ratio over 100:1 \(phan-1\.zip\)/],
    ['zbsm.zip', () => archive('zbsm.zip'), /ZIP attachment refused/],
    ['zip-slip.zip', () => archive('zip-slip.zip'), /escapes the extraction folder/],
    ['zip-slip-win.zip', () => archive('zip-slip-win.zip'), /escapes the extraction folder/],
  ])('refuses %s as an attachment with 422 and the reason, storing nothing', async (_name, bytes, reason) => {
    const before = await web.prisma.intakeItem.count();
    const response = await upload({
      attachments: [
        { name: 'ho-so.zip', contentType: 'application/zip', content: bytes().toString('base64') },
      ],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(reason);
    expect(await web.prisma.intakeItem.count()).toBe(before);
  });

  it.each(HOSTILE_TEXT)(
    'refuses %s in a file name with 400 naming the field',
    async (_name, value, reason) => {
      const response = await upload({ scan: { ...pdf, name: value } });
      expect(response.statusCode).toBe(400);
      expect(issuesOf(response.body).some((i) => i.path === 'body.scan.name' && reason.test(i.message))).toBe(
        true,
      );
    },
  );
});

describe('POST /api/v1/packages', () => {
  const submit = (body: Buffer) =>
    web.app.inject({
      method: 'POST',
      url: '/api/v1/packages',
      payload: body,
      headers: { ...partner, 'content-type': 'application/xml' },
    });
  const withSubject = (xmlText: string, documentId: string) =>
    Buffer.from(
      documentPackage({ from: A, to: [B], subject: 'MARK', documentId })
        .toString('utf8')
        .replace('MARK', xmlText),
    );

  it.each([
    ['a raw NUL', 'V/v\u0000', /Subject.*NUL character \(U\+0000\)/],
    ['&#0;', 'V/v&#0;', /Subject.*NUL character \(U\+0000\)/],
    ['a control character', 'V/v&#27;', /Subject.*control character U\+001B/],
    ['a lone surrogate', 'V/v&#xD800;', /Subject.*lone UTF-16 surrogate/],
    ['a noncharacter', 'V/v&#xFFFF;', /Subject.*noncharacter U\+FFFF/],
    ['a 1 MB subject', ONE_MB, /Subject/],
  ])('refuses %s in the subject with 422 and a reason, recording no package', async (name, text, reason) => {
    const documentId = `${A},2026/11/25,${name.replace(/\W/g, '')}/STC`;
    const response = await submit(withSubject(text, documentId));
    expect(response.statusCode).toBe(422);
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(reason);
    expect(await web.prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(0);
  });

  it('accepts a bidi override in the subject (signed bytes are not changed) with a warning-free 202', async () => {
    const documentId = `${A},2026/11/25,bidi/STC`;
    const response = await submit(withSubject('hoadon\u202Efdp.exe', documentId));
    expect(response.statusCode).toBe(202);
  });

  it.each([
    ['a nested ZIP bomb', () => nestedZipBomb(), /phan-1\.zip/],
    ['zbsm.zip', () => archive('zbsm.zip'), /ZIP attachment refused/],
    ['zip-slip.zip', () => archive('zip-slip.zip'), /escapes the extraction folder/],
  ])('refuses %s as an attachment with 422 and the reason', async (name, bytes, reason) => {
    const documentId = `${A},2026/11/25,${name.replace(/\W/g, '')}/STC`;
    const response = await submit(
      documentPackage({
        from: A,
        to: [B],
        documentId,
        attachments: [{ name: 'ho-so.zip', bytes: bytes(), contentType: 'application/zip' }],
      }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(reason);
    expect(await web.prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(0);
  });
});
