import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** WebSocket ready states, which every transport reports in. */
export const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/** The request a connection came from, in a shape every transport can fill. */
export interface ConnectionRequest {
  /** The request URL (path and query) of the upgrade or of the first transport request. */
  url: string;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
}

/** One connection as a transport hands it to the server. */
export interface TransportConnection {
  /** 0 connecting, 1 open, 2 closing, 3 closed (WebSocket numbering). */
  readonly readyState: number;
  /** Bytes queued for this connection and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Sends one text frame. Must not throw when the connection is closing. */
  send(text: string): void;
  /**
   * Optional: holds this connection's writes until `uncork`, so that frames
   * sent together leave in one write (one wake-up of the reader, not one per
   * frame). Calls nest, as Node's `Writable#cork` does.
   */
  cork?(): void;
  /** Optional: writes what `cork` held. */
  uncork?(): void;
  /** Closes gracefully (a close frame, then the socket). */
  close(code?: number, reason?: string): void;
  /** Drops the connection at once. */
  terminate(): void;
}

/** What the server wants to hear about a connection it accepted. */
export interface ConnectionHandlers {
  /** A frame arrived from the client (not yet trusted: the server decodes it). */
  message(data: unknown): void;
  /** The connection is gone (closed by either side or dropped). Safe to call twice. */
  closed(): void;
}

/** What the server gives a transport when it creates it. */
export interface TransportContext {
  /** The socket path (`/ws` by default); a transport takes only upgrades on it. */
  readonly path: string;
  /** The largest frame a client may send, in bytes. */
  readonly maxPayload: number;
  /**
   * Registers a new connection: runs the Host/Origin checks (a refused one is
   * sent the `error` frame and closed), adds it to `clients` and emits
   * `connection`. Call it once per connection, as soon as it is open.
   */
  accept(connection: TransportConnection, request: ConnectionRequest): ConnectionHandlers;
  /**
   * With `rejectBeforeUpgrade`, answers 403 and destroys the socket when the
   * request's Host/Origin is refused, and returns true. Otherwise returns false
   * and the check happens in `accept`, after the upgrade (webpack-dev-server's way).
   */
  refuseUpgrade(req: IncomingMessage, socket: Duplex): boolean;
  /** `refuseUpgrade` for transports that also speak plain HTTP (sockjs polling). */
  refuseRequest(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * A socket transport: ws, sockjs, or your own. The server routes every
 * `upgrade` (and, for HTTP-based transports, every request) through it; the
 * transport takes what belongs to it and reports connections with
 * `context.accept`.
 */
export interface SocketTransport {
  /** A short name, reported on each client (`client.transport`). */
  readonly name: string;
  /**
   * Handles an HTTP upgrade if it belongs to this transport and returns true;
   * returns false (touching nothing) so other handlers can take it.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Handles a plain HTTP request if it belongs to this transport (sockjs `/info`, polling). */
  handleRequest?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Stops timers and releases everything; connections are closed by the server first. */
  close(): Promise<void>;
}

/** Creates a transport for a server. Pass one as `transport` to plug in your own. */
export type SocketTransportFactory = (context: TransportContext) => SocketTransport;

/** The pathname of a request URL (no query), as ws compares it. */
export function getPathname(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
