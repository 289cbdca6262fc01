import { describe, expect, it } from 'vitest';
import { normalizeProblem, normalizeProblems } from './problems';

describe('normalizeProblem', () => {
  it('keeps only the whitelisted string fields, in the input order', () => {
    const statsError = {
      moduleIdentifier: '/app/src/leaf.js',
      moduleName: './src/leaf.js',
      loc: '2:39',
      message: 'Module parse failed',
      compilerPath: undefined,
      moduleId: 42,
      chunkName: 'main',
      details: 'at parse',
      stack: 'ModuleParseError: …',
      module: { huge: 'object graph' },
    };
    const problem = normalizeProblem(statsError);
    expect(problem).toEqual({
      moduleIdentifier: '/app/src/leaf.js',
      moduleName: './src/leaf.js',
      loc: '2:39',
      message: 'Module parse failed',
      details: 'at parse',
      stack: 'ModuleParseError: …',
    });
    expect(Object.keys(problem)).toEqual([
      'moduleIdentifier',
      'moduleName',
      'loc',
      'message',
      'details',
      'stack',
    ]);
  });

  it('accepts a string (webpack 4 style), an Error, and junk', () => {
    expect(normalizeProblem('boom')).toEqual({ message: 'boom' });
    const error = new Error('bad');
    expect(normalizeProblem(error)).toEqual({ message: 'bad', stack: error.stack });
    expect(normalizeProblem(undefined)).toEqual({ message: 'undefined' });
    expect(normalizeProblem({ loc: { line: 1 } })).toEqual({ message: '' });
  });

  it('does not throw on hostile getters', () => {
    const hostile = Object.defineProperty({}, 'message', {
      get() {
        throw new Error('nope');
      },
    });
    expect(normalizeProblem(hostile)).toEqual({ message: '' });
  });

  it('maps a list, and treats a non-list as empty', () => {
    expect(normalizeProblems(['a', { message: 'b' }])).toEqual([
      { message: 'a' },
      { message: 'b' },
    ]);
    expect(normalizeProblems(null)).toEqual([]);
  });
});

describe('normalizeProblem with enumerable throwing getters', () => {
  it('skips the field', () => {
    const hostile = {
      message: 'ok',
      get stack(): string {
        throw new Error('nope');
      },
    };
    expect(normalizeProblem(hostile)).toEqual({ message: 'ok' });
  });
});
