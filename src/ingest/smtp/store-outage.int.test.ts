import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/hub-process.ts';
import { openDatabase, type Database } from '../../db/index.ts';
import { buildMail, uniqueSeed } from '../test-support/build-mail.ts';
import {
  HUB_AGENCY,
  MAIL_DOMAIN,
  seedAgencies,
  startTestListener,
  type TestListener,
} from '../test-support/listener-harness.ts';
import {
  privatePostgresAvailable,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../test-support/private-postgres.ts';
import { RawSmtp, dotStuff } from '../test-support/raw-smtp.ts';

// Stops a PostgreSQL cluster of its own (never the shared one): the listener must answer 4xx
// while the database is down, so the sender keeps the message and retries.
const HUB_ADDRESS = `${HUB_AGENCY}@${MAIL_DOMAIN}`;
let pg: PrivatePostgres;
let database: Database;
let listener: TestListener;

describe('SMTP while the database is down', { concurrent: false }, () => {
  // A missing service fails here, loudly: a skipped check would pass CI without checking anything.
  beforeAll(() => {
    expect(
      privatePostgresAvailable(),
      'the PostgreSQL server binaries are missing: `node scripts/ensure-test-services.mjs` installs them',
    ).toBe(true);
  });
  beforeAll(async () => {
    pg = startPrivatePostgres(await freePort());
    database = await openDatabase(
      { kind: 'postgres', url: pg.url },
      { log: pino({ level: 'silent' }), purpose: 'outage test', migrate: true },
    );
    await seedAgencies(database.prisma);
    listener = await startTestListener(database.prisma);
  });

  afterAll(async () => {
    await listener.close();
    await database.close().catch(() => undefined);
    pg.destroy();
  });

  it('answers 451 without the database, then 250 with exactly one item once it is back', async () => {
    const seed = uniqueSeed();
    const message = dotStuff(buildMail({ seed }));
    const { client } = await RawSmtp.connect(listener.port);
    await client.command('EHLO outage.example');
    // warm the recipient cache so the outage hits the commit, not RCPT
    expect(
      (await client.send('a@b.example', [HUB_ADDRESS], dotStuff(buildMail({ seed: uniqueSeed() })))).at(-1)
        ?.code,
    ).toBe(250);

    pg.stop();
    const refused = await client.send('a@b.example', [HUB_ADDRESS], message);
    expect(refused.at(-1)?.code).toBe(451);
    // a fresh RCPT for an uncached address is also temporary, not "unknown user"
    expect((await client.command('MAIL FROM:<a@b.example>')).code).toBe(250);
    expect((await client.command('RCPT TO:<000.00.11.h53@lienthong.local>')).code).toBe(451);
    await client.command('RSET');

    pg.start();
    let last = 0;
    for (let attempt = 0; attempt < 20 && last !== 250; attempt += 1) {
      last = (await client.send('a@b.example', [HUB_ADDRESS], message)).at(-1)?.code ?? 0;
      if (last !== 250) await new Promise((r) => setTimeout(r, 250));
    }
    expect(last).toBe(250);
    client.close();
    // the processor, whose spool reads failed during the outage, catches up by itself
    await listener.drained();
    expect(await database.prisma.intakeItem.count({ where: { messageId: `<${seed}@stc.example.vn>` } })).toBe(
      1,
    );
  });
});
