export type { SocketServerErrorCode } from './errors';
export { SocketServerError } from './errors';
export type {
  AllowedHostsOption,
  ConnectionRefusal,
  HeaderRecord,
  HostCheckOptions,
  HostHeaderName,
  HttpRequestCheckOptions,
  HttpRequestVerdict,
  NormalizedAllowedHosts,
} from './hostCheck';
export {
  CROSS_ORIGIN_BLOCKED_BODY,
  checkConnectionHeaders,
  checkHttpRequest,
  INVALID_HOST_BODY,
  isHostAllowed,
  isSameOrigin,
  isValidHost,
  normalizeAllowedHosts,
  parseHostHeader,
  parseOriginHeader,
} from './hostCheck';
export type {
  SocketClient,
  SocketServer,
  SocketServerEvents,
  SocketServerOptions,
} from './socketServer';
export {
  createSocketServer,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  DEFAULT_MAX_PAYLOAD,
} from './socketServer';
export type { SockjsTransportOptions } from './sockjsTransport';
export { createSockjsTransport } from './sockjsTransport';
export type {
  ConnectionHandlers,
  ConnectionRequest,
  SocketTransport,
  SocketTransportFactory,
  TransportConnection,
  TransportContext,
} from './transport';
export { getPathname, READY_STATE } from './transport';
export type { WsTransportOptions } from './wsTransport';
export { createWsTransport, DEFAULT_HEARTBEAT_INTERVAL } from './wsTransport';
