import { describe, expect, it, vi } from 'vitest';
import { createRecordingConsole, FakeHot } from '../test/fakeHot';
import { createUpdateDriver, type RuntimeMode } from './driver';
import { createHmrLogger } from './log';

function setup(mode: RuntimeMode = 'hot', hash = 'aaa') {
  const hot = new FakeHot(hash);
  const out = createRecordingConsole();
  const reload = vi.fn();
  let clock = 1000;
  const driver = createUpdateDriver({
    hot,
    mode,
    currentHash: () => hot.hash,
    logger: createHmrLogger('info', out),
    reload,
    now: () => clock,
  });
  return {
    hot,
    out,
    reload,
    driver,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('createUpdateDriver, mode hot', () => {
  it('ignores the hash the bundle already runs (initial build)', async () => {
    const { hot, driver, out } = setup();
    driver.notify('aaa');
    await driver.settled();
    expect(hot.checks).toEqual([]);
    expect(out.lines).toEqual([]);
  });

  it('checks, applies and logs the updated modules and the time since the ok frame', async () => {
    const { hot, driver, out, reload, advance } = setup();
    hot.updates.set('aaa', { to: 'bbb', modules: ['./src/leaf.js'] });
    driver.notify('bbb', 1000);
    advance(42);
    await driver.settled();
    expect(hot.statusLog).toEqual(['check', 'prepare', 'ready', 'dispose', 'apply', 'idle']);
    expect(out.lines).toEqual([
      'log [HMR] Checking for updates on the server...',
      'log [HMR] Updated modules:',
      'log [HMR]  - ./src/leaf.js',
      'log [HMR] App is up to date.',
      'log [HMR] Update took 42 ms (server ready → applied).',
    ]);
    expect(reload).not.toHaveBeenCalled();
  });

  it('reloads when the server has no update for our hash (restarted server)', async () => {
    const { driver, out, reload } = setup();
    driver.notify('zzz');
    await driver.settled();
    expect(out.lines).toEqual([
      'log [HMR] Checking for updates on the server...',
      'warn [HMR] Cannot find update. Need to do a full reload!',
      'warn [HMR] (Probably because of restarting the webpack-dev-server)',
    ]);
    expect(reload).toHaveBeenCalledOnce();
  });

  it.each([
    ['unaccepted', 'abort', 'Aborted because ./src/unaccepted.js is not accepted'],
    ['declined', 'abort', 'Aborted because of declined dependency: ./src/unaccepted.js'],
    ['errored', 'fail', 'accept handler exploded'],
  ] as const)('reloads when apply ends %s (status %s)', async (outcome, status, message) => {
    const { hot, driver, out, reload } = setup();
    hot.updates.set('aaa', { to: 'bbb', modules: ['./src/unaccepted.js'], outcome });
    driver.notify('bbb');
    await driver.settled();
    expect(hot.status()).toBe(status);
    expect(out.lines[1]).toBe('warn [HMR] Cannot apply update. Need to do a full reload!');
    expect(out.lines[2]).toContain(message);
    expect(reload).toHaveBeenCalledOnce();
  });

  it('does not reload when the check itself fails outside abort/fail', async () => {
    const { hot, driver, out, reload } = setup();
    hot.updates.set('aaa', { to: 'bbb', modules: [], outcome: 'check-error' });
    driver.notify('bbb');
    await driver.settled();
    expect(out.lines[1]).toMatch(/^warn \[HMR\] Update failed: .*Failed to fetch update manifest/);
    expect(reload).not.toHaveBeenCalled();
  });

  it('reloads when an update chunk fails to load and module.hot stays in prepare', async () => {
    const { hot, driver, out, reload } = setup();
    hot.updates.set('aaa', { to: 'bbb', modules: ['./a.js'], outcome: 'chunk-error' });
    driver.notify('bbb');
    await driver.settled();
    expect(hot.status()).toBe('prepare');
    expect(out.lines.join('\n')).toMatch(/Cannot apply update\. Need to do a full reload!/);
    expect(reload).toHaveBeenCalledOnce();
  });

  it('re-checks when a new hash arrives while an update is in flight', async () => {
    const { hot, driver, out } = setup();
    hot.updates.set('aaa', { to: 'bbb', modules: ['./a.js'] });
    hot.updates.set('bbb', { to: 'ccc', modules: ['./b.js'] });
    let open!: () => void;
    hot.gate = new Promise((resolve) => {
      open = resolve;
    });
    driver.notify('bbb');
    expect(hot.status()).toBe('check');
    driver.notify('ccc'); // busy: no second check now, no error
    hot.gate = undefined;
    open();
    await driver.settled();
    expect(hot.checks).toEqual(['aaa', 'bbb']);
    expect(hot.hash).toBe('ccc');
    expect(out.lines.filter((line) => line.includes('App is up to date.'))).toHaveLength(1);
    expect(out.lines.at(-2)).toBe('log [HMR] App is up to date.');
  });

  it('accepts a concatenated MultiCompiler hash', async () => {
    const { hot, driver } = setup('hot', 'bbb');
    driver.notify('aaabbb');
    await driver.settled();
    expect(hot.checks).toEqual([]);
  });

  it('reports modules that were not renewed and numeric ids', async () => {
    const { hot, driver, out } = setup();
    hot.updates.set('aaa', { to: 'bbb', modules: [12, 7] });
    driver.notify('bbb');
    await driver.settled();
    expect(out.lines).toContain(
      'log [HMR] Consider using the optimization.moduleIds: "named" for module names.',
    );
  });
});

describe('createUpdateDriver, mode only', () => {
  it('applies with the ignore flags, logs what it ignored and never reloads', async () => {
    const { hot, driver, out, reload } = setup('only');
    hot.updates.set('aaa', { to: 'bbb', modules: ['./src/unaccepted.js'], outcome: 'unaccepted' });
    driver.notify('bbb');
    await driver.settled();
    expect(hot.status()).toBe('idle');
    expect(out.lines).toEqual([
      'log [HMR] Checking for updates on the server...',
      'warn [HMR] Ignored an update to unaccepted module ./src/unaccepted.js -> ./src/index.js',
      "warn [HMR] The following modules couldn't be hot updated: (They would need a full reload!)",
      'warn [HMR]  - ./src/unaccepted.js',
      'log [HMR] Nothing hot updated.',
      'log [HMR] App is up to date.',
      expect.stringMatching(/^log \[HMR\] Update took \d+ ms/),
    ]);
    expect(reload).not.toHaveBeenCalled();
  });

  it('logs ignored declined modules and accept errors', async () => {
    const { hot, driver, out, reload } = setup('only');
    hot.updates.set('aaa', { to: 'bbb', modules: ['./d.js'], outcome: 'declined' });
    hot.updates.set('bbb', { to: 'ccc', modules: ['./e.js'], outcome: 'errored' });
    driver.notify('ccc');
    await driver.settled();
    expect(out.lines).toContain(
      'warn [HMR] Ignored an update to declined module ./d.js -> ./src/index.js',
    );
    expect(out.lines).toContain(
      'error [HMR] Ignored an error while updating module ./src/index.js (accept-errored)',
    );
    expect(hot.hash).toBe('ccc');
    expect(reload).not.toHaveBeenCalled();
  });

  it('says a reload is needed when there is no update, without reloading', async () => {
    const { driver, out, reload } = setup('only');
    driver.notify('zzz');
    await driver.settled();
    expect(out.lines.slice(1)).toEqual([
      'warn [HMR] Cannot find update. Need to do a full reload!',
      'warn [HMR] (Probably because of restarting the webpack-dev-server)',
    ]);
    expect(reload).not.toHaveBeenCalled();
  });

  it('refuses a signal after a previous update aborted', async () => {
    const { hot, driver, out } = setup('only');
    hot.updates.set('aaa', { to: 'bbb', modules: ['./x.js'], outcome: 'check-error' });
    driver.notify('bbb');
    await driver.settled();
    expect(out.lines[1]).toMatch(/Update check failed: /);
    // Force the broken state a failed apply leaves behind.
    hot.updates.set('aaa', { to: 'bbb', modules: ['./x.js'], outcome: 'errored' });
    await hot.check(false);
    await hot.apply().catch(() => {});
    expect(hot.status()).toBe('fail');
    driver.notify('ccc');
    expect(out.lines.at(-1)).toBe(
      'warn [HMR] Cannot apply update as a previous update failed. Need to do a full reload!',
    );
  });
});
