// Stands in for `webpack-dev-server/client/socket` in a bundle served by an
// hmrkit dev-server (which replaces that request with this module), so tools
// written for webpack-dev-server's client find the live socket where they look:
// @pmmmwh/react-refresh-webpack-plugin's default `sockIntegration: 'wds'` does
// `require('webpack-dev-server/client/socket').client.client.addEventListener('message', …)`.
//
// Unlike webpack-dev-server's `client`, ours exists before the first connection
// and follows reconnects: a listener hears every frame of every connection.
import { type HotEmitter, hotEmitter } from '@hmrkit/hot-emitter';
import { SOCKET_CLOSE_EVENT, SOCKET_MESSAGE_EVENT, SOCKET_OPEN_EVENT } from './socketEvents';

/** The event a listener receives: the shape of a WebSocket `MessageEvent` that such tools read. */
export interface SocketEvent {
  readonly type: 'message' | 'open' | 'close';
  /** The frame's text (only for `message`). */
  readonly data?: unknown;
}

export type SocketEventListener = (event: SocketEvent) => void;

/** The part of a WebSocket that webpack-dev-server's `WebSocketClient#client` is used for. */
export interface LiveSocket {
  addEventListener(type: string, listener: SocketEventListener): void;
  removeEventListener(type: string, listener: SocketEventListener): void;
}

const EVENTS = {
  message: SOCKET_MESSAGE_EVENT,
  open: SOCKET_OPEN_EVENT,
  close: SOCKET_CLOSE_EVENT,
} as const;

type SocketEventType = keyof typeof EVENTS;

const isSocketEventType = (type: string): type is SocketEventType =>
  type === 'message' || type === 'open' || type === 'close';

/** A socket-like object over the hot emitter's socket events. */
export function createLiveSocket(emitter: HotEmitter = hotEmitter): LiveSocket {
  const subscriptions = new Map<SocketEventListener, Map<SocketEventType, () => void>>();
  return {
    addEventListener(type, listener) {
      if (!isSocketEventType(type)) {
        throw new TypeError(
          `[hmrkit] The webpack-dev-server socket stand-in has no "${type}" event (only message, open and close).`,
        );
      }
      const byType = subscriptions.get(listener) ?? new Map<SocketEventType, () => void>();
      // As EventTarget: adding the same listener twice for a type is a no-op.
      if (byType.has(type)) return;
      const off =
        type === 'message'
          ? emitter.on(EVENTS.message, (data: unknown) => listener({ type, data }))
          : emitter.on(EVENTS[type], () => listener({ type }));
      byType.set(type, off);
      subscriptions.set(listener, byType);
    },
    removeEventListener(type, listener) {
      if (!isSocketEventType(type)) return;
      const byType = subscriptions.get(listener);
      byType?.get(type)?.();
      byType?.delete(type);
    },
  };
}

/**
 * webpack-dev-server's `client` export is its `WebSocketClient`, whose `client`
 * property is the WebSocket; this one's `client` is the live socket above.
 */
export const client: { readonly client: LiveSocket } = { client: createLiveSocket() };
