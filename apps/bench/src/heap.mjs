// RSS after a burst of edits is mostly garbage V8 has not collected yet, so it swings with GC
// timing. The server's inspector tells the retained part: heap in use before and after a forced
// full GC, and the RSS after it.
import WebSocket from 'ws';
import { processTreeRss } from './targets.mjs';

/**
 * @typedef {object} HeapProbe
 * @property {number} heapUsed         bytes in use on the V8 heap before the forced GC
 * @property {number} heapUsedAfterGc  bytes still in use after it (what the server retains)
 * @property {number} rssAfterGc       process-tree RSS after it
 */

/**
 * @param {number} inspectPort  the port given to the server's --inspect
 * @param {number} pid
 * @returns {Promise<HeapProbe>}
 */
export async function probeHeap(inspectPort, pid) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let lastId = 0;
  /**
   * @param {string} method
   * @returns {Promise<Record<string, number>>}
   */
  const call = (method) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      /** @param {import('ws').RawData} raw */
      const onMessage = (raw) => {
        const message = JSON.parse(String(raw));
        if (message.id !== id) return;
        ws.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    const before = await call('Runtime.getHeapUsage');
    // Twice: objects with finalizers or weak references survive the first full GC.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const after = await call('Runtime.getHeapUsage');
    return {
      heapUsed: before.usedSize,
      heapUsedAfterGc: after.usedSize,
      rssAfterGc: processTreeRss(pid),
    };
  } finally {
    ws.close();
  }
}
