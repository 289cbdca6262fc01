import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

const listDirs = (group: string): string[] =>
  existsSync(`${root}${group}`) ? readdirSync(`${root}${group}`) : [];

// Tests read sibling packages from source (no build needed for unit tests):
// `@hmrkit/<dir>` resolves to `packages/<dir>/src/index.ts`.
const alias = listDirs('packages')
  .filter((dir) => existsSync(`${root}packages/${dir}/src/index.ts`))
  .map((dir) => ({
    find: new RegExp(`^@hmrkit/${dir}$`),
    replacement: `${root}packages/${dir}/src/index.ts`,
  }));

// One project per workspace package, so `vitest run` at the root runs them all
// and `vitest run --project @hmrkit/protocol` runs one.
const projects = ['packages', 'apps'].flatMap((group) =>
  listDirs(group)
    .filter((dir) => existsSync(`${root}${group}/${dir}/package.json`))
    .map((dir) => ({
      extends: true as const,
      test: {
        name: dir,
        root: `${root}${group}/${dir}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
);

export default defineConfig({
  resolve: { alias },
  test: {
    projects,
    restoreMocks: true,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
