// Reads the V8 CPU profiles that `pnpm bench --profile` makes the servers write
// (NODE_OPTIONS=--cpu-prof) and says which package the CPU time went to.
//
//   node src/profile.mjs [--skip ms] .work/profiles/<session>...   owners and top functions
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The package a script belongs to: node_modules/<name> (pnpm's .pnpm layout included),
 * packages/<dir>/dist of this repo (@hmrkit/<dir>), node: internals, or V8's pseudo-nodes.
 * @param {string} url
 * @param {string} functionName
 */
export function ownerOf(url, functionName) {
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(program)') return '(program)';
    return '(native)';
  }
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const ours = /\/packages\/([^/]+)\/dist\//.exec(path);
  if (ours) return `@hmrkit/${ours[1]}`;
  return path;
}

/**
 * @param {string} file  a .cpuprofile
 * @param {number} [skipMs]  leave out the first skipMs of the profile (the start-up and first build)
 * @returns {{ totalMs: number, owners: { owner: string, ms: number }[], functions: { name: string, owner: string, ms: number }[] }}
 */
export function summarizeProfile(file, skipMs = 0) {
  /** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[], samples: number[], timeDeltas: number[] }} */
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<string, number>} */
  const owners = new Map();
  /** @type {Map<string, { name: string, owner: string, ms: number }>} */
  const functions = new Map();
  let total = 0;
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time since the previous sample: charge it to this one.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    elapsed += ms;
    if (elapsed < skipMs) return;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    total += ms;
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url}:${lineNumber + 1}`;
    const entry = functions.get(key) ?? {
      name: key.replace(/file:\/\/\S*\/node_modules\//, ''),
      owner,
      ms: 0,
    };
    entry.ms += ms;
    functions.set(key, entry);
  });
  return {
    totalMs: total,
    owners: [...owners].map(([owner, ms]) => ({ owner, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
  };
}

/**
 * Sums the profiles of one session's processes.
 * @param {string} dir
 * @param {number} [skipMs]
 */
export function summarizeProfileDir(dir, skipMs = 0) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  /** @type {Map<string, number>} */
  const owners = new Map();
  /** @type {Map<string, { name: string, owner: string, ms: number }>} */
  const functions = new Map();
  let totalMs = 0;
  for (const file of files) {
    const s = summarizeProfile(join(dir, file), skipMs);
    totalMs += s.totalMs;
    for (const { owner, ms } of s.owners) owners.set(owner, (owners.get(owner) ?? 0) + ms);
    for (const f of s.functions) {
      const entry = functions.get(f.name) ?? { ...f, ms: 0 };
      entry.ms += f.ms;
      functions.set(f.name, entry);
    }
  }
  return {
    files: files.length,
    totalMs,
    owners: [...owners].map(([owner, ms]) => ({ owner, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const skipAt = args.indexOf('--skip');
  const skipMs = skipAt >= 0 ? Number(args.splice(skipAt, 2)[1]) : 0;
  for (const dir of args) {
    const s = summarizeProfileDir(dir, skipMs);
    console.log(`\n${dir}: ${s.files} profile(s), ${Math.round(s.totalMs)} ms sampled`);
    console.log('\n| owner | ms | share |\n|---|--:|--:|');
    for (const { owner, ms } of s.owners.slice(0, 20))
      console.log(`| ${owner} | ${Math.round(ms)} | ${((100 * ms) / s.totalMs).toFixed(1)} % |`);
    const ours = s.functions.filter((f) => f.owner.startsWith('@hmrkit/'));
    console.log('\ntop functions of @hmrkit packages:\n');
    for (const f of ours.slice(0, 15)) console.log(`  ${Math.round(f.ms)} ms  ${f.name}`);
    console.log('\ntop functions overall:\n');
    for (const f of s.functions.slice(0, 15))
      console.log(`  ${Math.round(f.ms)} ms  ${f.owner}  ${f.name}`);
  }
}
