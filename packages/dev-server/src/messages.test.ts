import { serializeMessage } from '@hmrkit/protocol';
import { loadFixture } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import {
  type BuildSummary,
  createBuildMessenger,
  createProgressFrame,
  summarizeStats,
} from './messages';
import { normalizeOptions } from './options';

interface Frame {
  conn?: string;
  kind: string;
  text?: string;
}
interface Phase {
  phase: string;
  frames: Frame[];
}

/**
 * Replays wds5-problems.json: each build's summary is read back from the
 * recorded frames (hash, errors, warnings) and our messenger must produce the
 * very same frames, byte for byte, in the same order, including `still-ok`.
 */
describe('build messenger vs a recorded webpack-dev-server 5 session', () => {
  const { phases } = loadFixture<{ phases: Phase[] }>('wds5-problems');
  const messenger = createBuildMessenger(normalizeOptions({}, { cwd: '/app' }));
  let build: BuildSummary = { hash: '', errors: [], warnings: [] };

  const textFrames = (phase: Phase) =>
    phase.frames.filter((f) => f.kind === 'text' && f.text).map((f) => f.text as string);

  it.each(phases.filter((p) => p.phase !== 'close').map((p) => [p.phase, p] as const))(
    '%s',
    (name, phase) => {
      const recorded = textFrames(phase);
      const parsed = recorded.map((text) => JSON.parse(text));
      const hash = parsed.find((m) => m.type === 'hash')?.data;
      if (hash !== undefined) {
        build = {
          hash,
          errors: parsed.find((m) => m.type === 'errors')?.data ?? [],
          warnings: parsed.find((m) => m.type === 'warnings')?.data ?? [],
        };
      }
      let produced: string[];
      if (name.startsWith('connect')) {
        if (name === 'connect') messenger.afterBuild(build, true); // the first build finished before A connected
        produced = messenger.greeting().map(serializeMessage);
      } else {
        produced = [messenger.invalid(), ...messenger.afterBuild(build)].map(serializeMessage);
      }
      expect(produced).toEqual(recorded);
    },
  );
});

describe('greeting', () => {
  it('follows the client options (progress, reconnect, overlay object)', () => {
    const messenger = createBuildMessenger(
      normalizeOptions({
        client: {
          progress: true,
          overlay: { errors: true, warnings: false, runtimeErrors: false },
          reconnect: 3,
        },
      }),
    );
    expect(messenger.greeting().map(serializeMessage)).toEqual([
      '{"type":"hot"}',
      '{"type":"liveReload"}',
      '{"type":"progress","data":true}',
      '{"type":"reconnect","data":3}',
      '{"type":"overlay","data":{"errors":true,"warnings":false,"runtimeErrors":false}}',
    ]);
    const quiet = createBuildMessenger(
      normalizeOptions({
        hot: false,
        liveReload: false,
        client: { overlay: false, reconnect: false },
      }),
    );
    expect(quiet.greeting()).toEqual([]);
  });
});

describe('createProgressFrame', () => {
  it('matches the recorded progress-update frames', () => {
    expect(serializeMessage(createProgressFrame(0.03, 'setup', 'watch run'))).toBe(
      '{"type":"progress-update","data":{"percent":3,"msg":"setup (watch run)"}}',
    );
    expect(serializeMessage(createProgressFrame(1, 'done', ''))).toBe(
      '{"type":"progress-update","data":{"percent":100,"msg":"Compilation completed"}}',
    );
    expect(createProgressFrame(0.1, 'building', undefined, 'ProgressPlugin')).toEqual({
      type: 'progress-update',
      data: { percent: 10, msg: 'building', pluginName: 'ProgressPlugin' },
    });
  });
});

describe('summarizeStats', () => {
  it('skips toJson for a clean build and uses it when there are problems', () => {
    let toJsonCalls = 0;
    const clean = {
      hash: 'abc',
      hasErrors: () => false,
      hasWarnings: () => false,
      toJson: () => {
        toJsonCalls += 1;
        return {};
      },
    };
    expect(summarizeStats(clean)).toEqual({ hash: 'abc', errors: [], warnings: [] });
    expect(toJsonCalls).toBe(0);
    const failed = {
      hash: 'def',
      hasErrors: () => true,
      hasWarnings: () => false,
      toJson: () => {
        toJsonCalls += 1;
        return { errors: [{ message: 'boom', secret: 'x' }], warnings: [] };
      },
    };
    expect(summarizeStats(failed)).toEqual({
      hash: 'def',
      errors: [{ message: 'boom' }],
      warnings: [],
    });
    expect(toJsonCalls).toBe(1);
  });
});
