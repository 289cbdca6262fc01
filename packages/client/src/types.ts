/**
 * A connection to the dev server, as the client sees it: the shape of
 * webpack-dev-server's client transports (`onOpen`, `onClose`, `onMessage`)
 * plus `close`. `onClose` fires once, also when the connection never opened.
 */
export interface Transport {
  onOpen(listener: () => void): void;
  onClose(listener: () => void): void;
  /** Each frame as received (text, normally). */
  onMessage(listener: (data: unknown) => void): void;
  /**
   * Sends a text frame once open. Optional: a transport without it (a legacy
   * webpack-dev-server client class) just never asks for pushed updates.
   */
  send?(text: string): void;
  close(): void;
}

/** Opens a transport to a socket URL (`ws://host:port/ws`). */
export type TransportFactory = (url: string) => Transport;

/** The console methods the logger writes to. */
export interface ConsoleLike {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  log(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}
