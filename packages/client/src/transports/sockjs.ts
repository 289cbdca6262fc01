// The SockJS transport, for servers started with `webSocketServer: 'sockjs'`.
// Only this module imports sockjs-client (an optional peer dependency); select
// it by aliasing `@hmrkit/client/transport` to `@hmrkit/client/transports/sockjs`.
import SockJS from 'sockjs-client';
import type { Transport, TransportFactory } from '../types';

/** SockJS speaks http(s): the socket URL's `ws:`/`wss:` scheme is swapped. */
function toSockJsUrl(url: string): string {
  return url.replace(/^ws(s?):/i, 'http$1:');
}

function createSockJsTransport(url: string): Transport {
  const socket = new SockJS(toSockJsUrl(url));
  let closed = false;
  const closeListeners: (() => void)[] = [];
  socket.onclose = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  };
  return {
    onOpen: (listener) => {
      socket.onopen = () => listener();
    },
    onClose: (listener) => {
      closeListeners.push(listener);
    },
    onMessage: (listener) => {
      socket.onmessage = (event: { data: unknown }) => listener(event.data);
    },
    send: (text) => {
      if (socket.readyState === 1) socket.send(text);
    },
    close: () => socket.close(),
  };
}

export const createTransport: TransportFactory = createSockJsTransport;
