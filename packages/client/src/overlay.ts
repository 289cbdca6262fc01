import type { CompileProblem } from '@hmrkit/protocol';
import { ansiToHtml } from './ansi';

export type OverlayState = 'hidden' | 'build' | 'runtime';

export interface Overlay {
  /** Shows a build's errors and warnings (replacing what is shown). Empty lists hide it. */
  showBuildProblems(errors: readonly CompileProblem[], warnings: readonly CompileProblem[]): void;
  /** Adds an uncaught runtime error. Ignored while build problems are shown. */
  showRuntimeError(error: unknown): void;
  hide(): void;
  readonly state: OverlayState;
  /** Removes the element and the key listener. */
  destroy(): void;
}

export interface CreateOverlayOptions {
  /** @default globalThis.document */
  document?: Document;
  /** `client.overlay.trustedTypesPolicyName`: the policy used for the colourised messages. */
  trustedTypesPolicyName?: string;
  /**
   * Opens a problem's file (its `moduleIdentifier`) in the developer's editor
   * when its name is clicked. @default a request to the dev server's
   * `/webpack-dev-server/open-editor?fileName=…` (webpack-dev-server's route)
   */
  openInEditor?: (fileName: string) => void;
}

/** The dev server route that opens a file in the editor (webpack-dev-server's). */
export const OPEN_EDITOR_PATH = '/webpack-dev-server/open-editor';

const openEditorUrl = (fileName: string): string =>
  `${OPEN_EDITOR_PATH}?fileName=${encodeURIComponent(fileName)}`;

function requestOpenInEditor(fileName: string): void {
  // Nothing to show either way: the server answers an empty 200 (or 403 cross-origin).
  fetch(openEditorUrl(fileName)).catch(() => {});
}

/** The overlay's element name; a custom element name so page selectors like `div` miss it. */
export const OVERLAY_TAG = 'hmrkit-overlay';

const STYLES = `
.backdrop{position:fixed;inset:0;overflow:auto;box-sizing:border-box;padding:6vh 16px;
  background:rgba(1,4,9,.78);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  color:#e6edf3;text-align:left;direction:ltr}
.panel{box-sizing:border-box;max-width:960px;margin:0 auto;background:#161b22;border:1px solid #30363d;
  border-top:4px solid #f85149;border-radius:10px;box-shadow:0 24px 64px rgba(0,0,0,.55);overflow:hidden}
.panel.warning{border-top-color:#d29922}
header{display:flex;align-items:center;gap:12px;padding:16px 20px;border-bottom:1px solid #30363d}
h1{margin:0;font-size:18px;font-weight:600;color:#ff7b72}
.warning h1{color:#e3b341}
.summary{color:#8b949e;font-size:13px}
button{margin-left:auto;appearance:none;border:1px solid #30363d;background:#21262d;color:#c9d1d9;
  border-radius:6px;font:inherit;font-size:13px;padding:4px 12px;cursor:pointer}
button:hover,button:focus-visible{background:#30363d;outline:none}
.list{padding:4px 20px 20px}
.item{margin-top:16px;border:1px solid #30363d;border-radius:8px;overflow:hidden}
.item-head{display:flex;flex-wrap:wrap;align-items:center;gap:10px;padding:8px 12px;background:#1c2128;
  font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.badge{font:700 11px/1.6 system-ui,sans-serif;letter-spacing:.05em;padding:0 6px;border-radius:4px;
  background:#da3633;color:#fff}
.badge.warning{background:#9e6a03}
.where{color:#79c0ff;word-break:break-all}
a.where{text-decoration:underline dotted;cursor:pointer}
a.where:hover,a.where:focus-visible{text-decoration:underline;outline:none}
pre{margin:0;padding:12px 14px;font:13px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  white-space:pre-wrap;word-break:break-word;color:#e6edf3;background:#0d1117;max-height:55vh;overflow:auto}
footer{padding:10px 20px;border-top:1px solid #30363d;color:#8b949e;font-size:12px}
kbd{font:11px ui-monospace,monospace;border:1px solid #30363d;border-bottom-width:2px;border-radius:4px;
  padding:0 4px;color:#c9d1d9}
`;

// The host is styled inline with !important so page CSS cannot move or hide
// it; everything inside lives in a shadow root the page's CSS cannot reach.
const HOST_STYLE =
  'all:initial !important;position:fixed !important;inset:0 !important;' +
  'z-index:2147483647 !important;display:block !important;';

interface Item {
  kind: 'error' | 'warning';
  where: string;
  message: string;
  /** The module's identifier: its name opens it in the editor. */
  file?: string;
}

type HtmlPolicy = { createHTML(html: string): unknown };

function createPolicy(view: Window | null, name: string | undefined): HtmlPolicy | undefined {
  const trustedTypes = (
    view as { trustedTypes?: { createPolicy(n: string, r: object): HtmlPolicy } }
  )?.trustedTypes;
  if (!name || !trustedTypes) return undefined;
  // The input is escaped before it is coloured (ansiToHtml), hence the identity.
  return trustedTypes.createPolicy(name, { createHTML: (html: string) => html });
}

function describeProblem(problem: CompileProblem): string {
  const where = problem.moduleName ?? problem.file ?? '';
  return [where, problem.loc].filter(Boolean).join(' ');
}

function toItem(kind: Item['kind'], problem: CompileProblem): Item {
  const item: Item = { kind, where: describeProblem(problem), message: problem.message };
  if (problem.moduleIdentifier) item.file = problem.moduleIdentifier;
  return item;
}

function describeRuntimeError(error: unknown): Item {
  if (
    error instanceof Error ||
    (typeof error === 'object' && error !== null && 'message' in error)
  ) {
    const { message, stack, name } = error as {
      message?: unknown;
      stack?: unknown;
      name?: unknown;
    };
    const text = String(message);
    const stackText = typeof stack === 'string' ? stack : '';
    return {
      kind: 'error',
      where: typeof name === 'string' ? name : 'Error',
      message: stackText.includes(text) ? stackText : [text, stackText].filter(Boolean).join('\n'),
    };
  }
  return { kind: 'error', where: 'Uncaught', message: String(error) };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The error overlay: a shadow-DOM panel, dismissed with its button or Escape. */
export function createOverlay(options: CreateOverlayOptions = {}): Overlay {
  const doc = options.document ?? globalThis.document;
  const openInEditor = options.openInEditor ?? requestOpenInEditor;
  let host: HTMLElement | undefined;
  let root: ShadowRoot | undefined;
  let state: OverlayState = 'hidden';
  let runtimeItems: Item[] = [];
  let policy: HtmlPolicy | undefined;
  let policyMade = false;

  const onKey = (event: KeyboardEvent): void => {
    if (state !== 'hidden' && event.key === 'Escape') hide();
  };

  const setHtml = (element: Element, html: string): void => {
    if (!policyMade) {
      policyMade = true;
      policy = createPolicy(doc.defaultView, options.trustedTypesPolicyName);
    }
    (element as { innerHTML: unknown }).innerHTML = policy ? policy.createHTML(html) : html;
  };

  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className?: string,
    text?: string,
  ): HTMLElementTagNameMap[K] => {
    const element = doc.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  };

  const render = (title: string, summary: string, items: Item[]): void => {
    if (!host) {
      host = doc.createElement(OVERLAY_TAG);
      host.setAttribute('style', HOST_STYLE);
      root = host.attachShadow({ mode: 'open' });
      doc.addEventListener('keydown', onKey, true);
    }
    const shadow = root!;
    shadow.replaceChildren();
    const style = el('style');
    style.textContent = STYLES;
    const backdrop = el('div', 'backdrop');
    const onlyWarnings = items.every((item) => item.kind === 'warning');
    const panel = el('div', onlyWarnings ? 'panel warning' : 'panel');
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', title);
    const header = el('header');
    const button = el('button', undefined, 'Dismiss ×');
    button.type = 'button';
    button.setAttribute('aria-label', 'Dismiss (Escape)');
    button.addEventListener('click', () => hide());
    header.append(el('h1', undefined, title), el('span', 'summary', summary), button);
    const list = el('div', 'list');
    for (const item of items) {
      const section = el('section', `item ${item.kind}`);
      const head = el('div', 'item-head');
      head.append(el('span', `badge ${item.kind}`, item.kind.toUpperCase()));
      if (item.where && item.file) {
        const file = item.file;
        const link = el('a', 'where open', item.where);
        link.href = openEditorUrl(file);
        link.title = 'Open in editor';
        link.addEventListener('click', (event) => {
          event.preventDefault();
          openInEditor(file);
        });
        head.append(link);
      } else if (item.where) head.append(el('span', 'where', item.where));
      const pre = el('pre');
      setHtml(pre, ansiToHtml(item.message));
      section.append(head, pre);
      list.append(section);
    }
    const footer = el('footer');
    const kbd = el('kbd', undefined, 'Esc');
    footer.append(
      'Fix the problem and save: this closes by itself when the build is clean. ',
      kbd,
      ' dismisses it.',
    );
    panel.append(header, list, footer);
    backdrop.append(panel);
    shadow.append(style, backdrop);
    const parent = doc.body ?? doc.documentElement;
    if (host.parentNode !== parent) parent.append(host);
  };

  function hide(): void {
    state = 'hidden';
    runtimeItems = [];
    host?.remove();
  }

  return {
    showBuildProblems(errors, warnings) {
      if (errors.length === 0 && warnings.length === 0) {
        if (state === 'build') hide();
        return;
      }
      state = 'build';
      runtimeItems = [];
      const items: Item[] = [
        ...errors.map((p) => toItem('error', p)),
        ...warnings.map((p) => toItem('warning', p)),
      ];
      const counts = [
        errors.length ? plural(errors.length, 'error') : '',
        warnings.length ? plural(warnings.length, 'warning') : '',
      ].filter(Boolean);
      render(
        errors.length ? 'Failed to compile' : 'Compiled with warnings',
        counts.join(', '),
        items,
      );
    },
    showRuntimeError(error) {
      if (state === 'build') return;
      state = 'runtime';
      runtimeItems.push(describeRuntimeError(error));
      render('Uncaught runtime errors', plural(runtimeItems.length, 'error'), runtimeItems);
    },
    hide,
    get state() {
      return state;
    },
    destroy() {
      hide();
      doc.removeEventListener('keydown', onKey, true);
      host = undefined;
      root = undefined;
    },
  };
}
