import type { CompileProblem } from '@hmrkit/protocol';
import { type Mock, vi } from 'vitest';
import type { ClientWindow } from '../src/client';
import type { Overlay, OverlayState } from '../src/overlay';
import type { Transport, TransportFactory } from '../src/types';

/** A transport a test drives by hand: open, deliver frames, close. */
export class FakeTransport implements Transport {
  readonly url: string;
  closedByClient = false;
  /** Frames the client sent (client → server). */
  readonly sent: string[] = [];
  #open: (() => void)[] = [];
  #close: (() => void)[] = [];
  #message: ((data: unknown) => void)[] = [];

  constructor(url: string) {
    this.url = url;
  }
  onOpen(listener: () => void): void {
    this.#open.push(listener);
  }
  onClose(listener: () => void): void {
    this.#close.push(listener);
  }
  onMessage(listener: (data: unknown) => void): void {
    this.#message.push(listener);
  }
  close(): void {
    this.closedByClient = true;
  }
  open(): void {
    for (const listener of this.#open) listener();
  }
  drop(): void {
    for (const listener of this.#close) listener();
  }
  send(text: string): void {
    this.sent.push(text);
  }
  /** Delivers frames to the client (server → client). */
  deliver(...frames: unknown[]): void {
    for (const frame of frames) {
      const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
      for (const listener of this.#message) listener(text);
    }
  }
}

export function createFakeTransports(): { factory: TransportFactory; all: FakeTransport[] } {
  const all: FakeTransport[] = [];
  return {
    all,
    factory: (url) => {
      const transport = new FakeTransport(url);
      all.push(transport);
      return transport;
    },
  };
}

export interface FakeWindow extends ClientWindow {
  posted: unknown[];
  listeners: Map<string, (event: never) => void>;
  location: ClientWindow['location'] & { reload: Mock<() => void> };
}

export function createFakeWindow(search = ''): FakeWindow {
  const posted: unknown[] = [];
  const listeners = new Map<string, (event: never) => void>();
  return {
    posted,
    listeners,
    location: {
      protocol: 'http:',
      hostname: 'app.test',
      port: '8080',
      search,
      reload: vi.fn<() => void>(),
    },
    postMessage: (message) => posted.push(message),
    addEventListener: (type, listener) => listeners.set(type, listener),
    removeEventListener: (type) => listeners.delete(type),
  };
}

/** An overlay that records what it was asked to show. */
export class FakeOverlay implements Overlay {
  state: OverlayState = 'hidden';
  shown: { errors: readonly CompileProblem[]; warnings: readonly CompileProblem[] }[] = [];
  runtime: unknown[] = [];
  showBuildProblems(errors: readonly CompileProblem[], warnings: readonly CompileProblem[]): void {
    this.shown.push({ errors, warnings });
    this.state = errors.length || warnings.length ? 'build' : 'hidden';
  }
  showRuntimeError(error: unknown): void {
    if (this.state === 'build') return;
    this.state = 'runtime';
    this.runtime.push(error);
  }
  hide(): void {
    this.state = 'hidden';
  }
  destroy(): void {
    this.hide();
  }
}

export function createConsoleSpy(): {
  lines: string[];
  error: (...a: unknown[]) => void;
  warn: (...a: unknown[]) => void;
  info: (...a: unknown[]) => void;
  log: (...a: unknown[]) => void;
  debug: (...a: unknown[]) => void;
} {
  const lines: string[] = [];
  const rec =
    (kind: string) =>
    (...args: unknown[]): void => {
      lines.push(`${kind} ${args.map(String).join(' ')}`);
    };
  return {
    lines,
    error: rec('error'),
    warn: rec('warn'),
    info: rec('info'),
    log: rec('log'),
    debug: rec('debug'),
  };
}
