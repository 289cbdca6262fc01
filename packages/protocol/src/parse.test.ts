import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, parseServerMessage } from './parse';

describe('parseServerMessage', () => {
  it('accepts text, Buffer, Uint8Array and ArrayBuffer frames', () => {
    const text = '{"type":"hash","data":"abc"}';
    const expected = { ok: true, message: { type: 'hash', data: 'abc' } };
    expect(parseServerMessage(text)).toEqual(expected);
    expect(parseServerMessage(Buffer.from(text))).toEqual(expected);
    expect(parseServerMessage(new TextEncoder().encode(text))).toEqual(expected);
    expect(parseServerMessage(new TextEncoder().encode(text).buffer)).toEqual(expected);
  });

  it.each([
    ['not-json', 'hello'],
    ['not-json', '{"type":'],
    ['not-object', '[1,2]'],
    ['not-object', 'null'],
    ['not-object', '"ok"'],
    ['not-object', '{"data":1}'],
    ['not-object', '{"type":7}'],
    ['unknown-type', '{"type":"custom-thing"}'],
    ['invalid-data', '{"type":"hash","data":1}'],
    ['invalid-data', '{"type":"hash"}'],
    ['invalid-data', '{"type":"errors","data":"boom"}'],
    ['invalid-data', '{"type":"errors","data":[{"message":1}]}'],
    ['invalid-data', '{"type":"warnings","data":[],"params":"x"}'],
    ['invalid-data', '{"type":"progress","data":"spiral"}'],
    ['invalid-data', '{"type":"reconnect","data":-1}'],
    ['invalid-data', '{"type":"overlay","data":{"errors":3}}'],
    ['invalid-data', '{"type":"progress-update","data":{"percent":"5","msg":"x"}}'],
    ['invalid-data', '{"type":"logging","data":"loud"}'],
    ['invalid-data', '{"type":"error","data":null}'],
    ['invalid-data', '{"type":"static-changed","data":{}}'],
  ] as const)('refuses %s: %s', (reason, frame) => {
    const result = parseServerMessage(frame);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message).toEqual(expect.any(String));
    }
  });

  it('refuses non-text input and invalid UTF-8', () => {
    expect(parseServerMessage(42)).toMatchObject({ ok: false, reason: 'not-text' });
    expect(parseServerMessage(null)).toMatchObject({ ok: false, reason: 'not-text' });
    expect(parseServerMessage(new Uint8Array([0x7b, 0xff, 0xfe]))).toMatchObject({
      ok: false,
      reason: 'not-text',
    });
  });

  it('refuses frames over the size limit, 1 MiB by default and configurable', () => {
    const big = JSON.stringify({ type: 'hash', data: 'x'.repeat(1024 * 1024) });
    expect(parseServerMessage(big)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(parseServerMessage(Buffer.from(big))).toMatchObject({ ok: false, reason: 'too-large' });
    expect(parseServerMessage(big, { maxBytes: 2 * 1024 * 1024 }).ok).toBe(true);
    const small = '{"type":"hash","data":"abcdef"}';
    expect(parseServerMessage(small, { maxBytes: 10 })).toMatchObject({ reason: 'too-large' });
    // multi-byte text is measured in UTF-8 bytes, not UTF-16 units
    const wide = JSON.stringify({ type: 'hash', data: '€'.repeat(400) });
    expect(parseServerMessage(wide, { maxBytes: 1000 })).toMatchObject({ reason: 'too-large' });
  });

  it('tolerates unknown extra fields and keeps them', () => {
    const result = parseServerMessage('{"type":"ok","extra":1,"data":null}');
    expect(result).toEqual({ ok: true, message: { type: 'ok', extra: 1, data: null } });
  });

  it('never throws on random, truncated, nested or oversized input (property test)', () => {
    const valid = [
      '{"type":"hot"}',
      '{"type":"errors","data":[{"message":"x","loc":"1:1"}]}',
      '{"type":"progress-update","data":{"percent":3,"msg":"setup"}}',
      '{"type":"warnings","data":[],"params":{"preventReloading":true}}',
    ];
    const truncated = fc
      .tuple(fc.constantFrom(...valid), fc.nat())
      .map(([frame, n]) => frame.slice(0, n % (frame.length + 1)));
    const nested = fc
      .tuple(
        fc.integer({ min: 1, max: 200_000 }),
        fc.constantFrom('[', '{"a":', '{"type":"hot","data":['),
      )
      .map(([depth, open]) => open.repeat(depth));
    const anyJson = fc.json({ depthSize: 'medium' });
    const typed = fc
      .record({
        type: fc.constantFrom(
          'hot',
          'hash',
          'errors',
          'warnings',
          'overlay',
          'progress-update',
          'x',
        ),
        data: fc.jsonValue(),
        params: fc.option(fc.jsonValue()),
      })
      .map((frame) => JSON.stringify(frame));
    const bytes = fc.uint8Array({ maxLength: 512 });
    const input = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      truncated,
      nested,
      anyJson,
      typed,
      bytes,
      fc.anything(),
    );
    fc.assert(
      fc.property(input, (raw) => {
        const result = parseServerMessage(raw, { maxBytes: 64 * 1024 });
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('survives pathological nesting at the size limit', () => {
    const deep = '['.repeat(1024 * 1024 - 1);
    expect(parseServerMessage(deep).ok).toBe(false);
    const deepObject = `{"type":"errors","data":${'['.repeat(500_000)}${']'.repeat(500_000)}}`;
    expect(parseServerMessage(deepObject).ok).toBe(false);
  });
});

describe('decodeFrame', () => {
  it('returns the envelope of any typed object without judging the type', () => {
    expect(decodeFrame('{"type":"anything","data":[1]}')).toEqual({
      ok: true,
      message: { type: 'anything', data: [1] },
    });
    expect(decodeFrame('nope').ok).toBe(false);
  });
});
