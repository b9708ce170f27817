import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KEPT_AGENT_COMMAND, keptAgentProgram } from '../../electron/hosts/ssh/kept-agent';

/**
 * The kept read agent's serve loop (hostdeck-agent.py serve(), started by the bootstrap SSH runs
 * on the host), run here exactly as the host runs it: `sh -c` of the same command line, the same
 * length-prefixed program on stdin, then framed requests (4-byte big-endian length + JSON).
 */

function start(idleS: number): { child: ChildProcessWithoutNullStreams; answers: AsyncGenerator<unknown>; exited: Promise<number | null> } {
  const child = spawn('/bin/sh', ['-c', KEPT_AGENT_COMMAND], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stdin.write(keptAgentProgram(idleS));
  async function* frames(): AsyncGenerator<unknown> {
    let buf = Buffer.alloc(0);
    let greeted = false;
    for await (const chunk of child.stdout) {
      buf = Buffer.concat([buf, chunk as Buffer]);
      for (;;) {
        if (!greeted) {
          const nl = buf.indexOf(10);
          if (nl < 0) break;
          expect(buf.subarray(0, nl).toString()).toMatch(/^hostdeck-agent serve 1 pid=\d+$/);
          buf = buf.subarray(nl + 1);
          greeted = true;
          continue;
        }
        if (buf.length < 4 || buf.length < 4 + buf.readUInt32BE(0)) break;
        const n = buf.readUInt32BE(0);
        yield JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
        buf = buf.subarray(4 + n);
      }
    }
  }
  return { child, answers: frames(), exited };
}

function frame(request: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(request));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

describe('kept read agent: serve loop', () => {
  it("answers framed requests one after another in one process, only the one-shot agent's ops, and exits at EOF", async () => {
    const a = start(60);
    const next = async () => (await a.answers.next()).value as { protocol: number; result?: { result?: unknown }[]; error?: { code: string } };
    a.child.stdin.write(frame({ op: 'batch', requests: [{ op: 'describe', exists: [] }] }));
    const first = await next();
    expect(first.protocol).toBe(1);
    expect(first.result![0]!).toHaveProperty('result.hostname');
    // Not an op of the agent: answered as an error, nothing run, and the loop goes on.
    a.child.stdin.write(frame({ op: 'exec', argv: ['/bin/true'] }));
    expect((await next()).error?.code).toBe('UNSUPPORTED');
    a.child.stdin.write(frame({ op: 'batch', requests: [{ op: 'read', requests: [{ path: '/etc/passwd', content: true }] }] }));
    const third = (await next()).result![0]!.result as { bytes: string }[];
    expect(Buffer.from(third[0]!.bytes, 'base64').toString()).toContain('root:');
    a.child.stdin.end();
    expect(await a.exited).toBe(0);
  });

  it('exits by itself when no request comes within its idle time', { timeout: 30_000 }, async () => {
    const a = start(1);
    a.child.stdin.write(frame({ op: 'describe', exists: [] }));
    expect(((await a.answers.next()).value as { protocol: number }).protocol).toBe(1);
    // stdin stays open: only its own idle limit ends it.
    expect(await a.exited).toBe(0);
    a.child.stdin.end();
  });

  it('a request announced over its size limit ends it without reading the rest', async () => {
    const a = start(60);
    a.child.stdin.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(await a.exited).toBe(0);
    a.child.stdin.end();
  });
});
