/** The prefault thread (see prefault.ts): writes a zero into every page of the buffers it is sent. */
import { parentPort } from 'node:worker_threads';

const PAGE = 4096;

parentPort!.on('message', (buffers: SharedArrayBuffer[]) => {
  for (const buffer of buffers) {
    const bytes = new Uint8Array(buffer);
    for (let i = 0; i < bytes.length; i += PAGE) bytes[i] = 0;
  }
  parentPort!.postMessage(true);
});
