import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack, { type Configuration, type MultiStats, type Stats } from 'webpack';
import { createTempProject, type TempProject } from '../test/helpers';
import {
  childStatsOf,
  createColors,
  formatBuildLine,
  formatProblems,
  formatUrls,
  shouldUseColor,
  summarizeBuild,
} from './output';

const plain = createColors(false);

describe('shouldUseColor', () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true, isTTY: false };

  it.each([
    ['a terminal', undefined, {}, tty, true],
    ['a pipe', undefined, {}, pipe, false],
    ['NO_COLOR=1 on a terminal', undefined, { NO_COLOR: '1' }, tty, false],
    ['NO_COLOR= (empty) on a terminal', undefined, { NO_COLOR: '' }, tty, true],
    ['FORCE_COLOR=1 on a pipe', undefined, { FORCE_COLOR: '1' }, pipe, true],
    ['FORCE_COLOR=0 on a terminal', undefined, { FORCE_COLOR: '0' }, tty, false],
    ['NO_COLOR wins over FORCE_COLOR', undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, tty, false],
    ['TERM=dumb', undefined, { TERM: 'dumb' }, tty, false],
    ['--color on a pipe with NO_COLOR', true, { NO_COLOR: '1' }, pipe, true],
    ['--no-color on a terminal', false, {}, tty, false],
  ] as const)('%s → %s', (_name, flag, env, stream, expected) => {
    expect(shouldUseColor(flag, env, stream)).toBe(expected);
  });
});

describe('formatBuildLine', () => {
  it.each([
    [{ errors: 0, warnings: 0, time: 18, compilers: 1 }, '✓ compiled in 18 ms'],
    [{ errors: 2, warnings: 0, time: 30, compilers: 1 }, '✗ compiled with 2 errors in 30 ms'],
    [{ errors: 1, warnings: 0, time: 30, compilers: 1 }, '✗ compiled with 1 error in 30 ms'],
    [{ errors: 0, warnings: 1, time: 25, compilers: 1 }, '⚠ compiled with 1 warning in 25 ms'],
    [
      { errors: 1, warnings: 3, time: 5, compilers: 1 },
      '✗ compiled with 1 error and 3 warnings in 5 ms',
    ],
    [{ errors: 0, warnings: 0, time: 40, compilers: 2 }, '✓ compiled 2 configs in 40 ms'],
  ])('%j → %s', (summary, line) => {
    expect(formatBuildLine(summary, plain)).toBe(line);
  });

  it('colors the mark and the counts when colors are on', () => {
    const colors = createColors(true);
    expect(formatBuildLine({ errors: 0, warnings: 0, time: 1, compilers: 1 }, colors)).toBe(
      '\u001b[32m✓\u001b[39m compiled \u001b[2min 1 ms\u001b[22m',
    );
    expect(formatBuildLine({ errors: 2, warnings: 0, time: 1, compilers: 1 }, colors)).toContain(
      '\u001b[31m2 errors\u001b[39m',
    );
  });
});

describe('formatUrls', () => {
  it('lists the local URL, the network URLs and the static folders', () => {
    expect(
      formatUrls(
        { local: 'http://localhost:8080/', network: ['http://192.168.1.2:8080/'] },
        plain,
        ['/app/public'],
      ),
    ).toBe(
      [
        '',
        '  hmrkit dev server running',
        '',
        '  ➜  Local:   http://localhost:8080/',
        '  ➜  Network: http://192.168.1.2:8080/',
        '  ➜  Static:  /app/public',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('summarizeBuild for a MultiCompiler rebuild', () => {
  const child = (startTime: number, endTime: number, errorsCount = 0) =>
    ({ startTime, endTime, toJson: () => ({ errorsCount, warningsCount: 0 }) }) as unknown as Stats;

  it('times only the children that rebuilt; counts all of them', () => {
    const a = child(1000, 1400, 1);
    const b1 = child(1000, 1300);
    const first = { stats: [a, b1] } as unknown as MultiStats;
    expect(summarizeBuild(first)).toEqual({ errors: 1, warnings: 0, time: 400, compilers: 2 });
    // A minute later only b rebuilds; webpack hands over a's old Stats again.
    const b2 = child(61_000, 61_020);
    const second = { stats: [a, b2] } as unknown as MultiStats;
    expect(summarizeBuild(second, childStatsOf(first))).toEqual({
      errors: 1,
      warnings: 0,
      time: 20,
      compilers: 2,
    });
    // Nothing new (should not happen): all children count.
    expect(summarizeBuild(second, childStatsOf(second)).time).toBe(60_020);
  });
});

// Real webpack builds: the counts and times come from webpack's own stats objects.
describe('summarizeBuild and formatProblems with webpack stats', () => {
  let project: TempProject;
  const warnPlugin = {
    apply(compiler: webpack.Compiler) {
      compiler.hooks.thisCompilation.tap('warn', (compilation) => {
        compilation.warnings.push(new webpack.WebpackError('careful: a test warning'));
      });
    },
  };
  const base = (name: string, entry: string, plugins: Configuration['plugins'] = []) =>
    ({
      name,
      mode: 'development',
      context: project.dir,
      entry,
      output: { path: `${project.dir}/dist/${name}` },
      devtool: false,
      plugins,
      infrastructureLogging: { level: 'none' },
    }) satisfies Configuration;

  const run = <T extends Stats | MultiStats>(config: Configuration | Configuration[]) =>
    new Promise<T>((resolve, reject) => {
      const compiler = webpack(config as Configuration);
      compiler.run((error, stats) => {
        compiler.close(() => {
          if (error || !stats) reject(error ?? new Error('no stats'));
          else resolve(stats as T);
        });
      });
    });

  beforeAll(async () => {
    project = await createTempProject({
      'ok.js': 'export const ok = 1;\n',
      'broken.js': "import './missing-one';\nimport './missing-two';\n",
    });
  });
  afterAll(() => project.cleanup());

  it('a clean build: no errors, no warnings, webpack compile time', async () => {
    const stats = await run<Stats>(base('ok', './ok.js'));
    const summary = summarizeBuild(stats);
    expect(summary).toEqual({
      errors: 0,
      warnings: 0,
      time: stats.endTime - stats.startTime,
      compilers: 1,
    });
    expect(formatProblems(stats, false)).toBe('');
  });

  it('errors and warnings are counted, and printed without stacks or traces', async () => {
    const stats = await run<Stats>(base('broken', './broken.js', [warnPlugin]));
    expect(summarizeBuild(stats)).toMatchObject({ errors: 2, warnings: 1 });
    const text = formatProblems(stats, false);
    expect(text).toContain("Module not found: Error: Can't resolve './missing-one'");
    expect(text).toContain("Can't resolve './missing-two'");
    expect(text).toContain('careful: a test warning');
    expect(text).not.toMatch(/^\s+at /m);
    expect(text).not.toMatch(/compiled with/);
    expect(text).not.toContain('\u001b[');
    expect(formatProblems(stats, true)).toContain('\u001b[');
  });

  it('MultiStats: counts are summed and the time spans first start to last end', async () => {
    const stats = await run<MultiStats>([
      base('a', './ok.js', [warnPlugin]),
      base('b', './broken.js'),
    ]);
    const summary = summarizeBuild(stats);
    const start = Math.min(...stats.stats.map((s) => s.startTime));
    const end = Math.max(...stats.stats.map((s) => s.endTime));
    expect(summary).toEqual({ errors: 2, warnings: 1, time: end - start, compilers: 2 });
    const text = formatProblems(stats, false);
    expect(text).toContain('careful: a test warning');
    expect(text).toContain("Can't resolve './missing-one'");
    expect(text).not.toMatch(/^\s+at /m);
  });
});
