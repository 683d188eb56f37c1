import { createHash, randomBytes } from 'node:crypto';

/**
 * What the simulated axis holds: the systems, every document it accepted (through sendEdoc or
 * enqueued as if another node sent it), and per receiving system whether that system has
 * acknowledged it. A document has one docId, seen by its sender and by each recipient; a received
 * list has one row per (document, recipient OrganId of the calling system), and updateStatus
 * acknowledges the document for the calling system (all its rows), as the SDK's call carries only
 * the docid.
 */
export type StoredSystem = { systemId: string; secret: string; organIds: Set<string> };

export type AckStatus = 'initial' | 'done' | 'fail';

export type StoredDocument = {
  docId: string;
  /** undefined for a document enqueued by the simulator (another node sent it) */
  senderSystemId: string | undefined;
  from: string;
  to: string[];
  messageType: 'edoc' | 'status';
  body: Buffer;
  sha256: string;
  created: Date;
  title: string | undefined;
  notation: string | undefined;
  /** per receiving system id */
  acks: Map<string, { status: AckStatus; updated: Date }>;
};

export type Receipt = { listed: number; fetched: number; done: number; fail: number };

export class AxisStore {
  readonly systems = new Map<string, StoredSystem>();
  readonly documents: StoredDocument[] = [];
  readonly #byId = new Map<string, StoredDocument>();
  readonly receipts = new Map<string, Receipt>();
  /** accepted sendEdoc bodies by SHA-256 */
  readonly acceptedBodies = new Map<string, number>();
  #counter = randomBytes(3).readUIntBE(0, 3);
  /** per system id: every document before this index is acknowledged done by it, or not addressed to it */
  readonly #settled = new Map<string, number>();

  addSystem(systemId: string, secret: string, organIds: readonly string[]): void {
    this.#settled.clear(); // a new OrganId can make an earlier document someone's
    const existing = this.systems.get(systemId);
    if (existing) {
      existing.secret = secret;
      for (const organId of organIds) existing.organIds.add(organId);
    } else {
      this.systems.set(systemId, { systemId, secret, organIds: new Set(organIds) });
    }
  }

  systemOfOrgan(organId: string): StoredSystem | undefined {
    for (const system of this.systems.values()) if (system.organIds.has(organId)) return system;
    return undefined;
  }

  /** A 24-hex-digit id like the axis's own (seconds, random, counter: a MongoDB ObjectId's shape). */
  newDocId(): string {
    this.#counter = (this.#counter + 1) % 0x1000000;
    const seconds = Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, '0');
    return `${seconds}${randomBytes(5).toString('hex')}${this.#counter.toString(16).padStart(6, '0')}`;
  }

  add(input: Omit<StoredDocument, 'docId' | 'sha256' | 'created' | 'acks'>): StoredDocument {
    const document: StoredDocument = {
      ...input,
      docId: this.newDocId(),
      sha256: createHash('sha256').update(input.body).digest('hex'),
      created: new Date(),
      acks: new Map(),
    };
    this.documents.push(document);
    this.#byId.set(document.docId, document);
    this.receipts.set(document.docId, { listed: 0, fetched: 0, done: 0, fail: 0 });
    return document;
  }

  find(docId: string): StoredDocument | undefined {
    return this.#byId.get(docId);
  }

  /** Whether `system` is among the document's recipients (through one of its OrganIds). */
  receives(document: StoredDocument, system: StoredSystem): boolean {
    return document.to.some((organId) => system.organIds.has(organId));
  }

  /** Where a scan for what `system` has not acknowledged may start (lists stay cheap while a hub drains). */
  pendingStart(system: StoredSystem): number {
    let at = this.#settled.get(system.systemId) ?? 0;
    for (; at < this.documents.length; at += 1) {
      const document = this.documents[at];
      if (document && this.receives(document, system) && this.ackOf(document, system).status !== 'done')
        break;
    }
    this.#settled.set(system.systemId, at);
    return at;
  }

  ackOf(document: StoredDocument, system: StoredSystem): { status: AckStatus; updated: Date } {
    return document.acks.get(system.systemId) ?? { status: 'initial', updated: document.created };
  }

  receipt(docId: string): Receipt {
    let receipt = this.receipts.get(docId);
    if (!receipt) {
      receipt = { listed: 0, fetched: 0, done: 0, fail: 0 };
      this.receipts.set(docId, receipt);
    }
    return receipt;
  }
}
