// Where the integration tests find their servers. Override with TEST_DATABASE_URL, TEST_AMQP_URL and
// TEST_AMQP_MANAGEMENT_URL to point them at other servers (the hub's own variables are left alone).
export const testServices = {
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  amqpUrl: process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  amqpManagementUrl: process.env.TEST_AMQP_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
};

export function databaseUrlFor(name: string): string {
  const url = new URL(testServices.databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
