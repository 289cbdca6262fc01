import { afterEach, describe, expect, it } from 'vitest';
import { createTempProject, type TempProject } from '../test/helpers';
import type { ServeArgs } from './args';
import {
  applyCliToConfigs,
  type ConfigArgv,
  createConfigArgv,
  findConfigFile,
  importConfigFile,
  pickCompilerName,
  pickMode,
  resolveConfigExport,
} from './config';
import { CliError, getExitCode } from './errors';

const projects: TempProject[] = [];
const project = async (files: Record<string, string>): Promise<TempProject> => {
  const created = await createTempProject(files);
  projects.push(created);
  return created;
};
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const argv = (extra: Partial<ConfigArgv> = {}): ConfigArgv => ({
  env: { WEBPACK_SERVE: true },
  ...extra,
});

describe('findConfigFile', () => {
  it('finds webpack.config.js, then .cjs, .mjs, .ts in the working folder', async () => {
    const { dir, write } = await project({ 'webpack.config.ts': '', 'webpack.config.mjs': '' });
    expect(findConfigFile(dir)).toBe(`${dir}/webpack.config.mjs`);
    await write('webpack.config.cjs', '');
    expect(findConfigFile(dir)).toBe(`${dir}/webpack.config.cjs`);
    await write('webpack.config.js', '');
    expect(findConfigFile(dir)).toBe(`${dir}/webpack.config.js`);
  });

  it('finds a .ts config when it is the only one', async () => {
    const { dir } = await project({ 'webpack.config.ts': '' });
    expect(findConfigFile(dir)).toBe(`${dir}/webpack.config.ts`);
  });

  it('returns undefined when there is none (webpack defaults apply)', async () => {
    const { dir } = await project({ 'src/index.js': '' });
    expect(findConfigFile(dir)).toBeUndefined();
  });

  it('resolves --config against the working folder and refuses a missing file (exit 2)', async () => {
    const { dir } = await project({ 'build/dev.cjs': '' });
    expect(findConfigFile(dir, 'build/dev.cjs')).toBe(`${dir}/build/dev.cjs`);
    expect(findConfigFile('/', `${dir}/build/dev.cjs`)).toBe(`${dir}/build/dev.cjs`);
    const error = (() => {
      try {
        findConfigFile(dir, 'nope.js');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toBe(
      `Config file not found: ${dir}/nope.js (from --config nope.js).`,
    );
    expect(getExitCode(error)).toBe(2);
    expect(() => findConfigFile(dir, 'build')).toThrow(/Config file not found/);
  });
});

// Under vitest, import() goes through Vite's module runner; test/dist.test.ts loads every kind
// of config (and TypeScript with and without jiti) with plain Node through the built package.
describe('importConfigFile (in vitest)', () => {
  it('loads CommonJS (.js without "type": "module", and .cjs)', async () => {
    const { dir } = await project({
      'webpack.config.js': "module.exports = { name: 'js' };",
      'webpack.config.cjs': "module.exports = { name: 'cjs' };",
    });
    expect(await importConfigFile(`${dir}/webpack.config.js`)).toEqual({ name: 'js' });
    expect(await importConfigFile(`${dir}/webpack.config.cjs`)).toEqual({ name: 'cjs' });
  });

  it('loads ES modules (.mjs, and .js under "type": "module")', async () => {
    const { dir } = await project({
      'webpack.config.mjs': "export default { name: 'mjs' };",
      'esm/package.json': '{"type":"module"}',
      'esm/webpack.config.js': "export default () => ({ name: 'esm-js' });",
    });
    expect(await importConfigFile(`${dir}/webpack.config.mjs`)).toEqual({ name: 'mjs' });
    const fn = await importConfigFile(`${dir}/esm/webpack.config.js`);
    expect(typeof fn).toBe('function');
  });

  it('refuses an ES module without a default export', async () => {
    const { dir } = await project({ 'webpack.config.mjs': "export const mode = 'none';" });
    await expect(importConfigFile(`${dir}/webpack.config.mjs`)).rejects.toThrow(
      /has no default export/,
    );
  });

  it('reports a config that throws as a config error (exit 2)', async () => {
    const { dir } = await project({ 'throws.cjs': "throw new Error('boom from config');" });
    const thrown = await importConfigFile(`${dir}/throws.cjs`).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as Error).message).toBe(
      `Failed to load config ${dir}/throws.cjs: boom from config`,
    );
    expect(getExitCode(thrown)).toBe(2);
  });
});

describe('resolveConfigExport', () => {
  it('returns a plain object as is', async () => {
    const config = { mode: 'none' as const };
    expect(await resolveConfigExport(config, argv())).toBe(config);
  });

  it('calls a function config with (env, argv)', async () => {
    const calls: unknown[][] = [];
    const config = (...params: unknown[]) => {
      calls.push(params);
      return { name: 'fn' };
    };
    const args = argv({ env: { WEBPACK_SERVE: true, production: true }, mode: 'production' });
    expect(await resolveConfigExport(config, args)).toEqual({ name: 'fn' });
    expect(calls).toEqual([[args.env, args]]);
  });

  it('awaits a Promise export and a function returning a Promise', async () => {
    expect(await resolveConfigExport(Promise.resolve({ name: 'p' }), argv())).toEqual({
      name: 'p',
    });
    expect(await resolveConfigExport(async () => ({ name: 'af' }), argv())).toEqual({ name: 'af' });
    expect(
      await resolveConfigExport(
        Promise.resolve(() => Promise.resolve({ name: 'pf' })),
        argv(),
      ),
    ).toEqual({ name: 'pf' });
  });

  it('resolves arrays item by item (objects, functions, promises)', async () => {
    const env = { WEBPACK_SERVE: true, target: 'x' };
    const result = await resolveConfigExport(
      [
        { name: 'a' },
        (e: Record<string, unknown>) => ({ name: `b-${String(e.target)}` }),
        Promise.resolve({ name: 'c' }),
      ],
      argv({ env }),
    );
    expect(result).toEqual([{ name: 'a' }, { name: 'b-x' }, { name: 'c' }]);
    expect(await resolveConfigExport(() => [{ name: 'd' }], argv())).toEqual([{ name: 'd' }]);
  });

  it.each([
    [42, /should be a webpack configuration object .*got number/],
    [null, /got null/],
    [() => 'x', /got string/],
    [[], /empty array/],
    [[{}, 'x'], /\[1\] should be a webpack configuration object/],
    [
      () => {
        throw new Error('needs --env target');
      },
      /^Failed to load the config: needs --env target$/,
    ],
    [async () => Promise.reject(new Error('rejected')), /^Failed to load the config: rejected$/],
    [[{}, async () => Promise.reject(new Error('item failed'))], /: item failed$/],
  ])('refuses %j (exit 2)', async (exported, message) => {
    const error = await resolveConfigExport(exported, argv()).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(message);
    expect(getExitCode(error)).toBe(2);
  });
});

it('names the file when a Promise export rejects', async () => {
  const rejected = Promise.reject(new Error('no network'));
  await expect(resolveConfigExport(rejected, argv(), '/p/webpack.config.mjs')).rejects.toThrow(
    /^Failed to load config \/p\/webpack\.config\.mjs: no network$/,
  );
});

describe('flags applied to the configs', () => {
  const args = (extra: Partial<ServeArgs>): ServeArgs => ({
    entries: [],
    env: { WEBPACK_SERVE: true },
    debug: false,
    ...extra,
  });

  it('mode: --mode, else the config, else NODE_ENV, else development', () => {
    expect(pickMode('none', 'production', 'production')).toBe('none');
    expect(pickMode(undefined, 'production', 'development')).toBe('production');
    expect(pickMode(undefined, undefined, 'production')).toBe('production');
    expect(pickMode(undefined, undefined, 'test')).toBe('development');
    expect(pickMode(undefined, undefined, undefined)).toBe('development');
  });

  it('positional entries replace every config entry; configs are copied', () => {
    const configs = [{ entry: './a.js', mode: 'production' as const }, { entry: { b: './b.js' } }];
    const result = applyCliToConfigs(configs, args({ entries: ['./x.js', './y.js'] }), undefined);
    expect(result).toEqual([
      { entry: ['./x.js', './y.js'], mode: 'production' },
      { entry: ['./x.js', './y.js'], mode: 'development' },
    ]);
    expect(configs[0]?.entry).toBe('./a.js');
  });

  it('keeps the entry without positionals and applies --mode over the config', () => {
    expect(
      applyCliToConfigs([{ entry: './a.js', mode: 'production' }], args({ mode: 'none' }), 'x'),
    ).toEqual([{ entry: './a.js', mode: 'none' }]);
  });

  it('hands a function config the given flags as argv', () => {
    expect(
      createConfigArgv(
        args({ mode: 'development', port: 3000, hot: 'only', entries: ['./e.js'] }),
        '/p/webpack.config.js',
      ),
    ).toEqual({
      env: { WEBPACK_SERVE: true },
      mode: 'development',
      port: 3000,
      hot: 'only',
      entry: ['./e.js'],
      config: ['/p/webpack.config.js'],
    });
  });
});

describe('pickCompilerName', () => {
  it('takes --compiler, else Rspack for rspack.config.*, else webpack', () => {
    expect(pickCompilerName('webpack', '/p/rspack.config.js')).toBe('webpack');
    expect(pickCompilerName('rspack', '/p/dev.config.js')).toBe('rspack');
    for (const name of ['rspack.config.js', 'rspack.config.cjs', 'rspack.config.mts']) {
      expect(pickCompilerName(undefined, `/p/${name}`)).toBe('rspack');
    }
    expect(pickCompilerName(undefined, '/p/webpack.config.js')).toBe('webpack');
    expect(pickCompilerName(undefined, '/p/my-rspack.config.js')).toBe('webpack');
    expect(pickCompilerName(undefined, undefined)).toBe('webpack');
  });
});
