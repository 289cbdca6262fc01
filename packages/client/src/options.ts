import { type ParsedClientOptions, parseClientQuery, parseClientScriptUrl } from '@hmrkit/protocol';
import type { Transport, TransportFactory } from './types';

/** The `src` of the script running this code (a client added by hand with a plain `<script>`). */
export function getCurrentScriptSource(doc: Document | undefined = globalThis.document): string {
  if (!doc) return '';
  const current = doc.currentScript?.getAttribute('src');
  if (current) return current;
  // After the synchronous part of a script, currentScript is null: the last
  // script with a src is the best remaining guess.
  const scripts = Array.from(doc.scripts ?? []).filter((script) => script.getAttribute('src'));
  return scripts.at(-1)?.getAttribute('src') ?? '';
}

/**
 * The client's options: from the entry's resource query when it has one
 * (the dev-server writes it), else from the URL of the script that loaded us.
 */
export function resolveClientOptions(
  resourceQuery: string,
  scriptSource: () => string,
  baseUrl?: string,
): ParsedClientOptions {
  if (resourceQuery && resourceQuery !== '?') return parseClientQuery(resourceQuery);
  const src = scriptSource();
  if (!src) return {};
  let absolute = src;
  try {
    absolute = new URL(src, baseUrl).href;
  } catch {
    // keep as is; parseClientScriptUrl copes with what it cannot parse
  }
  return parseClientScriptUrl(absolute);
}

interface LegacyTransport {
  onOpen(listener: () => void): void;
  onClose(listener: () => void): void;
  onMessage(listener: (data: unknown) => void): void;
  close?(): void;
  client?: { close?(): void };
}

/**
 * What the `@hmrkit/client/transport` module exports, as a factory: our
 * `createTransport(url)`, or a webpack-dev-server style custom client — a
 * class (default export) with `onOpen`, `onClose` and `onMessage`.
 */
export function normalizeTransportModule(module: unknown): TransportFactory {
  const record = (module ?? {}) as { createTransport?: unknown; default?: unknown };
  if (typeof record.createTransport === 'function')
    return record.createTransport as TransportFactory;
  const nested = record.default as { createTransport?: unknown; default?: unknown } | undefined;
  if (nested && typeof nested.createTransport === 'function') {
    return nested.createTransport as TransportFactory;
  }
  const Legacy = (typeof nested === 'function' ? nested : (nested?.default ?? module)) as unknown;
  if (typeof Legacy !== 'function') {
    throw new TypeError(
      '[hmrkit] The transport module exports neither createTransport(url) nor a client class.',
    );
  }
  const Client = Legacy as new (url: string) => LegacyTransport;
  return (url): Transport => {
    const client = new Client(url);
    return {
      onOpen: (listener) => client.onOpen(listener),
      onClose: (listener) => client.onClose(listener),
      onMessage: (listener) => client.onMessage(listener),
      close: () => (client.close ? client.close() : client.client?.close?.()),
    };
  };
}
