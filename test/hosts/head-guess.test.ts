import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentPayload } from '../../electron/hosts/ssh/agent-payload';
import { agentPayloadOf, agentProgram, agentSource } from '../../electron/hosts/ssh/agent-source';
import { agentGuess, lastAgentRequest } from '../../electron/hosts/ssh/head-guess';
import { expectForeignCachesIgnored } from '../kernel/support/foreign-cache';

/**
 * The CLI head start's guess (electron/hosts/ssh/head-guess.ts): the request the last run sent a
 * host, kept in the user's cache. What is kept is data another process could have planted, and
 * it ends up in a program run on the host: only base64 ever reaches it.
 */
describe("a head start's guess is the last run's request, and nothing but a request", () => {
  let cache: string;
  afterEach(() => rmSync(cache, { recursive: true, force: true }));
  const fresh = () => (cache = mkdtempSync(join(tmpdir(), 'hostdeck-guess-')));
  /** Waits for taken()'s recording (it writes once the agent source is loaded). */
  const settle = () => new Promise((r) => setTimeout(r, 50));
  const guessDir = () => join(cache, 'head-requests');

  it('records the request the taker sent and guesses exactly that program next time, per session and purpose', async () => {
    fresh();
    const request = { op: 'batch', requests: [{ op: 'procsys' }, { op: 'describe' }] };
    expect(await agentGuess('ssh h1', 'sysctl', cache).input).toBeNull();
    agentGuess('ssh h1', 'sysctl', cache).taken!(agentProgram(agentPayload(request)));
    await settle();
    expect(await agentGuess('ssh h1', 'sysctl', cache).input).toBe(agentProgram(agentPayload(request)));
    // Another host's session, or another kind of run, guesses nothing from it.
    expect(await agentGuess('ssh h2', 'sysctl', cache).input).toBeNull();
    expect(await agentGuess('ssh h1', 'dns', cache).input).toBeNull();
    // Only the request is kept, never program text.
    const [file] = readdirSync(guessDir());
    expect(readFileSync(join(guessDir(), file!), 'utf8')).toBe(agentPayload(request));
  });

  it('text that is not an agent program is never recorded', async () => {
    fresh();
    agentGuess('ssh h1', 'sysctl', cache).taken!('import os\nos.system("id")\n');
    agentGuess('ssh h1', 'sysctl', cache).taken!(`${agentSource}\nprint(1)\n`);
    await settle();
    expect(() => readdirSync(guessDir())).toThrow();
    expect(agentPayloadOf(`${agentProgram(agentPayload({ op: 'describe' }))}import os\n`)).toBeNull();
  });

  it("a planted guess that would end the request's string literal is refused; a planted request is only ever a request", async () => {
    fresh();
    agentGuess('ssh h1', 'sysctl', cache).taken!(agentProgram(agentPayload({ op: 'describe' })));
    await settle();
    const [file] = readdirSync(guessDir());
    const planted = join(guessDir(), file!);
    writeFileSync(planted, "e30=').decode())\nimport os; os.system('touch /tmp/pwned')\n#", { mode: 0o600 });
    expect(lastAgentRequest('ssh h1', 'sysctl', cache)).toBeNull();
    expect(await agentGuess('ssh h1', 'sysctl', cache).input).toBeNull();
    // A valid request someone else wrote is used as a request: the taker's exact-match check decides.
    writeFileSync(planted, agentPayload({ op: 'read', requests: [{ path: '/etc/shadow' }] }), { mode: 0o600 });
    const program = (await agentGuess('ssh h1', 'sysctl', cache).input)!;
    expect(program.startsWith(agentSource)).toBe(true);
    expect(agentPayloadOf(program)).toBe(agentPayload({ op: 'read', requests: [{ path: '/etc/shadow' }] }));
    expect(() => agentProgram("x')\nimport os\n#")).toThrow(/base64/);
  });

  it('a guess file of another owner, writable by others or through a symlink is not read', async () => {
    fresh();
    agentGuess('ssh h1', 'sysctl', cache).taken!(agentProgram(agentPayload({ op: 'describe' })));
    await settle();
    const [file] = readdirSync(guessDir());
    expectForeignCachesIgnored({
      dir: guessDir(),
      file: join(guessDir(), file!),
      work: cache,
      planted: agentPayload({ op: 'describe' }),
      read: () => lastAgentRequest('ssh h1', 'sysctl', cache),
    });
  });
});
