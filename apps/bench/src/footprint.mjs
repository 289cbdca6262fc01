// Install footprint: what a fresh npm project adds on top of webpack for each way of getting
// HMR. Our packages are installed from `pnpm pack` tarballs, as a user installs a release.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {{ packages: number, bytes: number, diskBytes: number }} Size
 * @typedef {{ packages: number, bytes: number, diskBytes: number, installed: string[] }} Footprint
 */

/**
 * Every package under node_modules (nested ones too), and the size of their files.
 * @param {string} dir  a project directory
 */
export function measureNodeModules(dir) {
  /** @type {string[]} */
  const packages = [];
  let bytes = 0;
  /** @param {string} path */
  const sizeOf = (path) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) sizeOf(join(path, entry));
    else bytes += stat.size;
  };
  /** @param {string} pkgDir */
  const visitPackage = (pkgDir) => {
    if (!existsSync(join(pkgDir, 'package.json'))) return;
    packages.push(pkgDir);
    const nested = join(pkgDir, 'node_modules');
    if (existsSync(nested)) walk(nested);
  };
  /** @param {string} nm */
  const walk = (nm) => {
    for (const entry of readdirSync(nm)) {
      if (entry.startsWith('.')) continue;
      const path = join(nm, entry);
      if (entry.startsWith('@')) for (const sub of readdirSync(path)) visitPackage(join(path, sub));
      else visitPackage(path);
    }
  };
  const nm = join(dir, 'node_modules');
  walk(nm);
  sizeOf(nm);
  // Blocks actually used on disk (what `du` reports), next to the sum of file sizes.
  const diskBytes =
    Number(execFileSync('du', ['-sk', nm], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  return {
    packages: packages.length,
    bytes,
    diskBytes,
    names: packages.map((p) => p.slice(nm.length + 1)),
  };
}

/**
 * The @hmrkit packages a package needs, itself included (internal dependencies, transitively).
 * @param {string} packagesDir  the monorepo's packages/
 * @param {string[]} roots  package directory names
 */
export function internalClosure(packagesDir, roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const dir = /** @type {string} */ (queue.pop());
    if (seen.has(dir)) continue;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8'));
    for (const name of Object.keys(manifest.dependencies ?? {}))
      if (name.startsWith('@hmrkit/')) queue.push(name.slice('@hmrkit/'.length));
  }
  return [...seen].sort();
}

/**
 * @param {string} packagesDir
 * @param {string[]} dirs
 * @param {string} destination
 * @returns {Map<string, string>} package dir → tarball path
 */
function pack(packagesDir, dirs, destination) {
  mkdirSync(destination, { recursive: true });
  /** @type {Map<string, string>} */
  const tarballs = new Map();
  for (const dir of dirs) {
    const cwd = join(packagesDir, dir);
    if (!existsSync(join(cwd, 'dist'))) throw new Error(`packages/${dir} is not built (no dist/)`);
    // pnpm pack rewrites workspace:^ into the version range, as a publish does.
    const out = execFileSync('pnpm', ['pack', '--pack-destination', destination], {
      cwd,
      encoding: 'utf8',
    });
    const tarball = out
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .reverse()
      .find((line) => line.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack printed no tarball for packages/${dir}:\n${out}`);
    tarballs.set(dir, tarball.startsWith('/') ? tarball : join(destination, tarball));
  }
  return tarballs;
}

/**
 * @param {string} dir
 * @param {string[]} specs
 */
function npmProject(dir, specs) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'footprint', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return measureNodeModules(dir);
}

/**
 * @param {{ packagesDir: string, workDir: string, webpackVersion: string, wdsVersion: string, webpackCliVersion: string, log?: (line: string) => void }} options
 */
export function measureFootprint({
  packagesDir,
  workDir,
  webpackVersion,
  wdsVersion,
  webpackCliVersion,
  log = () => {},
}) {
  const root = join(workDir, 'footprint');
  // Without a built packages/cli (`--targets wds` skips the build) only the parts are measured.
  const hasCli = existsSync(join(packagesDir, 'cli', 'dist'));
  const full = hasCli ? internalClosure(packagesDir, ['cli']) : [];
  const parts = internalClosure(packagesDir, [
    'memfs-middleware',
    'socket-server',
    'client',
    'runtime',
  ]);
  const all = [...new Set([...full, ...parts])].sort();
  log(`packing ${all.join(', ')}`);
  const tarballs = pack(packagesDir, all, join(root, 'tarballs'));
  const webpack = `webpack@${webpackVersion}`;
  /** @param {string[]} dirs */
  const specs = (dirs) => dirs.map((d) => /** @type {string} */ (tarballs.get(d)));

  log(`npm install ${webpack} (the baseline)`);
  const base = npmProject(join(root, 'webpack-only'), [webpack]);
  /**
   * @param {string} name
   * @param {string[]} extra
   * @returns {Footprint}
   */
  const on = (name, extra) => {
    log(`npm install ${webpack} + ${name}`);
    const m = npmProject(join(root, name), [webpack, ...extra]);
    const baseNames = new Set(base.names);
    return {
      packages: m.packages - base.packages,
      bytes: m.bytes - base.bytes,
      diskBytes: m.diskBytes - base.diskBytes,
      installed: m.names.filter((n) => !baseNames.has(n)).sort(),
    };
  };
  return {
    webpack: { packages: base.packages, bytes: base.bytes, diskBytes: base.diskBytes },
    full: hasCli ? on('hmrkit-cli', specs(full)) : undefined,
    parts: on('hmrkit-parts', specs(parts)),
    wds: on('webpack-dev-server', [
      `webpack-dev-server@${wdsVersion}`,
      `webpack-cli@${webpackCliVersion}`,
    ]),
  };
}
