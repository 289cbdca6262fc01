import { collectServerFrames, loadFixture } from '@hmrkit/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PUSH_FRAME_BYTES } from './constants';
import { createHotUpdateMessage, createPushRequestMessage, serializeMessage } from './messages';
import { decodeFrame, parsePushRequest, parseServerMessage } from './parse';

interface PushFixture {
  clientRequest: string;
  prevHash: string;
  newHash: string;
  wdsSequence: string[];
  pushSequence: { text: string }[];
}

const fixture = loadFixture<PushFixture>('hmrkit-push');

describe('the hot-update frame (hmrkit-push.json)', () => {
  it('parses the recorded build as a push sequence and re-serializes it byte for byte', () => {
    const frames = collectServerFrames(fixture.pushSequence);
    expect(frames.map((frame) => JSON.parse(frame).type)).toEqual([
      'invalid',
      'hash',
      'hot-update',
      'ok',
    ]);
    for (const frame of frames) {
      const parsed = parseServerMessage(frame);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(serializeMessage(parsed.message)).toBe(frame);
    }
  });

  it('carries the manifest and the chunk named after the previous hash', () => {
    const parsed = parseServerMessage(fixture.pushSequence[2]?.text);
    if (!parsed.ok || parsed.message.type !== 'hot-update') throw new Error('not a hot-update');
    const { hash, files } = parsed.message.data;
    expect(hash).toBe(fixture.newHash);
    expect(files.map((file) => file.name)).toEqual([
      `main.${fixture.prevHash}.hot-update.json`,
      `main.${fixture.prevHash}.hot-update.js`,
    ]);
    expect(JSON.parse(files[0]?.content ?? '')).toMatchObject({ c: ['main'] });
    expect(files[1]?.content).toContain('self["webpackHotUpdatefixture_app_n3"]("main"');
  });

  it('leaves the webpack-dev-server sequence without it', () => {
    expect(fixture.wdsSequence.map((frame) => JSON.parse(frame).type)).toEqual([
      'invalid',
      'hash',
      'ok',
    ]);
  });

  it('serializes as {type, data} like every other frame', () => {
    const message = createHotUpdateMessage({ hash: 'h1', files: [{ name: 'a.js', content: 'x' }] });
    expect(serializeMessage(message)).toBe(
      '{"type":"hot-update","data":{"hash":"h1","files":[{"name":"a.js","content":"x"}]}}',
    );
  });

  it.each([
    '{"type":"hot-update"}',
    '{"type":"hot-update","data":{"files":[]}}',
    '{"type":"hot-update","data":{"hash":"h","files":{}}}',
    '{"type":"hot-update","data":{"hash":"h","files":[{"name":"a.js"}]}}',
    '{"type":"hot-update","data":{"hash":"h","files":[{"name":"","content":"x"}]}}',
    '{"type":"hot-update","data":{"hash":"h","files":[{"name":"/abs.js","content":"x"}]}}',
    '{"type":"hot-update","data":{"hash":"h","files":[{"name":7,"content":"x"}]}}',
    '{"type":"hot-update","data":{"hash":"h","files":[null]}}',
  ])('refuses a malformed push: %s', (frame) => {
    const result = parseServerMessage(frame);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-data' });
  });

  it('never throws on arbitrary hot-update data', () => {
    fc.assert(
      fc.property(fc.anything(), (data) => {
        let text: string;
        try {
          text = JSON.stringify({ type: 'hot-update', data });
        } catch {
          return;
        }
        const result = parseServerMessage(text);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });

  it('is refused over the size the client accepts', () => {
    const big = serializeMessage(
      createHotUpdateMessage({ hash: 'h', files: [{ name: 'a.js', content: 'x'.repeat(2048) }] }),
    );
    expect(parseServerMessage(big, { maxBytes: 1024 })).toMatchObject({ reason: 'too-large' });
    expect(parseServerMessage(big, { maxBytes: DEFAULT_MAX_PUSH_FRAME_BYTES }).ok).toBe(true);
  });
});

describe('parsePushRequest (the client → server hmrkit-push frame)', () => {
  it('reads the recorded request', () => {
    const decoded = decodeFrame(fixture.clientRequest);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(parsePushRequest(decoded.message)).toEqual(
      createPushRequestMessage(DEFAULT_MAX_PUSH_FRAME_BYTES),
    );
    expect(serializeMessage(createPushRequestMessage(DEFAULT_MAX_PUSH_FRAME_BYTES))).toBe(
      fixture.clientRequest,
    );
  });

  it.each([
    { type: 'hmrkit-push' },
    { type: 'hmrkit-push', data: 5 },
    { type: 'hmrkit-push', data: {} },
    { type: 'hmrkit-push', data: { maxBytes: 0 } },
    { type: 'hmrkit-push', data: { maxBytes: -1 } },
    { type: 'hmrkit-push', data: { maxBytes: 1.5 } },
    { type: 'hmrkit-push', data: { maxBytes: '100' } },
    { type: 'hmrkit-push', data: { maxBytes: Number.POSITIVE_INFINITY } },
    { type: 'other', data: { maxBytes: 100 } },
  ])('ignores %j', (envelope) => {
    expect(parsePushRequest(envelope)).toBeUndefined();
  });

  it('never throws on arbitrary envelopes', () => {
    fc.assert(
      fc.property(fc.anything(), (data) => {
        expect(() => parsePushRequest({ type: 'hmrkit-push', data })).not.toThrow();
      }),
    );
  });
});
