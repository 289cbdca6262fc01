import type { Transport } from '../types';

export interface WebSocketTransportOptions {
  /** A WebSocket implementation (e.g. `ws` in Node tests). @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
}

/** The default transport: a native WebSocket. */
export function createWebSocketTransport(
  url: string,
  options: WebSocketTransportOptions = {},
): Transport {
  const Impl = options.WebSocket ?? globalThis.WebSocket;
  const socket = new Impl(url);
  let closed = false;
  const closeListeners: (() => void)[] = [];
  // A failed connection fires `error` then `close`; only `close` matters, once.
  socket.addEventListener('close', () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  });
  return {
    onOpen: (listener) => socket.addEventListener('open', () => listener()),
    onClose: (listener) => {
      closeListeners.push(listener);
    },
    onMessage: (listener) =>
      socket.addEventListener('message', (event: MessageEvent) => listener(event.data)),
    send: (text) => {
      if (socket.readyState === 1) socket.send(text);
    },
    close: () => socket.close(),
  };
}
