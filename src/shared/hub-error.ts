/**
 * The one error type of the hub. Codes are SCREAMING_SNAKE and start with the module that
 * throws them; each module keeps its own list of codes next to its code (e.g. `EDXML_NOT_WELL_FORMED`).
 * Expected business outcomes (duplicate, refused package) are return values, not HubErrors.
 */
export type HubModule =
  | 'CONFIG'
  | 'DB'
  | 'CLI'
  | 'EDXML'
  | 'TEXT'
  | 'SIGNING'
  | 'REGISTRY'
  | 'AGENCY'
  | 'INGEST'
  | 'EXCHANGE'
  | 'WEB';

export type HubErrorCode = `${HubModule}_${string}`;

export class HubError extends Error {
  override readonly name = 'HubError';
  readonly code: HubErrorCode;
  /** Structured detail a caller may show (a path in a document, a line number, …). Never secrets. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: HubErrorCode,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.code = code;
    this.details = options?.details;
  }
}

export function isHubError(error: unknown, code?: HubErrorCode): error is HubError {
  return error instanceof HubError && (code === undefined || error.code === code);
}
