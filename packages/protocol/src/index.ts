export type { ClientEntryOptions, LocationLike, ParsedClientOptions } from './clientOptions';
export {
  createSocketUrl,
  encodeClientQuery,
  isAnyAddress,
  parseClientQuery,
  parseClientScriptUrl,
} from './clientOptions';
export {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_RECONNECT_ATTEMPTS,
  DEFAULT_SOCKET_PATH,
  INVALID_HOST_ORIGIN_MESSAGE,
  LOG_LEVELS,
} from './constants';
export type {
  CompileProblem,
  ErrorMessage,
  ErrorsMessage,
  HashMessage,
  HotMessage,
  InvalidMessage,
  LiveReloadMessage,
  LoggingMessage,
  LogLevel,
  OkMessage,
  OverlayMessage,
  OverlayOptions,
  ProgressMessage,
  ProgressOption,
  ProgressUpdate,
  ProgressUpdateMessage,
  ReconnectMessage,
  ServerMessage,
  ServerMessageType,
  StaticChangedMessage,
  StillOkMessage,
  WarningsMessage,
} from './messages';
export {
  createErrorMessage,
  createErrorsMessage,
  createHashMessage,
  createHotMessage,
  createInvalidMessage,
  createLiveReloadMessage,
  createLoggingMessage,
  createOkMessage,
  createOverlayMessage,
  createProgressMessage,
  createProgressUpdateMessage,
  createReconnectMessage,
  createStaticChangedMessage,
  createStillOkMessage,
  createWarningsMessage,
  SERVER_MESSAGE_TYPES,
  serializeMessage,
} from './messages';
export type {
  FrameEnvelope,
  ParseFailure,
  ParseFailureReason,
  ParseOptions,
  ParseResult,
  RawFrame,
} from './parse';
export { decodeFrame, parseServerMessage } from './parse';
export { normalizeProblem, normalizeProblems, PROBLEM_FIELDS } from './problems';
