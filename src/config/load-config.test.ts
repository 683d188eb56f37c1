import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isHubError } from '../shared/index.ts';
import { loadConfig, redactConfig } from './load-config.ts';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (isHubError(error, 'CONFIG_INVALID'))
      return error.details?.problems as { variable: string; message: string }[];
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives the contract defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8080);
    expect(config.smtp.port).toBe(2525);
    expect(config.organId).toBe('000.00.00.H53');
    expect(config.mailDomain).toBe('lienthong.local');
    expect(config.maxMessageBytes).toBe(52_428_800);
    expect(config.amqp.url).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.database.url).toBeUndefined();
    expect(config.trustDir).toBe(`${config.dataDir}/trust`);
  });

  it('verifies submissions on one thread per core with PostgreSQL and inline with the embedded database', () => {
    const postgres = 'postgresql://postgres@127.0.0.1:5432/lienthong';
    expect(loadConfig({ DATABASE_URL: postgres }).verifyWorkers).toBe(availableParallelism());
    expect(loadConfig({}).verifyWorkers).toBe(0);
    expect(loadConfig({ DATABASE_URL: postgres, LIENTHONG_VERIFY_WORKERS: '0' }).verifyWorkers).toBe(0);
    expect(loadConfig({ LIENTHONG_VERIFY_WORKERS: '3' }).verifyWorkers).toBe(3);
    expect(problemsOf({ LIENTHONG_VERIFY_WORKERS: 'many' }).map((p) => p.variable)).toEqual([
      'LIENTHONG_VERIFY_WORKERS',
    ]);
  });

  it('reports every problem at once, naming each environment variable', () => {
    const problems = problemsOf({
      LIENTHONG_HTTP_PORT: 'abc',
      AMQP_URL: 'nonsense',
      LIENTHONG_ORGAN_ID: 'H53',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'AMQP_URL',
      'LIENTHONG_HTTP_PORT',
      'LIENTHONG_ORGAN_ID',
    ]);
    expect(problems.find((p) => p.variable === 'LIENTHONG_HTTP_PORT')?.message).toMatch(/port/);
  });

  it('refuses ports out of range and a database URL of another scheme', () => {
    const problems = problemsOf({ LIENTHONG_SMTP_PORT: '70000', DATABASE_URL: 'mysql://x@y/z' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'LIENTHONG_SMTP_PORT']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', LIENTHONG_HTTP_PORT: '' }).http.port).toBe(8080);
  });

  it('needs both or neither of the TLS certificate and key', () => {
    expect(() => loadConfig({ LIENTHONG_TLS_CERT: '/etc/cert.pem' })).toThrow(/set both or neither/);
  });

  it('returns a frozen configuration', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.amqp)).toBe(true);
    expect(() => {
      config.http.port = 1;
    }).toThrow(TypeError);
  });

  it('redacts passwords in URLs for printing', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://hub:s3cret@db.example/hub',
      AMQP_URL: 'amqps://relay:pw@mq/x',
    });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('s3cret');
    expect(printed).not.toContain(':pw@');
    expect(printed).toContain('hub:REDACTED@db.example');
  });

  it('leaves the national axis connector off unless an endpoint is set, and then needs its system id and secret', () => {
    expect(loadConfig({}).axis).toEqual({ pollSeconds: 30, timeoutSeconds: 30 });
    expect(problemsOf({ LIENTHONG_AXIS_ENDPOINT: 'https://axis.example/vxp' })).toEqual([
      {
        variable: 'LIENTHONG_AXIS_ENDPOINT',
        message: expect.stringMatching(/LIENTHONG_AXIS_SYSTEM_ID and LIENTHONG_AXIS_SECRET_FILE/) as string,
      },
    ]);
    const axis = loadConfig({
      LIENTHONG_AXIS_ENDPOINT: 'https://axis.example/vxp',
      LIENTHONG_AXIS_SYSTEM_ID: 'vxp.h53.01',
      LIENTHONG_AXIS_SECRET_FILE: '/etc/lienthong/axis-secret',
      LIENTHONG_AXIS_POLL_SECONDS: '0.5',
    }).axis;
    expect(axis).toMatchObject({ systemId: 'vxp.h53.01', pollSeconds: 0.5, timeoutSeconds: 30 });
  });

  it('leaves the audit time stamp off unless a TSA URL is set, and then needs its trust file', () => {
    expect(loadConfig({}).tsa).toEqual({ timeoutSeconds: 30 });
    expect(problemsOf({ LIENTHONG_TSA_URL: 'https://tsa.example/tsr' })).toEqual([
      {
        variable: 'LIENTHONG_TSA_URL',
        message: expect.stringMatching(/LIENTHONG_TSA_TRUST_FILE is needed/) as string,
      },
    ]);
    expect(
      problemsOf({ LIENTHONG_TSA_URL: 'ftp://tsa.example', LIENTHONG_TSA_TRUST_FILE: '/etc/tsa.pem' }),
    ).toEqual([{ variable: 'LIENTHONG_TSA_URL', message: expect.stringMatching(/an HTTP URL/) as string }]);
    const tsa = loadConfig({
      LIENTHONG_TSA_URL: 'http://tsa.example:318/tsr',
      LIENTHONG_TSA_TRUST_FILE: '/etc/lienthong/tsa-root.pem',
      LIENTHONG_TSA_TIMEOUT_SECONDS: '5',
    }).tsa;
    expect(tsa).toEqual({
      url: 'http://tsa.example:318/tsr',
      trustFile: '/etc/lienthong/tsa-root.pem',
      timeoutSeconds: 5,
    });
  });
});
