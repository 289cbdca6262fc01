// The generated benchmark app: a plain-JS app of N modules that the servers of a pair serve
// from the same config (webpack.config.mjs for the webpack pair, rspack.config.mjs for Rspack's).
//
//   src/index.js   entry; sets the reload marker, renders, accepts ./leaf.js and nothing else
//   src/leaf.js    the hot-edited module, accepted by its parent (index.js)
//   src/plain.js   rendered, nothing above it accepts it: an edit reloads the page
//   src/tree/**    the other N - 3 modules, a 10-ary tree imported by index.js
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Modules other than the tree: index, leaf, plain. */
const FIXED_MODULES = 3;
const BRANCHING = 10;
const PER_DIR = 100;

/** @param {number} i */
const treeFile = (i) => `src/tree/d${Math.floor(i / PER_DIR)}/m${i}.js`;

/**
 * @param {string} from
 * @param {string} to
 */
const importPath = (from, to) => {
  const path = relative(dirname(from), to);
  return path.startsWith('.') ? path : `./${path}`;
};

/**
 * One tree module: imports its children and does a little work of its own, so that a module
 * costs webpack about what a small hand-written module does.
 * @param {number} i
 * @param {number} count
 */
const treeModule = (i, count) => {
  const children = [];
  for (let c = i * BRANCHING + 1; c <= i * BRANCHING + BRANCHING && c < count; c++)
    children.push(c);
  const imports = children
    .map((c) => `import count${c}, { label${c} } from '${importPath(treeFile(i), treeFile(c))}';`)
    .join('\n');
  const sum = ['1', ...children.map((c) => `count${c}()`)].join(' + ');
  const labels = children.map((c) => `label${c}()`).join(', ');
  return `${imports}

const name = 'module ${i}';
const weights = [${[1, 2, 3, 5, 8].map((w) => w * (i + 1)).join(', ')}];

export function label${i}() {
  return \`\${name} (\${weights.reduce((a, b) => a + b, 0)})\`;
}

export function children${i}() {
  return [${labels}];
}

export default function count${i}() {
  return ${sum};
}
`;
};

/**
 * The source of leaf.js and plain.js: one exported string, the text the page shows.
 * @param {string} text
 */
export const textSource = (text) => `export const text = ${JSON.stringify(text)};\n`;

/** @param {number} treeSize */
const indexSource = (
  treeSize,
) => `${treeSize > 0 ? "import countTree from './tree/d0/m0.js';\n" : ''}import { text as leafText } from './leaf.js';
import { text as plainText } from './plain.js';

// Set once per page load: a hot update keeps it, a reload replaces it.
const bench = { bootAt: Date.now() };
window.__bench = bench;

const app = document.createElement('main');
app.innerHTML = '<p id="count"></p><p id="leaf"></p><p id="plain"></p>';
const leaf = app.querySelector('#leaf');
const plain = app.querySelector('#plain');

// The DOM-side timestamp of every change to the rendered texts, handed to the harness
// (window.__benchReport is a Playwright binding; without it the app runs as a plain app).
let last = '';
const report = () => {
  const event = { t: Date.now(), bootAt: bench.bootAt, leaf: leaf.textContent, plain: plain.textContent };
  const key = event.leaf + '\\u0000' + event.plain;
  if (key === last || !document.body.contains(app)) return;
  last = key;
  if (typeof window.__benchReport === 'function') window.__benchReport(event);
};
new MutationObserver(report).observe(document.body, { subtree: true, childList: true, characterData: true });

app.querySelector('#count').textContent = 'modules: ${treeSize + FIXED_MODULES}' + ${treeSize > 0 ? "' / ' + countTree()" : "''"};
leaf.textContent = leafText;
plain.textContent = plainText;
document.body.append(app);

// The accept boundary for leaf.js only: an edit of plain.js bubbles up to this entry, which
// does not accept it, so the runtime reloads the page.
if (module.hot) {
  module.hot.accept('./leaf.js', () => {
    leaf.textContent = leafText;
  });
}
`;

/**
 * The config both servers of a pair read: webpack's (html-webpack-plugin) or Rspack's
 * (its built-in HtmlRspackPlugin, no loader: Rspack parses plain JS itself). Everything else
 * is the same text for both compilers.
 * @param {'webpack' | 'rspack'} compiler
 */
const configSource = (compiler) => {
  const rspack = compiler === 'rspack';
  return `// Shared by both ${rspack ? 'Rspack' : 'webpack'} targets: \`${rspack ? 'rspack serve --config' : 'webpack serve --config'}\` and \`hmrkit serve${rspack ? ' --compiler rspack' : ''} --config\`.
import { appendFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
${rspack ? "import { rspack } from '@rspack/core';" : "import HtmlWebpackPlugin from 'html-webpack-plugin';"}

const devtool = process.env.BENCH_DEVTOOL ?? 'false';

// When the \`ok\` frame leaves the server after \`done\`: the first socket write carrying it (both
// servers speak ws, which writes a frame's header, then its payload: the JSON text as it is, a string).
// A corked socket (hmrkit's batch) flushes right after, in the same call. ms after done, or null.
let donePerf = 0;
let okSent = null;
const socketWrite = Socket.prototype.write;
Socket.prototype.write = function (chunk, ...rest) {
  if (
    donePerf &&
    okSent === null &&
    (typeof chunk === 'string' || Buffer.isBuffer(chunk)) &&
    chunk.includes('"type":"ok"')
  ) {
    okSent = performance.now() - donePerf;
  }
  return socketWrite.call(this, chunk, ...rest);
};

// Appends the compiler's own build time per compilation to a JSON-lines file, so the harness can
// subtract the rebuild from the measured latency (identical for both servers).
class BenchStatsPlugin {
  apply(compiler) {
    // doneAt is taken before any dev server's done tap (stage -1000), the line written after them.
    let doneAt = 0;
    compiler.hooks.done.tap({ name: 'BenchStatsPlugin', stage: -1000 }, () => {
      doneAt = Date.now();
      donePerf = performance.now();
      okSent = null;
    });
    compiler.hooks.done.tap({ name: 'BenchStatsPlugin', stage: 1000 }, (stats) => {
      const file = process.env.BENCH_STATS_FILE;
      if (!file) return;
      // tapsDoneAt: after every other done tap (the servers' own included).
      const line = { hash: stats.hash, startTime: stats.startTime, endTime: stats.endTime, doneAt, tapsDoneAt: Date.now(), okSent };
      appendFileSync(file, JSON.stringify(line) + '\\n');
    });
  }
}

export default {
  mode: 'development',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: './src/index.js',
  output: { path: fileURLToPath(new URL('dist/', import.meta.url)) },
  devtool: devtool === 'false' ? false : devtool,
${
  rspack
    ? `  // \`rspack serve\` turns lazy compilation on when a config leaves it unset; hmrkit does not:
  // set, so both build the same (the app has no dynamic import for it to defer anyway).
  lazyCompilation: false,
`
    : ''
}  plugins: [new ${rspack ? 'rspack.HtmlRspackPlugin' : 'HtmlWebpackPlugin'}({ title: 'hmrkit bench' }), new BenchStatsPlugin()],
  devServer: {
    hot: true,
    static: false,
    // The network-distance mode puts a proxy in front: the socket URL follows the page.
    ...(process.env.BENCH_RELATIVE_SOCKET ? { client: { webSocketURL: 'auto://0.0.0.0:0/ws' } } : {}),
  },
};
`;
};

/**
 * Writes the app for N modules into dir (replacing what was there).
 * @param {string} dir
 * @param {number} modules  N, at least 3 (index, leaf and plain)
 * @returns {{ dir: string, configs: Record<'webpack' | 'rspack', string>, leaf: string, plain: string, modules: number }}
 */
export function writeApp(dir, modules) {
  rmSync(dir, { recursive: true, force: true });
  const treeSize = Math.max(0, modules - FIXED_MODULES);
  /** @type {Record<string, string>} */
  const files = {
    // No "type" field, as in most apps: .js is webpack's javascript/auto, where the module.hot
    // of the issue's wording exists (apps/bench itself is "type": "module").
    'package.json': `${JSON.stringify({ name: `bench-app-${modules}`, private: true }, null, 2)}\n`,
    'webpack.config.mjs': configSource('webpack'),
    'rspack.config.mjs': configSource('rspack'),
    'src/index.js': indexSource(treeSize),
    'src/leaf.js': textSource('leaf 0'),
    'src/plain.js': textSource('plain 0'),
  };
  for (let i = 0; i < treeSize; i++) files[treeFile(i)] = treeModule(i, treeSize);
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), source);
  }
  return {
    dir,
    configs: { webpack: join(dir, 'webpack.config.mjs'), rspack: join(dir, 'rspack.config.mjs') },
    leaf: join(dir, 'src/leaf.js'),
    plain: join(dir, 'src/plain.js'),
    modules: treeSize + FIXED_MODULES,
  };
}
