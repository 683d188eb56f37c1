import { availableParallelism } from 'node:os';
import { z } from 'zod';

const port = z.coerce
  .number({ error: 'must be a TCP port number (1–65535)' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

/** A URL with one of the given schemes; the message names what was expected, never echoes secrets. */
function urlWithScheme(schemes: readonly string[], what: string) {
  return z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { error: `must be ${what} (${schemes.map((s) => `${s}://…`).join(' or ')})` },
  );
}

const organId = z
  .string()
  .regex(
    /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/,
    'must be an OrganId of the form NNN.NN.NN.XNN, e.g. 000.00.00.H53',
  );

/**
 * The hub's whole configuration. Defaults live here and nowhere else; every key says what it is for.
 * Environment variable names (docs/contract.md) are mapped onto these keys in load-config.ts.
 */
export const ConfigSchema = z.strictObject({
  database: z.strictObject({
    url: urlWithScheme(['postgres', 'postgresql'], 'a PostgreSQL URL')
      .optional()
      .describe('PostgreSQL URL (DATABASE_URL); unset means the embedded database in the data directory'),
  }),
  dataDir: z
    .string()
    .min(1)
    .default('./data')
    .describe('Embedded database, keys, trust store, generated secrets'),
  amqp: z.strictObject({
    url: urlWithScheme(['amqp', 'amqps'], 'an AMQP URL')
      .default('amqp://guest:guest@127.0.0.1:5672')
      .describe('RabbitMQ; while unreachable, relay work waits durably in the outbox'),
    managementUrl: urlWithScheme(['http', 'https'], 'an HTTP URL')
      .default('http://guest:guest@127.0.0.1:15672')
      .describe('RabbitMQ management API, for agency broker users and queue depths'),
  }),
  http: z.strictObject({ port: port.default(8080).describe('Web UI and API') }),
  smtp: z.strictObject({
    port: port.default(2525).describe('SMTP ingress'),
    relayUrl: urlWithScheme(['smtp', 'smtps'], 'an SMTP URL')
      .optional()
      .describe('Outbound mail: receipts, alerts, e-mail delivery channel'),
    maxClients: z.coerce
      .number()
      .int()
      .min(1)
      .default(200)
      .describe('SMTP connections open at once (421 beyond)'),
    maxConnectionsPerClient: z.coerce
      .number()
      .int()
      .min(1)
      .default(10)
      .describe(
        'SMTP connections open at once from one client address (well under the total, so a few addresses cannot take every slot)',
      ),
    maxConnectionsPerClientPerMinute: z.coerce
      .number()
      .int()
      .min(1)
      .default(3000)
      .describe('New SMTP connections per client address per minute'),
    sessionSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(900)
      .describe(
        'Longest SMTP session (421 then); a message being received may finish within its DATA limits',
      ),
    dataSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(600)
      .describe('Longest DATA phase of one message (421, nothing kept); 50 MB in 600 s needs about 85 KB/s'),
    minBytesPerSecond: z.coerce
      .number()
      .int()
      .min(0)
      .default(100)
      .describe('Least DATA rate over the last 30 s (421, nothing kept); 0 switches the rule off'),
    spoolMax: z.coerce
      .number()
      .int()
      .min(1)
      .default(20_000)
      .describe('Mail accepted but not yet read (the spool) beyond which new mail gets 451 until it drains'),
    unknownSender: z
      .enum(['queue', 'quarantine'])
      .default('queue')
      .describe('Mail from an address no agency has: into the queue (flagged) or quarantine'),
    senderAuth: z
      .enum(['on', 'off'])
      .default('on')
      .describe('SPF/DKIM/DMARC checks of SMTP mail (DNS lookups per message)'),
    mimeSecondReading: z
      .enum(['on', 'off'])
      .default('on')
      .describe(
        'A second, strict reading of each message’s MIME structure, compared with mailparser’s (hidden attachments, ambiguous names)',
      ),
    receipts: z
      .enum(['on', 'off'])
      .default('off')
      .describe('Mail a receipt to the sender of each stored message'),
    alertTo: z.string().optional().describe('Comma-separated admin addresses for ingest alerts'),
    alertAfterSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(300)
      .describe('How long a mailbox outage, a store failure or a full spool lasts before admins get mail'),
  }),
  imap: z
    .strictObject({
      mailboxes: z
        .string()
        .optional()
        .describe(
          'JSON array of mailboxes to poll: [{name, host, port, secure, user, passwordFile, folder, agency, afterCommit: "seen"|"move", processedFolder}]',
        ),
    })
    .prefault({}),
  axis: z
    .strictObject({
      endpoint: urlWithScheme(['http', 'https'], 'an HTTP URL')
        .optional()
        .describe('Base URL of the national document axis (VDXP); unset switches the connector off'),
      systemId: z.string().min(1).max(100).optional().describe('This hub’s system id on the national axis'),
      secretFile: z
        .string()
        .min(1)
        .optional()
        .describe('File holding the secret the axis gave this system (signs every call); never logged'),
      pollSeconds: z.coerce
        .number({ error: 'must be a number of seconds' })
        .min(0.05)
        .max(3600)
        .default(30)
        .describe('Pause between polls of the axis when it had nothing new'),
      timeoutSeconds: z.coerce
        .number({ error: 'must be a number of seconds' })
        .min(0.1)
        .max(600)
        .default(30)
        .describe('Deadline of one call to the axis, answer included'),
    })
    .prefault({})
    .refine((axis) => !axis.endpoint || (axis.systemId !== undefined && axis.secretFile !== undefined), {
      path: ['endpoint'],
      error:
        'with LIENTHONG_AXIS_ENDPOINT set, LIENTHONG_AXIS_SYSTEM_ID and LIENTHONG_AXIS_SECRET_FILE are needed too',
    }),
  tsa: z
    .strictObject({
      url: urlWithScheme(['http', 'https'], 'an HTTP URL')
        .optional()
        .describe(
          'RFC 3161 time-stamping authority that time-stamps the audit chain daily; unset switches it off',
        ),
      trustFile: z
        .string()
        .min(1)
        .optional()
        .describe('PEM or DER file with the time-stamping authority’s root (and intermediates)'),
      timeoutSeconds: z.coerce
        .number({ error: 'must be a number of seconds' })
        .min(0.1)
        .max(600)
        .default(30)
        .describe('Deadline of one time-stamp request, answer included'),
    })
    .prefault({})
    .refine((tsa) => !tsa.url || tsa.trustFile !== undefined, {
      path: ['url'],
      error: 'with LIENTHONG_TSA_URL set, LIENTHONG_TSA_TRUST_FILE is needed too',
    }),
  reading: z
    .strictObject({
      workers: z.coerce
        .number()
        .int()
        .min(1)
        .max(64)
        .default(availableParallelism())
        .describe('Files whose text is read at once (each a pdftotext/tesseract child); default: the cores'),
      maxPages: z.coerce
        .number()
        .int()
        .min(1)
        .max(10_000)
        .default(20)
        .describe('Pages read of one file; past them the text says how many of how many were read'),
      maxSeconds: z.coerce
        .number()
        .min(1)
        .max(3600)
        .default(120)
        .describe('Time for reading one file; past it the readers are killed and the file is not read'),
      ocr: z
        .enum(['on', 'off'])
        .default('on')
        .describe('OCR (tesseract) of scanned pages and images; off leaves them not read'),
      languages: z
        .string()
        .regex(
          /^[a-z_]{3,10}(\+[a-z_]{3,10})*$/,
          'must be tesseract language names joined by +, e.g. vie or vie+eng',
        )
        .default('vie')
        .describe('Tesseract languages for OCR'),
    })
    .prefault({}),
  host: z.string().min(1).default('127.0.0.1').describe('Listen address'),
  organId: organId
    .default('000.00.00.H53')
    .describe('The hub’s own agency code; hosted by the hub out of the box'),
  mailDomain: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'must be a mail domain such as lienthong.local')
    .default('lienthong.local')
    .describe('<OrganId>@<domain> reaches a hosted agency'),
  maxMessageBytes: z.coerce
    .number({ error: 'must be a number of bytes' })
    .int()
    .min(1024, 'must be at least 1024 bytes')
    .default(52_428_800)
    .describe('One size limit for mail, HTTP packages and AMQP messages'),
  trustDir: z
    .string()
    .min(1)
    .optional()
    .describe('Trust anchors, intermediates and CRLs; default <dataDir>/trust'),
  verifyWorkers: z.coerce
    .number({ error: 'must be a number of threads' })
    .int()
    .min(0)
    .max(64)
    .optional()
    .describe(
      'Threads verifying submitted packages’ signatures; 0: on the main thread; default: the cores with PostgreSQL, 0 with the embedded database',
    ),
  tls: z.strictObject({
    certFile: z.string().min(1).optional().describe('PEM certificate for STARTTLS and HTTPS'),
    keyFile: z.string().min(1).optional().describe('PEM private key for STARTTLS and HTTPS'),
  }),
  clamd: z
    .string()
    .min(1)
    .optional()
    .describe('clamd socket path or host:port; when set, attachments are scanned'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  shutdownTimeoutMs: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(8000)
    .describe('Bounded drain on SIGTERM'),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Dotted config key → environment variable, the names of docs/contract.md. */
export const ENVIRONMENT_VARIABLES = {
  'database.url': 'DATABASE_URL',
  dataDir: 'LIENTHONG_DATA_DIR',
  'amqp.url': 'AMQP_URL',
  'amqp.managementUrl': 'LIENTHONG_AMQP_MANAGEMENT_URL',
  'http.port': 'LIENTHONG_HTTP_PORT',
  'smtp.port': 'LIENTHONG_SMTP_PORT',
  'smtp.relayUrl': 'LIENTHONG_SMTP_RELAY_URL',
  'smtp.maxClients': 'LIENTHONG_SMTP_MAX_CLIENTS',
  'smtp.maxConnectionsPerClient': 'LIENTHONG_SMTP_MAX_PER_CLIENT',
  'smtp.maxConnectionsPerClientPerMinute': 'LIENTHONG_SMTP_MAX_PER_CLIENT_PER_MINUTE',
  'smtp.sessionSeconds': 'LIENTHONG_SMTP_SESSION_SECONDS',
  'smtp.dataSeconds': 'LIENTHONG_SMTP_DATA_SECONDS',
  'smtp.minBytesPerSecond': 'LIENTHONG_SMTP_MIN_BYTES_PER_SECOND',
  'smtp.spoolMax': 'LIENTHONG_SMTP_SPOOL_MAX',
  'smtp.unknownSender': 'LIENTHONG_SMTP_UNKNOWN_SENDER',
  'smtp.senderAuth': 'LIENTHONG_SMTP_SENDER_AUTH',
  'smtp.mimeSecondReading': 'LIENTHONG_MIME_SECOND_READING',
  'smtp.receipts': 'LIENTHONG_SMTP_RECEIPTS',
  'smtp.alertTo': 'LIENTHONG_ALERT_TO',
  'smtp.alertAfterSeconds': 'LIENTHONG_ALERT_AFTER_SECONDS',
  'imap.mailboxes': 'LIENTHONG_IMAP_MAILBOXES',
  'axis.endpoint': 'LIENTHONG_AXIS_ENDPOINT',
  'axis.systemId': 'LIENTHONG_AXIS_SYSTEM_ID',
  'axis.secretFile': 'LIENTHONG_AXIS_SECRET_FILE',
  'axis.pollSeconds': 'LIENTHONG_AXIS_POLL_SECONDS',
  'axis.timeoutSeconds': 'LIENTHONG_AXIS_TIMEOUT_SECONDS',
  'tsa.url': 'LIENTHONG_TSA_URL',
  'tsa.trustFile': 'LIENTHONG_TSA_TRUST_FILE',
  'tsa.timeoutSeconds': 'LIENTHONG_TSA_TIMEOUT_SECONDS',
  'reading.workers': 'LIENTHONG_READING_WORKERS',
  'reading.maxPages': 'LIENTHONG_READING_MAX_PAGES',
  'reading.maxSeconds': 'LIENTHONG_READING_MAX_SECONDS',
  'reading.ocr': 'LIENTHONG_READING_OCR',
  'reading.languages': 'LIENTHONG_READING_LANGUAGES',
  host: 'LIENTHONG_HOST',
  organId: 'LIENTHONG_ORGAN_ID',
  mailDomain: 'LIENTHONG_MAIL_DOMAIN',
  maxMessageBytes: 'LIENTHONG_MAX_MESSAGE_BYTES',
  trustDir: 'LIENTHONG_TRUST_DIR',
  verifyWorkers: 'LIENTHONG_VERIFY_WORKERS',
  'tls.certFile': 'LIENTHONG_TLS_CERT',
  'tls.keyFile': 'LIENTHONG_TLS_KEY',
  clamd: 'LIENTHONG_CLAMD',
  logLevel: 'LIENTHONG_LOG_LEVEL',
  shutdownTimeoutMs: 'LIENTHONG_SHUTDOWN_TIMEOUT_MS',
} as const;

/** Keys whose values are URLs that may carry credentials, shown redacted. */
export const URL_KEYS_WITH_SECRETS = [
  'database.url',
  'amqp.url',
  'amqp.managementUrl',
  'smtp.relayUrl',
  'tsa.url',
] as const;
