import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type {
  ConnectionRequest,
  SocketTransportFactory,
  TransportConnection,
} from '@hmrkit/socket-server';
import { DevServerError } from './errors';
import type { WebSocketServerClass } from './options';

/** A connection as webpack-dev-server 5's custom servers report it (a `ws` or sockjs one). */
interface CustomClient {
  readonly readyState?: number;
  readonly bufferedAmount?: number;
  readonly headers?: IncomingHttpHeaders;
  readonly url?: string;
  readonly remoteAddress?: string;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  terminate?(): void;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** What a custom server class sets up, per webpack-dev-server's BaseServer. */
interface CustomServerInstance {
  implementation?: {
    on(
      event: 'connection',
      listener: (client: CustomClient, request?: IncomingMessage) => void,
    ): unknown;
    close?(callback?: () => void): unknown;
  };
  clients?: CustomClient[];
}

/**
 * A socket-server transport around a custom `webSocketServer` class written
 * for webpack-dev-server 5: `new Impl(devServer)` attaches itself to
 * `devServer.server` and emits `connection(client, request)` on its
 * `implementation`; each connection then goes through our Host/Origin checks
 * (a refused one gets the error frame and is closed, as with ws), the
 * greeting and the broadcasts. `close()` closes the implementation and
 * terminates what is left in its `clients`.
 */
export function createCustomTransport(
  Implementation: WebSocketServerClass,
  devServer: unknown,
  logger: { warn(message: string): void },
): SocketTransportFactory {
  return (context) => {
    const instance = new Implementation(devServer as never) as CustomServerInstance;
    const implementation = instance.implementation;
    if (!implementation || typeof implementation.on !== 'function') {
      throw new DevServerError(
        'INVALID_OPTION',
        'Invalid options: devServer.webSocketServer: the custom server class must set this.implementation, an emitter of "connection" (webpack-dev-server 5\'s BaseServer contract).',
        { option: 'devServer.webSocketServer' },
      );
    }
    implementation.on('connection', (client, request) => {
      const headers = request?.headers ?? client.headers;
      if (!headers) {
        logger.warn('webSocketServer implementation must pass headers for the "connection" event');
      }
      const connection: TransportConnection = {
        get readyState() {
          return client.readyState ?? 1;
        },
        get bufferedAmount() {
          return client.bufferedAmount ?? 0;
        },
        send: (text) => client.send(text),
        close: (code, reason) => client.close(code, reason),
        terminate: () => (client.terminate ? client.terminate() : client.close()),
      };
      const connectionRequest: ConnectionRequest = {
        url: request?.url ?? client.url ?? '',
        // No headers: refused by the checks like a request without Host.
        headers: headers ?? {},
        remoteAddress: request?.socket.remoteAddress ?? client.remoteAddress,
      };
      const handlers = context.accept(connection, connectionRequest);
      client.on?.('close', () => handlers.closed());
    });
    return {
      name: Implementation.name || 'custom',
      // The implementation listens on devServer.server's `upgrade` itself.
      handleUpgrade: () => false,
      close: () =>
        new Promise<void>((resolve) => {
          const done = (): void => {
            for (const client of instance.clients ?? []) {
              client.terminate ? client.terminate() : client.close();
            }
            if (instance.clients) instance.clients = [];
            resolve();
          };
          if (typeof implementation.close === 'function') implementation.close(done);
          else done();
        }),
    };
  };
}
