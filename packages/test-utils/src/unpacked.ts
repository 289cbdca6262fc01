import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempDir } from './index';
import { readReadmeBlocks, type Spawned, spawnTracked } from './readme';

const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/** One fenced block of a README marked `<!-- example: name -->` on the line above it. */
export interface ReadmeExample {
  name: string;
  /** The fence's language: `js` runs as an ES module, `ts` is type-checked, then run. */
  lang: 'js' | 'ts';
  code: string;
}

/**
 * The README's runnable examples, by name. Only marked blocks are examples: an
 * unmarked block is a fragment (a signature, a snippet inside a program) and runs nowhere.
 */
export function readReadmeExamples(packageDir: string): Map<string, ReadmeExample> {
  const found = new Map<string, ReadmeExample>();
  for (const { kind, name, lang, code } of readReadmeBlocks(join(packageDir, 'README.md'))) {
    if (kind === 'example' && (lang === 'js' || lang === 'ts'))
      found.set(name, { name, lang, code });
  }
  return found;
}

/** A temp project whose node_modules holds the packed packages, as a user's npm install does. */
export interface UnpackedProject {
  dir: string;
  /** Writes the example into the project and runs it with node (ts: tsc --noEmit first). */
  run(example: ReadmeExample, env?: Record<string, string>): RunningExample;
  write(file: string, text: string): Promise<void>;
  /** Kills what is still running, removes the folder. */
  cleanup(): Promise<void>;
}

/** A running example: `spawnTracked`'s handle (output, printed, exited, stop). */
export type RunningExample = Spawned;

function link(path: string, target: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/**
 * `pnpm pack`s the given workspace packages (folder names under packages/), unpacks each
 * into `<project>/node_modules/@hmrkit/<name>` and links their other dependencies, and
 * `links` (package names resolved from `from`, a workspace package folder), from the
 * workspace's installed copies: what `npm install` of the tarballs gives, without the network.
 */
export async function createUnpackedProject(
  packages: readonly string[],
  { links = [], from = packages[0] as string }: { links?: readonly string[]; from?: string } = {},
): Promise<UnpackedProject> {
  const { dir, cleanup } = await createTempDir('hmrkit-readme-');
  const children: Spawned[] = [];
  const linked = new Set<string>();
  const linkFrom = (packageDir: string, name: string): void => {
    if (linked.has(name)) return;
    linked.add(name);
    const resolve = createRequire(join(packageDir, 'package.json'));
    let target: string;
    try {
      target = dirname(resolve.resolve(`${name}/package.json`));
    } catch {
      target = realpathSync(join(packageDir, 'node_modules', name));
    }
    link(join(dir, 'node_modules', name), target);
  };
  for (const name of packages) {
    const packageDir = join(REPO_DIR, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const tarballs = join(dir, '.tarballs', name);
    mkdirSync(tarballs, { recursive: true });
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
      cwd: packageDir,
      stdio: 'pipe',
    });
    const tarball = readdirSync(tarballs).find((file) => file.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack made no tarball for ${name}`);
    const target = join(dir, 'node_modules', '@hmrkit', name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(tarballs, tarball), '-C', target, '--strip-components=1']);
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (dependency.startsWith('@hmrkit/')) {
        if (!packages.includes(dependency.slice('@hmrkit/'.length))) {
          throw new Error(`${name} depends on ${dependency}: pack it too`);
        }
        continue;
      }
      linkFrom(packageDir, dependency);
    }
  }
  const fromDir = join(REPO_DIR, 'packages', from);
  for (const name of links) linkFrom(fromDir, name);
  // TypeScript examples are checked as a TypeScript user's project would check them.
  linkFrom(REPO_DIR, '@types/node');
  const write = async (file: string, text: string): Promise<void> => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  };
  await write('package.json', '{ "private": true, "type": "module" }\n');
  await write(
    'tsconfig.json',
    `${JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
    })}\n`,
  );

  const run = (example: ReadmeExample, env: Record<string, string> = {}): RunningExample => {
    const file = `${example.name}.${example.lang === 'ts' ? 'ts' : 'mjs'}`;
    let script = join(dir, file);
    writeFileSync(script, example.code);
    if (example.lang === 'ts') {
      const tsc = createRequire(join(REPO_DIR, 'package.json')).resolve('typescript/bin/tsc');
      try {
        execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' });
      } catch (error) {
        const { stdout } = error as { stdout?: Buffer };
        throw new Error(`README example "${example.name}" does not type-check:\n${stdout}`);
      }
      const ts = createRequire(join(REPO_DIR, 'package.json'))('typescript') as {
        transpileModule(code: string, options: object): { outputText: string };
      };
      const { outputText } = ts.transpileModule(example.code, {
        compilerOptions: { target: 99, module: 99 },
      });
      script = join(dir, `${example.name}.mjs`);
      writeFileSync(script, outputText);
    }
    const running = spawnTracked(process.execPath, [script], {
      cwd: dir,
      env: { NO_COLOR: '1', ...env },
    });
    children.push(running);
    return running;
  };

  return {
    dir,
    run,
    write,
    async cleanup() {
      await Promise.all(children.map((running) => running.stop('SIGKILL')));
      await cleanup();
    },
  };
}

/**
 * Runs the README example `name` of a package (folder under packages/) to its end in a fresh
 * unpacked project with `packages`, and returns its output lines; throws, with the output,
 * when it exits with an error. The project is removed again either way.
 */
export async function runReadmeExampleToExit(
  packageDir: string,
  name: string,
  packages: readonly string[],
): Promise<string[]> {
  const example = readReadmeExamples(packageDir).get(name);
  if (!example) throw new Error(`${packageDir}README.md has no example marked ${name}`);
  const project = await createUnpackedProject(packages);
  try {
    const running = project.run(example);
    const code = await running.exited;
    if (code !== 0) throw new Error(`example ${name} exited with ${code}:\n${running.output()}`);
    return running.output().trimEnd().split('\n');
  } finally {
    await project.cleanup();
  }
}
