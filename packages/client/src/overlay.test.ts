// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createOverlay, OVERLAY_TAG } from './overlay';

const shadow = (): ShadowRoot => {
  const host = document.querySelector(OVERLAY_TAG);
  if (!host?.shadowRoot) throw new Error('overlay is not in the document');
  return host.shadowRoot;
};

afterEach(() => {
  document.body.replaceChildren();
});

describe('createOverlay', () => {
  it('renders compile problems in a shadow root, escaped, with ANSI colours', () => {
    const overlay = createOverlay();
    overlay.showBuildProblems(
      [
        {
          message: '\u001b[31mUnexpected token\u001b[39m <img src=x onerror="window.pwned=1">',
          moduleName: './src/leaf.js',
          loc: '2:39',
        },
      ],
      [{ message: 'a warning' }],
    );
    expect(overlay.state).toBe('build');
    const root = shadow();
    expect(root.querySelector('h1')?.textContent).toBe('Failed to compile');
    expect(root.querySelector('.summary')?.textContent).toBe('1 error, 1 warning');
    expect(root.querySelector('.where')?.textContent).toBe('./src/leaf.js 2:39');
    const pre = root.querySelector('pre')!;
    expect(pre.querySelector('img')).toBeNull();
    expect(pre.textContent).toBe('Unexpected token <img src=x onerror="window.pwned=1">');
    expect(pre.querySelector('span')?.getAttribute('style')).toContain('color:#ff6b6b');
    expect(root.querySelectorAll('.badge.warning')).toHaveLength(1);
  });

  it("links a problem's file name to the editor (moduleIdentifier), not ones without it", () => {
    const opened: string[] = [];
    const overlay = createOverlay({ openInEditor: (file) => opened.push(file) });
    overlay.showBuildProblems(
      [{ message: 'boom', moduleName: './src/a.js', moduleIdentifier: '/app/src/a.js' }],
      [{ message: 'no module' }, { message: 'w', moduleName: './src/b.js' }],
    );
    const links = shadow().querySelectorAll('a.where');
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute('href')).toBe(
      '/webpack-dev-server/open-editor?fileName=%2Fapp%2Fsrc%2Fa.js',
    );
    (links[0] as HTMLElement).click();
    expect(opened).toEqual(['/app/src/a.js']);
    expect(shadow().querySelectorAll('span.where')).toHaveLength(1);
  });

  it('is dismissed by its button and by Escape, and hidden by an empty build', () => {
    const overlay = createOverlay();
    overlay.showBuildProblems([{ message: 'x' }], []);
    shadow().querySelector('button')!.click();
    expect(overlay.state).toBe('hidden');
    expect(document.querySelector(OVERLAY_TAG)).toBeNull();

    overlay.showBuildProblems([{ message: 'x' }], []);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(overlay.state).toBe('hidden');

    overlay.showBuildProblems([{ message: 'x' }], []);
    overlay.showBuildProblems([], []);
    expect(document.querySelector(OVERLAY_TAG)).toBeNull();
    overlay.destroy();
  });

  it('collects runtime errors, but never covers build errors with them', () => {
    const overlay = createOverlay();
    overlay.showRuntimeError(new TypeError('a is undefined'));
    overlay.showRuntimeError('plain reason');
    expect(shadow().querySelector('h1')?.textContent).toBe('Uncaught runtime errors');
    expect(shadow().querySelectorAll('.item')).toHaveLength(2);
    overlay.showBuildProblems([{ message: 'syntax' }], []);
    overlay.showRuntimeError(new Error('later'));
    expect(shadow().querySelector('h1')?.textContent).toBe('Failed to compile');
    expect(shadow().querySelectorAll('.item')).toHaveLength(1);
    overlay.destroy();
  });

  it('keeps page CSS out: the host carries !important inline styles', () => {
    const style = document.createElement('style');
    style.textContent = `${OVERLAY_TAG}, pre { display: none; color: red }`;
    document.head.append(style);
    const overlay = createOverlay();
    overlay.showBuildProblems([], [{ message: 'w' }]);
    const host = document.querySelector(OVERLAY_TAG) as HTMLElement;
    expect(host.getAttribute('style')).toContain('display:block !important');
    expect(shadow().querySelector('h1')?.textContent).toBe('Compiled with warnings');
    overlay.destroy();
    style.remove();
  });
});
