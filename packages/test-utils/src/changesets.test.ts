import { fileURLToPath } from 'node:url';
import assembleReleasePlan from '@changesets/assemble-release-plan';
import { read } from '@changesets/config';
import { getPackages } from '@manypkg/get-packages';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The release plan changesets computes for this very workspace and config when
 * one changeset names one package: independent versions, so only that package
 * is released, plus internal dependents only where the config says so.
 */
describe('changesets: independent versions', () => {
  async function plan(name: string, type: 'patch' | 'minor' | 'major') {
    const packages = await getPackages(root);
    const config = await read(root, packages);
    const changeset = { id: 'example', summary: 'example', releases: [{ name, type }] };
    return assembleReleasePlan([changeset], packages, config, undefined).releases.filter(
      (release) => release.type !== 'none',
    );
  }

  it('has no fixed or linked groups, public access, main as base branch', async () => {
    const packages = await getPackages(root);
    const config = await read(root, packages);
    expect(config.fixed).toEqual([]);
    expect(config.linked).toEqual([]);
    expect(config.access).toBe('public');
    expect(config.baseBranch).toBe('main');
    const privateNames = packages.packages
      .filter((pkg) => pkg.packageJson.private)
      .map((pkg) => pkg.packageJson.name);
    expect(privateNames).toContain('@hmrkit/test-utils');
    expect(config.ignore).toEqual([]);
  });

  it('a patch to hot-emitter releases hot-emitter and no unrelated package', async () => {
    const releases = await plan('@hmrkit/hot-emitter', 'patch');
    const names = releases.map((release) => release.name);
    expect(names).toContain('@hmrkit/hot-emitter');
    expect(names).not.toContain('@hmrkit/protocol');
    expect(names).not.toContain('@hmrkit/memfs-middleware');
    expect(releases.find((r) => r.name === '@hmrkit/hot-emitter')?.newVersion).toMatch(
      /^\d+\.\d+\.\d+$/,
    );
  });

  it('a minor of protocol bumps protocol, and dependents only as a patch (updateInternalDependencies)', async () => {
    const releases = await plan('@hmrkit/protocol', 'minor');
    const protocol = releases.find((r) => r.name === '@hmrkit/protocol');
    expect(protocol?.type).toBe('minor');
    for (const release of releases) {
      if (release.name !== '@hmrkit/protocol') expect(release.type).toBe('patch');
    }
    // packages that do not depend on protocol are untouched
    const names = releases.map((r) => r.name);
    expect(names).not.toContain('@hmrkit/hot-emitter');
    expect(names).not.toContain('@hmrkit/memfs-middleware');
  });
});
