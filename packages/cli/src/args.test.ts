import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCapture } from '../test/helpers';
import { parseArgs, parseEnv, type ServeArgs } from './args';
import { CliError } from './errors';

const parse = async (argv: string[]) => {
  const stdout = createCapture();
  const stderr = createCapture();
  const result = await parseArgs(argv, '9.9.9', {
    write: (text) => stdout.write(text),
    writeError: (text) => stderr.write(text),
    columns: 120,
  });
  return { result, stdout: stdout.text, stderr: stderr.text };
};

const serveArgs = async (argv: string[]): Promise<ServeArgs> => {
  const { result, stderr } = await parse(['serve', ...argv]);
  if (result.kind !== 'serve')
    throw new Error(`expected serve, got exit ${result.code}: ${stderr}`);
  return result.args;
};

describe('serve flags', () => {
  it('leaves every flag undefined when none is given (the config keeps its values)', async () => {
    expect(await serveArgs([])).toEqual({
      entries: [],
      env: { WEBPACK_SERVE: true },
      debug: false,
      config: undefined,
      mode: undefined,
      port: undefined,
      host: undefined,
      hot: undefined,
      liveReload: undefined,
      keepState: undefined,
      open: undefined,
      webSocketServer: undefined,
      clientOverlay: undefined,
      static: undefined,
      color: undefined,
    });
  });

  it('parses every value flag', async () => {
    const args = await serveArgs([
      './src/a.js',
      './src/b.js',
      '--config',
      'build/dev.mjs',
      '--mode',
      'production',
      '--port',
      '3000',
      '--host',
      '0.0.0.0',
      '--web-socket-server',
      'sockjs',
      '--debug',
    ]);
    expect(args).toMatchObject({
      entries: ['./src/a.js', './src/b.js'],
      config: 'build/dev.mjs',
      mode: 'production',
      port: 3000,
      host: '0.0.0.0',
      webSocketServer: 'sockjs',
      debug: true,
    });
  });

  it('accepts short -c and -m and --flag=value', async () => {
    const args = await serveArgs(['-c', 'x.js', '-m', 'none', '--port=0', '--host=::']);
    expect(args).toMatchObject({ config: 'x.js', mode: 'none', port: 0, host: '::' });
  });

  it('accepts --port auto', async () => {
    expect((await serveArgs(['--port', 'auto'])).port).toBe('auto');
  });

  it.each([
    [['--hot'], true],
    [['--hot', 'only'], 'only'],
    [['--hot=only'], 'only'],
    [['--no-hot'], false],
    [['--hot', '--no-hot'], false],
  ] as const)('%j → hot %j', async (argv, hot) => {
    expect((await serveArgs([...argv])).hot).toBe(hot);
  });

  it('keeps an entry after a bare --hot as an entry', async () => {
    const args = await serveArgs(['--hot', './src/index.js']);
    expect(args.hot).toBe(true);
    expect(args.entries).toEqual(['./src/index.js']);
  });

  it.each([
    [['--live-reload'], true],
    [['--no-live-reload'], false],
  ] as const)('%j → liveReload %j', async (argv, liveReload) => {
    expect((await serveArgs([...argv])).liveReload).toBe(liveReload);
  });

  it.each([
    [['--keep-state'], true],
    [['--no-keep-state'], false],
  ] as const)('%j → keepState %j', async (argv, keepState) => {
    expect((await serveArgs([...argv])).keepState).toBe(keepState);
  });

  it.each([
    [['--client-overlay'], true],
    [['--no-client-overlay'], false],
  ] as const)('%j → clientOverlay %j', async (argv, clientOverlay) => {
    expect((await serveArgs([...argv])).clientOverlay).toBe(clientOverlay);
  });

  it.each([
    [['--open'], true],
    [['--open', '/docs'], ['/docs']],
    [
      ['--open', '/a', '--open', 'http://localhost:9000/b'],
      ['/a', 'http://localhost:9000/b'],
    ],
    [['--no-open'], false],
  ] as const)('%j → open %j', async (argv, open) => {
    expect((await serveArgs([...argv])).open).toEqual(open);
  });

  it('collects repeated --static and turns them off with --no-static', async () => {
    expect((await serveArgs(['--static', 'public', '--static', 'assets'])).static).toEqual([
      'public',
      'assets',
    ]);
    expect((await serveArgs(['--no-static'])).static).toBe(false);
  });

  it('turns the socket server off with --no-web-socket-server', async () => {
    expect((await serveArgs(['--no-web-socket-server'])).webSocketServer).toBe(false);
    expect((await serveArgs(['--web-socket-server', 'ws'])).webSocketServer).toBe('ws');
  });

  it('parses --env key=value, flags and dotted keys', async () => {
    const args = await serveArgs([
      '--env',
      'production',
      '--env',
      'api=https://x.example/?a=b',
      '--env',
      'deep.nested.key=1',
      '--env',
      'empty=',
    ]);
    expect(args.env).toEqual({
      WEBPACK_SERVE: true,
      production: true,
      api: 'https://x.example/?a=b',
      deep: { nested: { key: '1' } },
      empty: '',
    });
  });

  it('reads --color and --no-color', async () => {
    expect((await serveArgs(['--color'])).color).toBe(true);
    expect((await serveArgs(['--no-color'])).color).toBe(false);
  });
});

describe('bad command lines are usage errors (exit code 2)', () => {
  it.each([
    [['serve', '--prot', '80'], /unknown option '--prot'[\s\S]*--port/],
    [['serve', '--port', 'eighty'], /--port <port>.*invalid.*port number/],
    [['serve', '--port', '70000'], /--port <port>.*invalid/],
    [['serve', '--hot=sometimes'], /--hot \[only\]' argument 'sometimes' is invalid/],
    [
      ['serve', '--mode', 'dev'],
      /--mode <mode>.*Allowed choices are development, production, none/,
    ],
    [['serve', '--web-socket-server', 'tcp'], /Allowed choices are ws, sockjs/],
    [['serve', '--config'], /--config <path>' argument missing/],
    [['bild'], /unknown command 'bild'/],
  ])('%j', async (argv, message) => {
    const { result, stderr, stdout } = await parse(argv);
    expect(result).toEqual({ kind: 'exit', code: 2 });
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('rejects an --env without a key', async () => {
    await expect(parse(['serve', '--env', '=x'])).rejects.toThrow(CliError);
    await expect(parse(['serve', '--env', 'a..b=1'])).rejects.toThrow(/Invalid --env value/);
  });

  it('refuses prototype keys in --env', () => {
    expect(() => parseEnv(['__proto__.polluted=1'])).toThrow(/Invalid --env value/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('prints help to stderr with exit code 2 when no command is given', async () => {
    const { result, stderr } = await parse([]);
    expect(result).toEqual({ kind: 'exit', code: 2 });
    expect(stderr).toMatch(/Usage: hmrkit/);
  });
});

describe('help and version', () => {
  const FLAGS = [
    '--config',
    '--mode',
    '--env',
    '--port',
    '--host',
    '--hot',
    '--no-hot',
    '--live-reload',
    '--no-live-reload',
    '--keep-state',
    '--no-keep-state',
    '--open',
    '--no-open',
    '--web-socket-server',
    '--no-web-socket-server',
    '--client-overlay',
    '--no-client-overlay',
    '--static',
    '--no-static',
    '--color',
    '--no-color',
    '--debug',
    '--help',
  ];

  it('serve --help lists every flag, examples and exit codes, with exit code 0', async () => {
    const { result, stdout, stderr } = await parse(['serve', '--help']);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(stderr).toBe('');
    for (const flag of FLAGS) expect(stdout).toMatch(new RegExp(`${flag}\\b`));
    expect(stdout).toMatch(/\[entries\.\.\.\]/);
    expect(stdout).toMatch(/Examples:\n {2}\$ hmrkit serve/);
    expect(stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
  });

  it('help serve prints the same help', async () => {
    const direct = await parse(['serve', '--help']);
    const viaHelp = await parse(['help', 'serve']);
    expect(viaHelp.result).toEqual({ kind: 'exit', code: 0 });
    expect(viaHelp.stdout).toBe(direct.stdout);
  });

  it('--help lists the serve command, --version and --help', async () => {
    const { result, stdout } = await parse(['--help']);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(stdout).toMatch(/serve \[options\] \[entries\.\.\.\]/);
    expect(stdout).toMatch(/-v, --version/);
    expect(stdout).toMatch(/-h, --help/);
  });

  it('--version and -v print the version', async () => {
    for (const flag of ['--version', '-v']) {
      const { result, stdout } = await parse([flag]);
      expect(result).toEqual({ kind: 'exit', code: 0 });
      expect(stdout).toBe('9.9.9\n');
    }
  });

  it('the help text documents the exit codes the README documents', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of ['0', '1', '2']) expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\|`));
  });
});
