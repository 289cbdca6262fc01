import { DevServerError, type DevServerErrorCode } from '@hmrkit/dev-server';
import { describe, expect, it } from 'vitest';
import webpack from 'webpack';
import {
  CliError,
  configError,
  formatError,
  getExitCode,
  isHmrkitError,
  runtimeError,
  usageError,
} from './errors';

describe('getExitCode', () => {
  it('usage and config errors exit 2, runtime errors 1', () => {
    expect(getExitCode(usageError('bad flag'))).toBe(2);
    expect(getExitCode(configError('bad config'))).toBe(2);
    expect(getExitCode(runtimeError('crashed'))).toBe(1);
  });

  it.each([
    ['INVALID_OPTION', 2],
    ['UNKNOWN_OPTION', 2],
    ['UNSUPPORTED_OPTION', 2],
    ['MISSING_PEER', 2],
    ['PORT_IN_USE', 1],
    ['NOT_STARTED', 1],
  ] as const)('DevServerError %s → %d', (code, exitCode) => {
    expect(getExitCode(new DevServerError(code as DevServerErrorCode, 'x'))).toBe(exitCode);
  });

  it('recognises the shape of every package’s errors, not a class name', () => {
    class MemfsMiddlewareError extends Error {
      readonly code = 'UNKNOWN_OPTION';
      readonly option = 'foo';
    }
    const socketError = Object.assign(new Error('no sockjs'), { code: 'MISSING_PEER' });
    expect(isHmrkitError(new MemfsMiddlewareError('x'))).toBe(true);
    expect(getExitCode(new MemfsMiddlewareError('x'))).toBe(2);
    expect(getExitCode(socketError)).toBe(2);
    // A Node system error has a code too, but not one of ours: a runtime failure.
    const system = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect(isHmrkitError(system)).toBe(false);
    expect(getExitCode(system)).toBe(1);
    expect(isHmrkitError({ code: 'INVALID_OPTION', message: 'not an Error' })).toBe(false);
  });

  it("webpack's config validation error exits 2", () => {
    const error = (() => {
      try {
        webpack({ mode: 'fast' } as unknown as webpack.Configuration);
      } catch (caught) {
        return caught;
      }
    })();
    expect((error as Error).name).toBe('ValidationError');
    expect(getExitCode(error)).toBe(2);
  });

  it('anything else exits 1', () => {
    expect(getExitCode(new Error('EMFILE'))).toBe(1);
    expect(getExitCode('a string')).toBe(1);
  });
});

describe('formatError', () => {
  it('prints the message only, and the stack with causes when debugging', () => {
    const error = configError('Failed to load config x.js: boom', new Error('boom'));
    expect(formatError(error, false)).toBe('Failed to load config x.js: boom');
    const debug = formatError(error, true);
    expect(debug).toMatch(/^CliError: Failed to load config x\.js: boom\n\s+at /);
    expect(debug).toMatch(/\nCaused by: Error: boom\n\s+at /);
    expect(formatError('plain', true)).toBe('plain');
    expect(error).toBeInstanceOf(CliError);
  });
});
