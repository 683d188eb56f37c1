// A second (or third) process registering intake items at the same time as the test process:
// node --import tsx test/support/register-burst.ts <database-url> <json: item ids>
// Prints one JSON line with the outcomes.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { registerIntakeItem } from '../../src/registry/index.ts';

const [url, idsJson] = process.argv.slice(2);
if (!url || !idsJson) throw new Error('usage: register-burst <database-url> <json item ids>');
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
const ids = JSON.parse(idsJson) as string[];
const outcomes = await Promise.all(
  ids.map((id) => registerIntakeItem(prisma, { kind: 'system', component: `burst-${process.pid}` }, id)),
);
await prisma.$disconnect();
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
