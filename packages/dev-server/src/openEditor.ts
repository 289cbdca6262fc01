import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { loadOwn } from './peers';

type LaunchEditor = (
  file: string,
  onError?: (fileName: string, errorMessage: string | null) => void,
) => void;

/**
 * The file a problem's `moduleIdentifier` names: webpack writes loaders in
 * front (`…/babel-loader/lib/index.js!/app/src/a.js`) and may add a resource
 * query; the editor wants the file itself. `undefined` for anything that is
 * not an absolute path of an existing file (so the route cannot be used to
 * run an editor on arbitrary input).
 */
export function resolveEditorFile(fileName: string): string | undefined {
  const resource = fileName.slice(fileName.lastIndexOf('!') + 1);
  for (const candidate of [resource, resource.replace(/\?.*$/, '')]) {
    // launch-editor reads a `:line[:column]` suffix itself.
    const file = candidate.replace(/(?::\d+){1,2}$/, '');
    if (isAbsolute(file) && !file.includes('\0') && existsSync(file)) return candidate;
  }
  return undefined;
}

/**
 * `/webpack-dev-server/open-editor?fileName=…`: opens the file in the
 * developer's editor with `launch-editor` (as webpack-dev-server does; the
 * editor is guessed from running processes, or `LAUNCH_EDITOR` / `EDITOR`).
 * Returns whether a file was handed to the editor.
 */
export function openInEditor(fileName: string, logger: { warn(message: string): void }): boolean {
  const file = resolveEditorFile(fileName);
  if (!file) return false;
  const launch = loadOwn('launch-editor') as LaunchEditor;
  launch(file, (name, message) => {
    logger.warn(`Could not open ${name} in an editor${message ? `: ${message}` : ''}.`);
  });
  return true;
}
