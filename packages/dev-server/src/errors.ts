/** Every error the dev-server raises on purpose, with a stable `code`. */
export type DevServerErrorCode =
  | 'INVALID_OPTION'
  | 'UNKNOWN_OPTION'
  | 'UNSUPPORTED_OPTION'
  | 'PORT_IN_USE'
  | 'MISSING_PEER'
  | 'NOT_STARTED';

export class DevServerError extends Error {
  readonly code: DevServerErrorCode;

  constructor(code: DevServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevServerError';
    this.code = code;
  }
}

/** A wrong value: names the option path and what it expects. */
export function invalidOption(path: string, expected: string, value: unknown): DevServerError {
  return new DevServerError(
    'INVALID_OPTION',
    `Invalid options: devServer.${path} should be ${expected}, got ${describeValue(value)}.`,
  );
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
