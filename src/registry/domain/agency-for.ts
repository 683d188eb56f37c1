import { agencyScope, type Actor } from '../../shared/index.ts';

export const NOT_FOUND = Symbol('not-found');

/** The confinement of one request: the actor's agency, or the agency an admin named. */
export function agencyFor(actor: Actor, requested: string | undefined): string | null | typeof NOT_FOUND {
  const scope = agencyScope(actor);
  if (scope === null) return requested ?? null;
  // Naming another agency is answered as naming an unknown one.
  return requested === undefined || requested === scope ? scope : NOT_FOUND;
}
