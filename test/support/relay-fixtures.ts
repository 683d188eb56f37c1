import { createHash, randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { buildEdxml, zipFiles } from '../../src/edxml/index.ts';

function attachment(name: string, bytes: Buffer) {
  return {
    contentId: 'cid:1',
    name,
    contentType: 'application/pdf',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    content: bytes.toString('base64'),
  };
}

/**
 * A nested ZIP bomb as issue 13 found it: 10 inner ZIPs of 96 MiB of zeros each, about 1 MB in
 * all. Each level alone looks harmless to a reader that does not open the inner archives.
 */
export function nestedZipBomb(): Buffer {
  const inner = zipFiles([{ name: 'zeros.bin', content: Buffer.alloc(96 * 1024 * 1024) }]);
  return zipFiles(Array.from({ length: 10 }, (_, i) => ({ name: `phan-${i + 1}.zip`, content: inner })));
}

/** A document package built from normalized JSON, the way a partner's software would send one. */
export function documentPackage(options: {
  from: string;
  to: string[];
  subject?: string;
  documentId?: string;
  content?: string;
  /** instead of the one small PDF */
  attachments?: { name: string; bytes: Buffer; contentType?: string }[];
}): Buffer {
  const documentId =
    options.documentId ?? `${options.from},2026/11/25,${randomBytes(3).toString('hex')}/UBND-VP`;
  return buildEdxml({
    kind: 'edoc',
    documentId,
    from: { organId: options.from, organName: `Cơ quan ${options.from}` },
    to: options.to.map((organId) => ({ organId, organName: `Cơ quan ${organId}` })),
    code: { number: '123', notation: 'UBND-VP' },
    promulgation: { place: 'Tây Ninh', date: '2026-11-25' },
    documentType: { type: 1, name: 'Công văn' },
    subject: options.subject ?? 'V/v triển khai kế hoạch chuyển đổi số năm 2027',
    ...(options.content ? { content: options.content } : {}),
    signer: { competence: 'KT. CHỦ TỊCH', position: 'Phó Chủ tịch', fullName: 'Nguyễn Văn An' },
    priority: 0,
    steeringType: 0,
    businessDocType: 0,
    toPlaces: [],
    attachments: (options.attachments ?? [{ name: 'congvan.pdf', bytes: Buffer.from('%PDF-1.4 test') }]).map(
      (file, i) => ({
        ...attachment(file.name, file.bytes),
        contentId: `cid:${i + 1}`,
        ...(file.contentType ? { contentType: file.contentType } : {}),
      }),
    ),
    trace: [],
    warnings: [],
  });
}

export function statusPackage(options: {
  from: string;
  answering: string;
  documentId: string;
  code: string;
  description?: string;
}): Buffer {
  return buildEdxml({
    kind: 'status',
    responseFor: {
      organId: options.answering,
      code: '123/UBND-VP',
      promulgationDate: '2026-11-25',
      documentId: options.documentId,
    },
    from: { organId: options.from, organName: `Cơ quan ${options.from}` },
    statusCode: options.code,
    description: options.description ?? 'Đã tiếp nhận',
    timestamp: '2026-11-25T09:00:00+07:00',
    staff: { department: 'Văn thư', staff: 'Trần Thị Bình' },
    warnings: [],
  });
}

/** A partner system: its own broker user, as `lienthong agency credentials` made it. */
export type Partner = {
  connection: ChannelModel;
  channel: Channel;
  /** Channel-level errors (e.g. ACCESS_REFUSED) close the channel; open a fresh one to probe. */
  probe(): Promise<Channel>;
  submit(body: Buffer, options?: { userId?: string | null }): void;
  /** Messages that arrived in the partner's inbox so far. */
  inbox: ConsumeMessage[];
  waitFor(predicate: (m: ConsumeMessage) => boolean, timeoutMs?: number): Promise<ConsumeMessage>;
  close(): Promise<void>;
};

/** A partner's system, with what `lienthong agency credentials` gave it (user, password, inbox). */
export async function connectPartner(
  amqpUrl: string,
  organId: string,
  access: { username: string; password: string; queue: string },
): Promise<Partner> {
  const { username, password } = access;
  const url = new URL(amqpUrl);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  const connection = await connect(url.toString());
  connection.on('error', () => undefined);
  const channel = await connection.createChannel();
  const inbox: ConsumeMessage[] = [];
  await channel.consume(access.queue, (message) => {
    if (!message) return;
    inbox.push(message);
    channel.ack(message);
  });
  return {
    connection,
    channel,
    inbox,
    probe: async () => {
      const probe = await connection.createChannel();
      probe.on('error', () => undefined);
      return probe;
    },
    submit(body, options = {}) {
      const userId = options.userId === undefined ? username : options.userId;
      channel.publish('lienthong.submit', '', body, {
        persistent: true,
        contentType: 'application/xml',
        ...(userId ? { userId } : {}),
      });
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = inbox.find(predicate);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(
            `no matching message in ${organId}'s inbox within ${timeoutMs} ms; got ${inbox.map((m) => m.properties.type as string).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      await connection.close().catch(() => undefined);
    },
  };
}
