import { describe, expect, it } from 'vitest';
import { createConsoleSpy, createFakeTransports } from '../test/fakes';
import { createLogger } from './logger';
import { createReconnectingSocket, reconnectDelay } from './socket';

function setup(maxAttempts: number, level: 'info' | 'verbose' = 'info') {
  const transports = createFakeTransports();
  const out = createConsoleSpy();
  const timers: { fn: () => void; ms: number }[] = [];
  const socket = createReconnectingSocket({
    url: 'ws://localhost:8080/ws',
    transport: transports.factory,
    logger: createLogger(level, out),
    maxAttempts,
    onMessage: () => {},
    random: () => 0.5,
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
    clearTimeout: () => {},
  });
  const fire = (): void => timers.shift()?.fn();
  return { socket, transports, out, timers, fire };
}

describe('reconnectDelay', () => {
  it('doubles, caps and adds up to 25% jitter', () => {
    expect(reconnectDelay(0, 1000, 30_000, () => 0)).toBe(1000);
    expect(reconnectDelay(3, 1000, 30_000, () => 0)).toBe(8000);
    expect(reconnectDelay(10, 1000, 30_000, () => 0)).toBe(30_000);
    expect(reconnectDelay(1, 1000, 30_000, () => 0.999)).toBe(2500);
  });
});

describe('createReconnectingSocket', () => {
  it('stops after maxAttempts and says so once', () => {
    const { transports, out, timers, fire } = setup(3);
    transports.all[0]!.drop();
    for (let i = 0; i < 3; i++) {
      fire();
      transports.all.at(-1)!.drop();
    }
    expect(transports.all).toHaveLength(4);
    expect(timers).toHaveLength(0);
    expect(out.lines).toEqual([
      'info [hmrkit] Trying to reconnect...',
      'warn [hmrkit] Gave up reconnecting after 3 attempts. Reload the page to retry.',
    ]);
  });

  it('never reconnects with 0 (reconnect: false)', () => {
    const { transports, timers, out } = setup(0);
    transports.all[0]!.drop();
    expect(timers).toHaveLength(0);
    expect(out.lines).toEqual([]);
  });

  it('keeps trying forever with Infinity, detail only at verbose', () => {
    const { transports, timers, fire, out } = setup(Number.POSITIVE_INFINITY, 'verbose');
    transports.all[0]!.drop();
    for (let i = 0; i < 20; i++) {
      fire();
      transports.all.at(-1)!.drop();
    }
    expect(timers).toHaveLength(1);
    expect(timers[0]!.ms).toBe(33_750); // capped at 30 s, plus 0.5 × 25% jitter
    expect(out.lines.filter((l) => l.startsWith('info'))).toEqual([
      'info [hmrkit] Trying to reconnect...',
    ]);
    expect(out.lines.filter((l) => l.startsWith('debug'))).toHaveLength(20);
  });

  it('resets the attempt count after a successful reconnect', () => {
    const { transports, timers, fire, out } = setup(1);
    transports.all[0]!.drop();
    fire();
    transports.all[1]!.open();
    expect(out.lines).toContain('info [hmrkit] Reconnected.');
    transports.all[1]!.drop();
    expect(timers).toHaveLength(1);
  });

  it('applies a new limit from the reconnect frame', () => {
    const { socket, transports, timers } = setup(10);
    socket.setMaxAttempts(0);
    transports.all[0]!.drop();
    expect(timers).toHaveLength(0);
  });
});
