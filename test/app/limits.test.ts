import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { listOperations } from '../../shared/api/contract';
import { DEFAULT_MAX_INPUT_BYTES, inputLimit } from '../../shared/api/define';
import type { Envelope } from '../../shared/api/errors';
import { jsonSizeWithin } from '../../shared/api/size';
import { IMPORT_REQUEST_MAX_BYTES } from '../../shared/compare/imports';
import { COLLECT_MAX_INPUT_BYTES } from '../../shared/compare/collect';
import { Runtime } from '../../electron/api/runtime';
import { registerIpcHandlers, type IpcMainLike } from '../../electron/app/ipc';
import { APP_ORIGIN } from '../../electron/app/security';

describe('input limits in the contract', () => {
  it('every operation has one: 1 MiB unless declared, never more than 16 MiB (compare.import and importMany: 32 MiB of text as JSON)', () => {
    const limits = Object.fromEntries(listOperations().map((o) => [o.channel, inputLimit(o.def)]));
    expect(DEFAULT_MAX_INPUT_BYTES).toBe(1024 * 1024);
    expect(limits['app.info']).toBe(DEFAULT_MAX_INPUT_BYTES);
    expect(limits['firewall.ipsetSetEntries']).toBe(16 * 1024 * 1024);
    expect(limits['dns.check']).toBe(1024 * 1024);
    expect(limits['compare.import']).toBe(IMPORT_REQUEST_MAX_BYTES);
    // Several hosts' files in one call share the one import's 32 MiB (the op refuses more).
    expect(limits['compare.importMany']).toBe(IMPORT_REQUEST_MAX_BYTES);
    // A collect run is an inventory path and a pattern: its two ops take a few KiB.
    expect([limits['compare.collect'], limits['compare.collectCancel']]).toEqual([COLLECT_MAX_INPUT_BYTES, COLLECT_MAX_INPUT_BYTES]);
    expect(COLLECT_MAX_INPUT_BYTES).toBeLessThan(DEFAULT_MAX_INPUT_BYTES);
    for (const [channel, limit] of Object.entries(limits)) if (!channel.startsWith('compare.import')) expect(limit, channel).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('measures JSON size without building the text, and stops past the limit', () => {
    for (const v of [{}, { a: [1, 'x', null, true] }, { input: { text: 'ünïcode ✓ 😀', list: ['a', 'b'] } }, [[], {}, '']]) {
      expect(jsonSizeWithin(v, 1e9)).toBe(Buffer.byteLength(JSON.stringify(v)));
    }
    const huge = { entries: Array.from({ length: 1_000_000 }, () => '192.0.2.1') };
    expect(jsonSizeWithin(huge, 1024)).toBeGreaterThan(1024);
  });

  it('IPC refuses what browser mode refuses, before validation', async () => {
    const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Envelope>>();
    const ipc: IpcMainLike = { handle: (channel, fn) => void handlers.set(channel, fn) };
    const rt = new Runtime({ mode: 'electron', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
    const frame = { url: `${APP_ORIGIN}/index.html`, parent: null };
    registerIpcHandlers(ipc, rt, () => frame);
    const event = { senderFrame: frame } as unknown as IpcMainInvokeEvent;
    const entries = Array.from({ length: 150_000 }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}`);
    const tooBig = await handlers.get('hostdeck:app.info')!(event, { input: { entries } });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', detail: { limit: DEFAULT_MAX_INPUT_BYTES } } });
    const bulk = await handlers.get('hostdeck:firewall.ipsetSetEntries')!(event, { input: { name: 'x', layer: 'runtime', entries } });
    expect(bulk).toMatchObject({ ok: false, error: { code: 'FIREWALLD_NOT_RUNNING' } });
    await rt.dispose();
  });
});
