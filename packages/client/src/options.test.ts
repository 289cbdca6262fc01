import { describe, expect, it } from 'vitest';
import { FakeTransport } from '../test/fakes';
import { normalizeTransportModule, resolveClientOptions } from './options';

describe('resolveClientOptions', () => {
  it('prefers the resource query', () => {
    const options = resolveClientOptions(
      '?protocol=ws%3A&hostname=0.0.0.0&port=8080&pathname=%2Fws&hot=true&live-reload=true&reconnect=Infinity',
      () => 'http://ignored/',
    );
    expect(options).toMatchObject({
      protocol: 'ws:',
      hostname: '0.0.0.0',
      port: '8080',
      pathname: '/ws',
      hot: true,
      liveReload: true,
      reconnect: Number.POSITIVE_INFINITY,
    });
  });

  it('falls back to the current script URL, resolved against the page', () => {
    expect(resolveClientOptions('', () => '/main.js', 'https://dev.test:9000/app/')).toEqual({
      fromCurrentScript: true,
      protocol: 'https:',
      hostname: 'dev.test',
      port: '9000',
    });
    expect(resolveClientOptions('', () => '')).toEqual({});
  });
});

describe('normalizeTransportModule', () => {
  it('takes our createTransport export', () => {
    const factory = (url: string) => new FakeTransport(url);
    expect(normalizeTransportModule({ createTransport: factory })).toBe(factory);
    expect(normalizeTransportModule({ default: { createTransport: factory } })).toBe(factory);
  });

  it('adapts a webpack-dev-server style client class (default export)', () => {
    class LegacyClient {
      url: string;
      opened = false;
      constructor(url: string) {
        this.url = url;
      }
      onOpen(fn: () => void) {
        this.opened = true;
        fn();
      }
      onClose() {}
      onMessage() {}
    }
    const transport = normalizeTransportModule({ default: LegacyClient })('ws://x/ws');
    let opened = false;
    transport.onOpen(() => {
      opened = true;
    });
    expect(opened).toBe(true);
    expect(() => transport.close()).not.toThrow();
  });

  it('refuses a module with neither', () => {
    expect(() => normalizeTransportModule({})).toThrow(/createTransport/);
  });
});
