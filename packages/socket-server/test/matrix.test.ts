import { INVALID_HOST_ORIGIN_MESSAGE } from '@hmrkit/protocol';
import { loadFixture } from '@hmrkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocketServerOptions } from '../src/index';
import {
  closeClient,
  connect,
  type Harness,
  sockjsMessages,
  sockjsSessionPath,
  startHarness,
} from './helpers';

interface RecordedAttempt {
  server: 'default' | 'allowedHosts';
  name: string;
  request: { Host: string; Origin?: string };
  outcome: string;
}

interface Case {
  server: string;
  name: string;
  host: string;
  origin: string | undefined;
  accepted: boolean;
}

const PORT = /PORT/g;
const ERROR_FRAME = JSON.stringify({ type: 'error', data: INVALID_HOST_ORIGIN_MESSAGE });

const recorded = loadFixture<{ attempts: RecordedAttempt[] }>('wds5-rejected').attempts;

/** The 28 attempts recorded against webpack-dev-server 5.2.7, outcome as recorded. */
const fixtureCases: Case[] = recorded.map((attempt) => ({
  server: attempt.server,
  name: `wds5 ${attempt.server}/${attempt.name}`,
  host: attempt.request.Host,
  origin: attempt.request.Origin,
  accepted: attempt.outcome.startsWith('accepted'),
}));

/** Our own cases, from the rules in reference section 3. */
const ownCases: Case[] = [
  {
    server: 'default',
    name: 'same IP origin, other scheme',
    host: '127.0.0.1:PORT',
    origin: 'https://127.0.0.1:PORT',
    accepted: true,
  },
  {
    server: 'default',
    name: 'LAN IP page on its own IP',
    host: '192.168.1.5:PORT',
    origin: 'http://192.168.1.5:PORT',
    accepted: true,
  },
  {
    server: 'default',
    name: 'IPv6 host, IPv4 origin',
    host: '[::1]:PORT',
    origin: 'http://127.0.0.1:PORT',
    accepted: false,
  },
  {
    server: 'default',
    name: 'upper-case origin',
    host: 'localhost:PORT',
    origin: 'HTTP://LOCALHOST:PORT',
    accepted: true,
  },
  {
    server: 'default',
    name: 'origin with user info',
    host: '127.0.0.1:PORT',
    origin: 'http://evil.test@127.0.0.1:PORT',
    accepted: false,
  },
  {
    server: 'default',
    name: 'localhost origin on *.localhost host',
    host: 'app.localhost:PORT',
    origin: 'http://localhost:PORT',
    accepted: false,
  },
  {
    server: 'default',
    name: 'opaque data: origin',
    host: '127.0.0.1:PORT',
    origin: 'data:text/html,hi',
    accepted: false,
  },
  {
    server: 'default',
    name: 'host with backslash',
    host: '127.0.0.1:PORT\\evil',
    origin: 'http://127.0.0.1:PORT',
    accepted: false,
  },
  {
    server: 'all',
    name: 'allowedHosts all, foreign origin',
    host: 'evil.test:PORT',
    origin: 'http://evil.test',
    accepted: true,
  },
  {
    server: 'all',
    name: 'allowedHosts all, no origin',
    host: 'evil.test:PORT',
    origin: undefined,
    accepted: true,
  },
  {
    server: 'configured',
    name: 'configured host',
    host: 'dev.internal:PORT',
    origin: 'http://dev.internal:PORT',
    accepted: true,
  },
  {
    server: 'configured',
    name: 'webSocketURL hostname',
    host: 'proxy.test',
    origin: 'http://proxy.test',
    accepted: true,
  },
  {
    server: 'configured',
    name: 'exact entry does not allow subdomains',
    host: 'sub.exact.test:PORT',
    origin: 'http://sub.exact.test:PORT',
    accepted: false,
  },
  {
    server: 'configured',
    name: 'exact entry',
    host: 'exact.test:PORT',
    origin: 'http://exact.test:PORT',
    accepted: true,
  },
  {
    server: 'configured',
    name: 'foreign page on an allowed host',
    host: 'exact.test:PORT',
    origin: 'http://evil.test:PORT',
    accepted: false,
  },
];

const cases = [...fixtureCases, ...ownCases];

const serverOptions: Record<string, SocketServerOptions> = {
  default: {},
  allowedHosts: { allowedHosts: ['.example.test'] },
  all: { allowedHosts: 'all' },
  configured: {
    host: 'dev.internal',
    webSocketHostname: 'proxy.test',
    allowedHosts: ['exact.test'],
  },
};

it('covers at least 30 cases, including all 28 recorded ones', () => {
  expect(fixtureCases).toHaveLength(28);
  expect(cases.length).toBeGreaterThanOrEqual(30);
  expect(cases.some((c) => c.accepted)).toBe(true);
  expect(cases.some((c) => !c.accepted)).toBe(true);
});

describe.each(['ws', 'sockjs'] as const)('Host/Origin matrix over %s', (transport) => {
  const harnesses = new Map<string, Harness>();

  beforeAll(async () => {
    for (const [name, options] of Object.entries(serverOptions)) {
      harnesses.set(name, await startHarness({ ...options, transport }));
    }
  });
  afterAll(async () => {
    await Promise.all([...harnesses.values()].map((h) => h.close()));
  });

  it.each(cases)('$name → accepted: $accepted', async (testCase) => {
    const harness = harnesses.get(testCase.server)!;
    const port = String(harness.port);
    const rejected: string[] = [];
    const onRejected = (): void => {
      rejected.push(testCase.name);
    };
    harness.sockets.on('rejected', onRejected);
    const client = connect(harness.port, {
      host: testCase.host.replace(PORT, port),
      ...(testCase.origin === undefined ? {} : { origin: testCase.origin.replace(PORT, port) }),
      ...(transport === 'sockjs' ? { path: sockjsSessionPath() } : {}),
    });
    try {
      // Like webpack-dev-server, both outcomes complete the upgrade.
      await client.opened;
      if (transport === 'ws') {
        if (testCase.accepted) {
          expect(await client.next()).toBe('{"type":"hot"}');
          await client.next((f) => f === '{"type":"ok"}');
          expect(client.frames).not.toContain(ERROR_FRAME);
        } else {
          // The error frame, then a close frame without a status code (1005), by the server.
          const closed = await client.closed;
          expect(client.frames).toEqual([ERROR_FRAME]);
          expect(closed.code).toBe(1005);
        }
      } else if (testCase.accepted) {
        await client.next((f) => sockjsMessages(f).includes('{"type":"ok"}'));
        expect(client.frames[0]).toBe('o');
        expect(sockjsMessages(client.frames[1]!)).toEqual(['{"type":"hot"}']);
      } else {
        // As recorded in wds5-sockjs.json: o, a[error], c[1000,"Normal closure"].
        const closed = await client.closed;
        expect(client.frames).toEqual([
          'o',
          `a${JSON.stringify([ERROR_FRAME])}`,
          'c[1000,"Normal closure"]',
        ]);
        expect(closed.code).toBe(1000);
      }
      expect(rejected).toEqual(testCase.accepted ? [] : [testCase.name]);
    } finally {
      harness.sockets.off('rejected', onRejected);
      await closeClient(client);
    }
  });
});
