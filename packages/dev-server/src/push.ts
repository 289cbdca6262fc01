import { join } from 'node:path';
import { getChildStats } from '@hmrkit/memfs-middleware';
import {
  createHotUpdateMessage,
  type PushedFile,
  parsePushRequest,
  type ServerMessage,
  serializeMessage,
} from '@hmrkit/protocol';
import type { SocketClient, SocketServer } from '@hmrkit/socket-server';
import type { Compilation, MultiStats, Stats } from 'webpack';
import { invalidOption } from './errors';

/**
 * The pushed update's size limit: the hot-update files of one build, in bytes.
 * A leaf edit is a few KiB (tens with inline source maps); a build over this
 * is fetched over HTTP as with webpack-dev-server.
 */
export const DEFAULT_HOT_PUSH_MAX_BYTES: number = 1024 * 1024;

/** `devServer.hotPush`: hmrkit's own option (webpack-dev-server has none). */
export type HotPushOption = boolean | { maxBytes?: number };

export type NormalizedHotPush = false | { maxBytes: number };

/** Validates `devServer.hotPush` (default on, 1 MiB). */
export function normalizeHotPush(value: unknown): NormalizedHotPush {
  if (value === undefined || value === true) return { maxBytes: DEFAULT_HOT_PUSH_MAX_BYTES };
  if (value === false) return false;
  const maxBytes =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { maxBytes?: unknown }).maxBytes
      : Number.NaN;
  const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
  if (
    keys.some((key) => key !== 'maxBytes') ||
    (maxBytes !== undefined &&
      !(typeof maxBytes === 'number' && Number.isSafeInteger(maxBytes) && maxBytes >= 0))
  ) {
    throw invalidOption('hotPush', 'a boolean or { maxBytes: <bytes ≥ 0> }', value);
  }
  return { maxBytes: maxBytes ?? DEFAULT_HOT_PUSH_MAX_BYTES };
}

type ReadableFs = { readFileSync?: (path: string) => Buffer | string };

/**
 * The hot-update files (manifest and chunks) a build emitted, read from the
 * compiler's output file system (memfs-middleware's memory), named as the page
 * requests them: relative to `output.path`. `undefined` when there are none or
 * together they are over `maxBytes`. A file that cannot be read is left out:
 * the page fetches it.
 */
export function collectHotUpdateFiles(
  stats: Stats | MultiStats,
  maxBytes: number,
): PushedFile[] | undefined {
  const files: PushedFile[] = [];
  let bytes = 0;
  for (const child of getChildStats(stats)) {
    const compilation: Compilation = child.compilation;
    const outputPath = compilation.outputOptions.path ?? '';
    const fs = compilation.compiler.outputFileSystem as ReadableFs | null;
    // getAssets(), not assetsInfo: Rspack's compilation has only the former.
    for (const { name, info } of compilation.getAssets()) {
      if (!info.hotModuleReplacement) continue;
      let content: Buffer | string;
      try {
        const read = fs?.readFileSync?.(join(outputPath, name));
        if (read === undefined) continue;
        content = read;
      } catch {
        continue;
      }
      bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
      if (bytes > maxBytes) return undefined;
      files.push({
        name,
        content: typeof content === 'string' ? content : content.toString('utf8'),
      });
    }
  }
  return files.length > 0 ? files : undefined;
}

/**
 * The clients that asked for pushed updates (`hmrkit-push`), and the frames
 * after a build: theirs with the `hot-update` frame between `hash` and
 * `ok`/`warnings`, everyone else's exactly webpack-dev-server's.
 */
export interface PushChannel {
  /** Sends a build's frames to every client; pushes the update to those that asked. */
  broadcastBuild(messages: readonly ServerMessage[], stats: Stats | MultiStats): void;
  /** How many connected clients asked for pushes. */
  readonly clients: number;
}

export function createPushChannel(sockets: SocketServer, option: NormalizedHotPush): PushChannel {
  // client → the largest frame it parses
  const pushing = new Map<SocketClient, number>();
  if (option) {
    sockets.on('message', (client, envelope) => {
      const request = parsePushRequest(envelope);
      if (request) pushing.set(client, request.data.maxBytes);
    });
    sockets.on('disconnect', (client) => {
      pushing.delete(client);
    });
  }
  // A build's frames go out together (one write per client where the transport can).
  const broadcastAll = (messages: readonly ServerMessage[]): void => {
    sockets.batch(() => {
      for (const message of messages) sockets.broadcast(message);
    });
  };
  return {
    get clients() {
      return pushing.size;
    },
    broadcastBuild(messages, stats) {
      const applies = messages.some(
        (m) => m.type === 'ok' || (m.type === 'warnings' && !m.params?.preventReloading),
      );
      if (!option || pushing.size === 0 || !applies || messages[0]?.type !== 'hash') {
        broadcastAll(messages);
        return;
      }
      const files = collectHotUpdateFiles(stats, option.maxBytes);
      if (!files) {
        broadcastAll(messages);
        return;
      }
      const push = createHotUpdateMessage({ hash: messages[0].data, files });
      // Serialized, a UTF-16 unit is at most 6 bytes (a \u00XX escape); only a client whose
      // frame limit is below that bound needs the exact size (a second serialization).
      const bound = files.reduce((sum, f) => sum + 6 * (f.content.length + f.name.length), 1024);
      let exact: number | undefined;
      const fits = (client: SocketClient): boolean => {
        const limit = pushing.get(client);
        if (limit === undefined) return false;
        if (limit >= bound) return true;
        exact ??= Buffer.byteLength(serializeMessage(push));
        return limit >= exact;
      };
      const [first, ...rest] = messages;
      sockets.batch(() => {
        if (first) sockets.broadcast(first);
        sockets.broadcast(push, fits);
        for (const message of rest) sockets.broadcast(message);
      });
    },
  };
}
