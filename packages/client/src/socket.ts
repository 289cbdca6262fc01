import type { Logger } from './logger';
import type { Transport, TransportFactory } from './types';

export interface ReconnectingSocketOptions {
  url: string;
  transport: TransportFactory;
  logger: Logger;
  /** Reconnection attempts after a disconnect; `Infinity` = forever, 0 = never. */
  maxAttempts: number;
  /** The connection opened; `send` writes a frame on it. */
  onOpen?: (send: (text: string) => void) => void;
  /** The first close of a connection that was open (or never opened): "Disconnected!". */
  onDisconnect?: () => void;
  onMessage: (data: unknown) => void;
  /** First retry delay; doubles per attempt. @default 1000 */
  baseDelayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
  /** @default Math.random */
  random?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface ReconnectingSocket {
  /** The `reconnect` frame changes the limit for the next disconnect. */
  setMaxAttempts(attempts: number): void;
  /** Closes for good: no more reconnects. */
  close(): void;
}

/**
 * Delay before reconnection attempt `attempt` (0-based): exponential, capped,
 * plus up to 25% random jitter so many tabs do not hit a restarted server at once.
 */
export function reconnectDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Math.round(exponential + random() * exponential * 0.25);
}

/**
 * Keeps a transport connected: on close, retries with backoff up to
 * `maxAttempts` times. Logs one "Trying to reconnect..." per outage (attempt
 * details only at verbose), and one line when it gives up.
 */
export function createReconnectingSocket(options: ReconnectingSocketOptions): ReconnectingSocket {
  const { logger } = options;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const schedule = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const cancel =
    options.clearTimeout ??
    ((handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>));
  let maxAttempts = options.maxAttempts;
  let attempts = 0;
  let timer: unknown;
  let current: Transport | undefined;
  let stopped = false;

  const connect = (): void => {
    timer = undefined;
    const transport = options.transport(options.url);
    current = transport;
    transport.onOpen(() => {
      if (attempts > 0) logger.info('Reconnected.');
      attempts = 0;
      options.onOpen?.((text) => {
        if (current === transport) transport.send?.(text);
      });
    });
    transport.onMessage((data) => {
      if (current === transport) options.onMessage(data);
    });
    transport.onClose(() => {
      if (stopped || current !== transport) return;
      if (attempts === 0) options.onDisconnect?.();
      if (attempts >= maxAttempts) {
        if (maxAttempts > 0) {
          logger.warn(`Gave up reconnecting after ${attempts} attempts. Reload the page to retry.`);
        }
        return;
      }
      const delay = reconnectDelay(attempts, baseDelayMs, maxDelayMs, random);
      if (attempts === 0) logger.info('Trying to reconnect...');
      else logger.debug(`Reconnect attempt ${attempts} failed; next in ${delay} ms.`);
      attempts += 1;
      timer = schedule(connect, delay);
    });
  };

  connect();
  return {
    setMaxAttempts(value) {
      maxAttempts = value;
    },
    close() {
      stopped = true;
      if (timer !== undefined) cancel(timer);
      current?.close();
    },
  };
}
