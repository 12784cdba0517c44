import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { newWebhookSecret, signedMessage } from '../../src/webhooks/signing.ts';

/** examples/alert-receiver.mjs, started on a free port with the given secrets. */
async function startExampleReceiver(secretSetting: string) {
  const child = spawn(process.execPath, ['examples/alert-receiver.mjs'], {
    env: { ...process.env, PORT: '0', MUTUALFIT_WEBHOOK_SECRET: secretSetting },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = /listening on port (\d+)/.exec(line.toString())?.[1];
  expect(port, line.toString()).toBeDefined();
  return `http://127.0.0.1:${port}/hooks`;
}

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill();
    if (child.exitCode === null) await once(child, 'exit');
  }
});

let n = 0;
/** The receiver's answer to one event signed with `secrets`. */
async function statusOf(url: string, secrets: [string, ...string[]]) {
  const message = signedMessage(
    secrets,
    {
      id: `0192f0c4-8b1e-7a00-8000-00000000000${n++}`,
      type: 'candidate.erased',
      occurredAt: new Date(),
      data: { candidateId: 'c' },
    },
    new Date(),
  );
  const response = await fetch(url, { method: 'POST', headers: message.headers, body: message.body });
  return response.status;
}

describe('the example receiver (examples/alert-receiver.mjs)', () => {
  const [newer, older, stranger] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];

  it('keeps verifying with the old secret while a rotation signs with both', async () => {
    const url = await startExampleReceiver(older);
    expect(await statusOf(url, [newer, older])).toBe(204);
    expect(await statusOf(url, [newer])).toBe(400);
  });

  it('accepts a request any of its several secrets verifies, and refuses one none does', async () => {
    for (const setting of [`${newer} ${older}`, `${newer},${older}`]) {
      const url = await startExampleReceiver(setting);
      expect(await statusOf(url, [newer])).toBe(204);
      expect(await statusOf(url, [older])).toBe(204);
      expect(await statusOf(url, [newer, older])).toBe(204);
      expect(await statusOf(url, [stranger])).toBe(400);
    }
  });
});
