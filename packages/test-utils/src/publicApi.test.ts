import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES } from './index';

/**
 * A public API no larger than the documented one: every name a published package exports
 * (each `exports` subpath of its package.json, values and types alike, read from the built
 * .d.ts users get) appears in an inline code span of its README. A new export therefore
 * needs a line in the README, or stays internal.
 */

const PACKAGES_DIR = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  exports: Record<string, string | { import?: { types?: string } }>;
}

/** Subpath → its built .d.ts (`./package.json` and `?*` query patterns are no modules of their own). */
function entryTypes(dir: string): Array<[subpath: string, file: string]> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const entries: Array<[string, string]> = [];
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (subpath.includes('*') || typeof target === 'string') continue;
    const types = target.import?.types;
    if (!types) throw new Error(`${dir}: exports["${subpath}"] has no import.types`);
    entries.push([subpath, join(dir, types)]);
  }
  return entries;
}

/** Every package's subpaths → their built .d.ts, checked by one TypeScript program. */
const ENTRIES = new Map(
  PUBLISHED_PACKAGES.map((name) => [name, entryTypes(join(PACKAGES_DIR, name))]),
);
let checked: { program: ts.Program; checker: ts.TypeChecker } | undefined;

/** The names each subpath of a package exports, as TypeScript resolves them from the .d.ts files. */
function exportedNames(name: string): Map<string, string[]> {
  if (!checked) {
    const files = [...ENTRIES.values()].flat().map(([, file]) => file);
    for (const file of files) {
      if (!existsSync(file))
        throw new Error(`${file} is missing: build the packages first (pnpm build)`);
    }
    const program = ts.createProgram(files, {
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
    });
    checked = { program, checker: program.getTypeChecker() };
  }
  const { program, checker } = checked;
  const names = new Map<string, string[]>();
  for (const [subpath, file] of ENTRIES.get(name) ?? []) {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    names.set(subpath, symbol ? checker.getExportsOfModule(symbol).map((s) => s.name) : []);
  }
  return names;
}

/** Identifiers inside the README's inline code spans (fenced examples do not count). */
function documentedNames(readme: string): Set<string> {
  const prose = readme.replace(/^```[\s\S]*?^```/gm, '');
  const names = new Set<string>();
  for (const [, span] of prose.matchAll(/`([^`\n]+)`/g)) {
    for (const name of span?.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(name);
  }
  // `export default` is documented by saying so.
  if (/\bdefault export\b/.test(prose)) names.add('default');
  return names;
}

/** `subpath: name` for every export the README does not mention. */
function undocumentedExports(exports: Map<string, string[]>, readme: string): string[] {
  const documented = documentedNames(readme);
  return [...exports].flatMap(([subpath, names]) =>
    names.filter((name) => !documented.has(name)).map((name) => `${subpath}: ${name}`),
  );
}

describe('public API no larger than the documented one', () => {
  it('finds an export the README does not name, and accepts one it names in code', () => {
    const exports = new Map([['.', ['createThing', 'ThingOptions', 'default']]]);
    expect(undocumentedExports(exports, '`createThing(options)` makes a thing.')).toEqual([
      '.: ThingOptions',
      '.: default',
    ]);
    // A name only inside a fenced example, or in plain prose, is not documented.
    const fenced = '```ts\nconst o: ThingOptions = {};\n```\nThingOptions are options.';
    expect(
      undocumentedExports(exports, `\`createThing\` is the default export.\n${fenced}`),
    ).toEqual(['.: ThingOptions']);
  });

  it.each(PUBLISHED_PACKAGES)('@hmrkit/%s exports only names its README documents', (name) => {
    const dir = join(PACKAGES_DIR, name);
    const exports = exportedNames(name);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(undocumentedExports(exports, readme)).toEqual([]);
    // Every published package has an API: a subpath that exports nothing is an entry with side effects.
    expect([...exports.values()].flat().length).toBeGreaterThan(0);
  });
});
