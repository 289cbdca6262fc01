import { DEFAULT_MAX_FRAME_BYTES, LOG_LEVELS } from './constants';
import type { CompileProblem, LogLevel, PushRequestMessage, ServerMessage } from './messages';
import { PROBLEM_FIELDS } from './problems';

/** Why a frame was not accepted. */
export type ParseFailureReason =
  | 'too-large'
  | 'not-text'
  | 'not-json'
  | 'not-object'
  | 'unknown-type'
  | 'invalid-data';

export interface ParseFailure {
  ok: false;
  reason: ParseFailureReason;
  /** A human-readable explanation, safe to log. */
  message: string;
}

export type ParseResult<T> = { ok: true; message: T } | ParseFailure;

export interface ParseOptions {
  /** Frames over this many bytes are refused before they are decoded. @default 1 MiB */
  maxBytes?: number;
}

/** What a socket hands over: text, a Node Buffer (a Uint8Array), or an ArrayBuffer. */
export type RawFrame = string | Uint8Array | ArrayBuffer;

/** A frame's generic envelope: an object with a string `type`. */
export interface FrameEnvelope {
  type: string;
  data?: unknown;
  params?: unknown;
  [key: string]: unknown;
}

const fail = (reason: ParseFailureReason, message: string): ParseFailure => ({
  ok: false,
  reason,
  message,
});

let decoder: TextDecoder | undefined;

function toText(raw: unknown, maxBytes: number): string | ParseFailure {
  if (typeof raw === 'string') {
    // A JS string's UTF-8 size is at most 3 bytes per UTF-16 unit, at least 1.
    if (raw.length > maxBytes) return fail('too-large', `frame over ${maxBytes} bytes`);
    if (raw.length * 3 > maxBytes && utf8Length(raw) > maxBytes) {
      return fail('too-large', `frame over ${maxBytes} bytes`);
    }
    return raw;
  }
  let bytes: Uint8Array;
  if (raw instanceof Uint8Array) bytes = raw;
  else if (raw instanceof ArrayBuffer) bytes = new Uint8Array(raw);
  else return fail('not-text', `frame is a ${raw === null ? 'null' : typeof raw}, not text`);
  if (bytes.byteLength > maxBytes) return fail('too-large', `frame over ${maxBytes} bytes`);
  decoder ??= new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    return fail('not-text', 'frame is not valid UTF-8');
  }
}

function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Decodes a frame into its envelope (`{type, data?, params?}`) without judging
 * the type. Never throws. Socket servers use it on client frames; clients use
 * `parseServerMessage`, which also validates the type and its data.
 */
export function decodeFrame(raw: unknown, options: ParseOptions = {}): ParseResult<FrameEnvelope> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const text = toText(raw, maxBytes);
  if (typeof text !== 'string') return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Also catches a RangeError from pathological nesting.
    return fail('not-json', 'frame is not JSON');
  }
  if (!isRecord(value)) return fail('not-object', 'frame is not a JSON object');
  if (typeof value.type !== 'string') return fail('not-object', 'frame has no string "type"');
  return { ok: true, message: value as FrameEnvelope };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isOptionalString = (value: unknown): boolean => value === undefined || isString(value);

// The whitelist's fields are all strings; only `message` is required.
function isProblem(value: unknown): value is CompileProblem {
  if (!isRecord(value) || !isString(value.message)) return false;
  return PROBLEM_FIELDS.every((field) => isOptionalString(value[field]));
}

function isOverlayValue(value: unknown): boolean {
  if (typeof value === 'boolean') return true;
  if (!isRecord(value)) return false;
  for (const key of ['errors', 'warnings', 'runtimeErrors'] as const) {
    const v = value[key];
    if (v !== undefined && typeof v !== 'boolean' && !isString(v)) return false;
  }
  return isOptionalString(value.trustedTypesPolicyName);
}

// A pushed file: a relative name (what the page would fetch) and its text.
const isPushedFile = (value: unknown): boolean =>
  isRecord(value) &&
  isString(value.name) &&
  value.name.length > 0 &&
  !value.name.startsWith('/') &&
  isString(value.content);

const isLogLevel = (value: unknown): value is LogLevel =>
  isString(value) && (LOG_LEVELS as readonly string[]).includes(value);

/**
 * Checks a decoded envelope against the message union. Returns a reason
 * string when the data has the wrong shape, `undefined` when it is valid, and
 * `null` for an unknown type. The switch is exhaustive over the known types.
 */
function checkData(envelope: FrameEnvelope): string | undefined | null {
  const { data } = envelope;
  const type = envelope.type as ServerMessage['type'];
  switch (type) {
    case 'hot':
    case 'liveReload':
    case 'ok':
    case 'still-ok':
    case 'invalid':
      return undefined;
    case 'progress':
      return typeof data === 'boolean' || data === 'linear' || data === 'circular'
        ? undefined
        : 'progress data must be a boolean, "linear" or "circular"';
    case 'reconnect':
      // `Infinity` (reconnect: true) serializes as null.
      return (typeof data === 'number' && data >= 0) || data === null
        ? undefined
        : 'reconnect data must be a number ≥ 0';
    case 'overlay':
      return isOverlayValue(data) ? undefined : 'overlay data must be a boolean or overlay options';
    case 'hash':
      return isString(data) ? undefined : 'hash data must be a string';
    case 'warnings':
    case 'errors': {
      if (!Array.isArray(data) || !data.every(isProblem)) {
        return `${type} data must be an array of problems with a string message`;
      }
      const { params } = envelope;
      if (params !== undefined && !isRecord(params)) return `${type} params must be an object`;
      return undefined;
    }
    case 'progress-update':
      return isRecord(data) &&
        typeof data.percent === 'number' &&
        Number.isFinite(data.percent) &&
        isString(data.msg) &&
        isOptionalString(data.pluginName)
        ? undefined
        : 'progress-update data must be {percent, msg, pluginName?}';
    case 'static-changed':
      return isOptionalString(data) ? undefined : 'static-changed data must be a path';
    case 'error':
      return isString(data) ? undefined : 'error data must be a string';
    case 'logging':
      return isLogLevel(data) ? undefined : 'logging data must be a log level';
    case 'hot-update':
      return isRecord(data) &&
        isString(data.hash) &&
        Array.isArray(data.files) &&
        data.files.every(isPushedFile)
        ? undefined
        : 'hot-update data must be {hash, files: [{name, content}]}';
    default: {
      const unknownType: never = type;
      void unknownType;
      return null;
    }
  }
}

/**
 * Parses a frame from a webpack-dev-server 5 compatible server. Never throws:
 * non-text, oversized, non-JSON and non-object frames, unknown types and data
 * of the wrong shape come back as a typed failure. Extra fields are kept.
 */
export function parseServerMessage(
  raw: unknown,
  options: ParseOptions = {},
): ParseResult<ServerMessage> {
  const decoded = decodeFrame(raw, options);
  if (!decoded.ok) return decoded;
  const envelope = decoded.message;
  const problem = checkData(envelope);
  if (problem === null) {
    return fail(
      'unknown-type',
      `unknown message type ${JSON.stringify(envelope.type.slice(0, 64))}`,
    );
  }
  if (problem !== undefined) return fail('invalid-data', problem);
  if (envelope.type === 'reconnect' && envelope.data === null) {
    return { ok: true, message: { ...envelope, data: Number.POSITIVE_INFINITY } as ServerMessage };
  }
  return { ok: true, message: envelope as unknown as ServerMessage };
}

/**
 * Reads a client's `hmrkit-push` frame (already decoded by `decodeFrame`).
 * Returns the request, or `undefined` for any other frame or a bad shape
 * (a `maxBytes` that is not a positive integer). Never throws.
 */
export function parsePushRequest(envelope: FrameEnvelope): PushRequestMessage | undefined {
  if (envelope.type !== 'hmrkit-push' || !isRecord(envelope.data)) return undefined;
  const { maxBytes } = envelope.data;
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    return undefined;
  }
  return { type: 'hmrkit-push', data: { maxBytes } };
}
