const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id as PostgreSQL's uuid type takes it: checked before a query, so a bad id is "not found", not a 500. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
