/**
 * Who asks. Every registry use case takes an actor and enforces its scope itself, so isolation does
 * not depend on each HTTP route remembering to filter: a clerk or a partner token sees one agency,
 * a leader their agency (and may assign), an admin everything, the hub's own components act as system.
 */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      username: string;
      role: 'clerk' | 'leader';
      agencyId: string;
      departmentId: string | null;
    }
  | { kind: 'user'; userId: string; username: string; role: 'admin'; agencyId: null; departmentId: null }
  | { kind: 'token'; tokenId: string; agencyId: string }
  | { kind: 'system'; component: string };

/** The agency an actor is confined to, or null when it may see every agency. */
export function agencyScope(actor: Actor): string | null {
  switch (actor.kind) {
    case 'user':
      return actor.agencyId;
    case 'token':
      return actor.agencyId;
    case 'system':
      return null;
  }
}

/** How the actor appears in the audit trail and in `registered_by`-style columns. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return `user:${actor.username}`;
    case 'token':
      return `token:${actor.tokenId}`;
    case 'system':
      return `system:${actor.component}`;
  }
}

export function mayActFor(actor: Actor, agencyId: string): boolean {
  const scope = agencyScope(actor);
  return scope === null || scope === agencyId;
}
