import { loadFixture } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import {
  createBuildMessages,
  createErrorMessage,
  createErrorsMessage,
  createHashMessage,
  createHotMessage,
  createHotUpdateMessage,
  createInvalidMessage,
  createLiveReloadMessage,
  createLoggingMessage,
  createOkMessage,
  createOverlayMessage,
  createProgressMessage,
  createProgressUpdateMessage,
  createReconnectMessage,
  createStaticChangedMessage,
  createStillOkMessage,
  createWarningsMessage,
  SERVER_MESSAGE_TYPES,
  type ServerMessage,
  serializeMessage,
} from './messages';
import { parseServerMessage } from './parse';

const problem = { moduleName: './src/a.js', loc: '2:3', message: 'Module parse failed' };

const every: ServerMessage[] = [
  createHotMessage(),
  createLiveReloadMessage(),
  createProgressMessage(true),
  createProgressMessage('circular'),
  createReconnectMessage(10),
  createOverlayMessage(true),
  createOverlayMessage({ errors: true, warnings: false, runtimeErrors: false }),
  createHashMessage('5924659ef03d10c70570'),
  createOkMessage(),
  createStillOkMessage(),
  createWarningsMessage([problem]),
  createWarningsMessage([problem], { preventReloading: true }),
  createErrorsMessage([problem]),
  createInvalidMessage(),
  createProgressUpdateMessage({ percent: 10, msg: 'building', pluginName: 'ProgressPlugin' }),
  createStaticChangedMessage('/app/public/index.html'),
  createStaticChangedMessage(),
  createErrorMessage('Invalid Host/Origin header'),
  createLoggingMessage('verbose'),
  createHotUpdateMessage({
    hash: 'abc',
    files: [{ name: 'main.x.hot-update.json', content: '{}' }],
  }),
];

describe('server messages', () => {
  it('has a constructor exercised for every message type', () => {
    expect(new Set(every.map((m) => m.type))).toEqual(new Set(SERVER_MESSAGE_TYPES));
  });

  it.each(every.map((m) => [m.type, m] as const))(
    '%s round-trips through a frame',
    (_, message) => {
      const frame = serializeMessage(message);
      const parsed = parseServerMessage(frame);
      expect(parsed).toEqual({ ok: true, message });
      if (parsed.ok) expect(serializeMessage(parsed.message)).toBe(frame);
    },
  );

  it('writes frames the way webpack-dev-server does', () => {
    expect(serializeMessage(createHotMessage())).toBe('{"type":"hot"}');
    expect(serializeMessage(createReconnectMessage(10))).toBe('{"type":"reconnect","data":10}');
    expect(serializeMessage(createWarningsMessage([problem], { preventReloading: true }))).toBe(
      '{"type":"warnings","data":[{"moduleName":"./src/a.js","loc":"2:3","message":"Module parse failed"}],"params":{"preventReloading":true}}',
    );
  });

  it('sends reconnect: Infinity as null and reads it back as Infinity', () => {
    const frame = serializeMessage(createReconnectMessage(Number.POSITIVE_INFINITY));
    expect(frame).toBe('{"type":"reconnect","data":null}');
    const parsed = parseServerMessage(frame);
    expect(parsed.ok && parsed.message.type === 'reconnect' && parsed.message.data).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('createBuildMessages', () => {
  const webpackError = {
    message: 'Module parse failed: Unexpected token (2:31)',
    moduleName: './src/a.js',
    loc: '2:31',
    compilation: { huge: true },
    chunkName: 'main',
  };
  const frames = (build: Parameters<typeof createBuildMessages>[0]): string[] =>
    createBuildMessages(build).map(serializeMessage);

  it('a clean build: hash, then ok', () => {
    expect(frames({ hash: 'abc', errors: [], warnings: [] })).toEqual([
      '{"type":"hash","data":"abc"}',
      '{"type":"ok"}',
    ]);
    // Absent lists (a stats JSON made without them) are a clean build too.
    expect(frames({ hash: 'abc' })).toEqual(['{"type":"hash","data":"abc"}', '{"type":"ok"}']);
  });

  it('warnings alone still apply (no params); errors alone; both: preventReloading, then errors', () => {
    const wire =
      '{"message":"Module parse failed: Unexpected token (2:31)","moduleName":"./src/a.js","loc":"2:31"}';
    expect(frames({ hash: 'h', warnings: [webpackError] })).toEqual([
      '{"type":"hash","data":"h"}',
      `{"type":"warnings","data":[${wire}]}`,
    ]);
    expect(frames({ hash: 'h', errors: [webpackError] })).toEqual([
      '{"type":"hash","data":"h"}',
      `{"type":"errors","data":[${wire}]}`,
    ]);
    expect(frames({ hash: 'h', errors: [webpackError], warnings: ['a string warning'] })).toEqual([
      '{"type":"hash","data":"h"}',
      '{"type":"warnings","data":[{"message":"a string warning"}],"params":{"preventReloading":true}}',
      `{"type":"errors","data":[${wire}]}`,
    ]);
  });

  /**
   * Each build of a recorded webpack-dev-server 5 session, read back from its
   * frames (hash, warnings, errors): the same frames, byte for byte.
   */
  it('matches every build frame sequence of wds5-problems.json', () => {
    interface Frame {
      kind: string;
      text?: string;
    }
    const { phases } = loadFixture<{ phases: { phase: string; frames: Frame[] }[] }>(
      'wds5-problems',
    );
    const results = new Set(['hash', 'ok', 'warnings', 'errors']);
    let checked = 0;
    for (const { frames: recorded } of phases) {
      const texts = recorded
        .filter((f) => f.kind === 'text' && f.text)
        .map((f) => f.text as string);
      const build = texts.filter((text) => results.has(JSON.parse(text).type));
      if (build.length === 0) continue; // invalid + still-ok, or the close
      const parsed = build.map((text) => JSON.parse(text) as { type: string; data?: unknown });
      const data = (type: string): unknown => parsed.find((m) => m.type === type)?.data;
      expect(
        frames({
          hash: data('hash') as string,
          errors: data('errors'),
          warnings: data('warnings'),
        }),
      ).toEqual(build);
      checked += 1;
    }
    expect(checked).toBe(9);
  });
});
