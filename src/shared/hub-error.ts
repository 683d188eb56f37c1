import type { HubErrorCode } from './error-codes.ts';

export type { HubErrorCode } from './error-codes.ts';

/**
 * The one error type of the hub. Codes are SCREAMING_SNAKE, start with the module that throws
 * them, and are listed in error-codes.ts (a closed union: an unlisted code does not compile).
 * Expected business outcomes (duplicate, refused package) are return values, not HubErrors.
 */
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
