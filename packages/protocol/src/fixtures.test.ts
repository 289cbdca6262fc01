import { collectServerFrames, type FixtureName, loadFixture } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import { serializeMessage } from './messages';
import { parseServerMessage } from './parse';

const names: FixtureName[] = [
  'wds5-transcript',
  'wds5-problems',
  'wds5-progress-overlay',
  'wds5-rejected',
  'wds5-sockjs',
];

describe('recorded webpack-dev-server 5 transcripts', () => {
  it.each(names)('%s: every frame parses and re-serializes to the same bytes', (name) => {
    const frames = collectServerFrames(loadFixture(name));
    expect(frames.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const frame of frames) {
      const result = parseServerMessage(frame);
      if (!result.ok) {
        failures.push(`${result.reason}: ${frame.slice(0, 120)}`);
        continue;
      }
      expect(serializeMessage(result.message)).toBe(frame);
    }
    expect(failures).toEqual([]);
  });

  it('covers the message types the recordings contain', () => {
    const types = new Set(
      names.flatMap((name) =>
        collectServerFrames(loadFixture(name)).map((frame) => {
          const result = parseServerMessage(frame);
          return result.ok ? result.message.type : 'failed';
        }),
      ),
    );
    for (const type of [
      'hot',
      'liveReload',
      'progress',
      'reconnect',
      'overlay',
      'hash',
      'ok',
      'still-ok',
      'warnings',
      'errors',
      'invalid',
      'progress-update',
      'error',
    ]) {
      expect(types).toContain(type);
    }
    expect(types).not.toContain('failed');
  });
});
