import { describe, expect, it } from 'vitest';
import {
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
