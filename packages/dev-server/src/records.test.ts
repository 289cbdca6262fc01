import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import type { Compiler } from 'webpack';
import {
  FINGERPRINT_KEY,
  findRecordsRoot,
  parseRecords,
  recordsFolderName,
  serializeConfig,
  withoutHmrRecords,
} from './records';

const fingerprint = { format: 1, webpack: '5.100.0', config: 'abc' };
const HMR = {
  hash: 'h1',
  hotIndex: 2,
  chunkHashes: { main: 'c1' },
  chunkModuleHashes: { 'main|./a.js': 'm1' },
  chunkModuleIds: { main: ['./a.js'] },
  chunkRuntime: { main: 'main' },
  fullHashChunkModuleHashes: {},
};
const IDS = { modules: { byIdentifier: { '/a.js': 1 }, usedIds: [1] } };

describe('parseRecords', () => {
  it('returns the records without the fingerprint when it matches', () => {
    const text = JSON.stringify({ ...HMR, ...IDS, [FINGERPRINT_KEY]: fingerprint });
    expect(parseRecords(text, fingerprint)).toEqual({ kind: 'ok', records: { ...HMR, ...IDS } });
  });

  it.each([
    [{ ...fingerprint, config: 'other' }, 'the webpack config changed'],
    [{ ...fingerprint, webpack: '5.99.0' }, 'webpack changed (5.99.0 → 5.100.0)'],
    [{ ...fingerprint, format: 0 }, 'they were written by another hmrkit version'],
    [undefined, 'they were not written by hmrkit'],
  ])('drops the HMR part for another fingerprint (%j), keeps the ids', (stored, reason) => {
    const text = JSON.stringify({ ...HMR, ...IDS, [FINGERPRINT_KEY]: stored });
    expect(parseRecords(text, fingerprint)).toEqual({ kind: 'changed', records: IDS, reason });
  });

  it.each([
    ['', /^not JSON/],
    ['null', /not a JSON object/],
    ['"text"', /not a JSON object/],
    [JSON.stringify({ hash: 1 }), /"hash" is not a string/],
    [JSON.stringify({ chunkHashes: { main: 1 } }), /"chunkHashes" is not a map of hashes/],
    [JSON.stringify({ chunkModuleIds: { main: 'x' } }), /"chunkModuleIds"/],
    [JSON.stringify({ chunkRuntime: [] }), /"chunkRuntime" is not an object/],
    [JSON.stringify({ modules: { usedIds: {} } }), /"modules.usedIds" is not a list/],
    [JSON.stringify({ child: [{ hash: 5 }] }), /child: "hash" is not a string/],
    [JSON.stringify({ child: [3] }), /"child" is not a list of records/],
  ])('calls %j corrupt', (text, reason) => {
    const result = parseRecords(text, fingerprint);
    expect(result.kind).toBe('corrupt');
    expect(result.kind === 'corrupt' && result.reason).toMatch(reason);
  });
});

describe('withoutHmrRecords', () => {
  it("drops the HMR keys, in child compilers' records too", () => {
    expect(withoutHmrRecords({ ...HMR, ...IDS, 'html child': [{ ...HMR, ...IDS }] })).toEqual({
      ...IDS,
      'html child': [IDS],
    });
  });
});

describe('serializeConfig', () => {
  class Plugin {
    options: unknown;
    compiler = new (class Compiler {
      hooks = { many: 'things' };
    })();
    constructor(options: unknown) {
      this.options = options;
    }
  }

  it('is the same for equal configs, whatever the key order', () => {
    const a = { mode: 'development', output: { path: '/out', filename: '[name].js' } };
    const b = { output: { filename: '[name].js', path: '/out' }, mode: 'development' };
    expect(serializeConfig(a)).toBe(serializeConfig(b));
  });

  it('tells configs apart by values, RegExps, functions and plugin options', () => {
    const base = serializeConfig({ rules: [{ test: /\.ts$/ }], plugins: [new Plugin({ a: 1 })] });
    expect(
      serializeConfig({ rules: [{ test: /\.tsx$/ }], plugins: [new Plugin({ a: 1 })] }),
    ).not.toBe(base);
    expect(
      serializeConfig({ rules: [{ test: /\.ts$/ }], plugins: [new Plugin({ a: 2 })] }),
    ).not.toBe(base);
    expect(serializeConfig({ f: () => 1 })).not.toBe(serializeConfig({ f: () => 2 }));
  });

  it('names an instance inside a plugin instead of walking it, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const text = serializeConfig({ plugins: [new Plugin({ a: 1 })], cyclic });
    expect(text).toContain('"compiler":"[Compiler]"');
    expect(text).toContain('"self":"[Circular]"');
    expect(text).not.toContain('many');
  });
});

describe('where the records live', () => {
  it('under node_modules/.cache/hmrkit of the nearest package.json, from the context up', async () => {
    const { dir, cleanup } = await createTempDir('hmrkit-records-');
    try {
      writeFileSync(join(dir, 'package.json'), '{}');
      mkdirSync(join(dir, 'app', 'src'), { recursive: true });
      expect(findRecordsRoot(join(dir, 'app', 'src'))).toBe(
        join(dir, 'node_modules', '.cache', 'hmrkit'),
      );
    } finally {
      await cleanup();
    }
  });

  it('one folder per compiler: its name made safe, else its index; duplicates get the index', () => {
    const compilers = [{ name: 'client' }, {}, { name: '../server x' }, { name: 'client' }];
    const names = compilers.map((_, index) =>
      recordsFolderName(compilers as unknown as Compiler[], index),
    );
    expect(names).toEqual(['client-0', '1', '__server_x', 'client-3']);
  });
});
