import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { capturedCli } from '../support/cli';

/** cli.action: the one error path of every CLI command (message on stderr, exit code 1). */
const context = capturedCli;

const before = process.exitCode;
afterEach(() => {
  process.exitCode = before;
});

describe('cli.action', () => {
  it('passes the arguments through and leaves a successful run alone', async () => {
    const { cli, out, err } = context();
    process.exitCode = 0;
    await cli.action(async (name: string, o: { json?: boolean }) => cli.print({ name }, !!o.json, (d) => d.name))('web1', { json: true });
    expect(JSON.parse(out())).toEqual({ name: 'web1' });
    expect(err()).toBe('');
    expect(process.exitCode).toBe(0);
  });

  it('reports an ApiError with its code, and the issues of invalid input, and exits 1', async () => {
    const { cli, out, err } = context();
    process.exitCode = 0;
    await cli.action(async () => {
      throw new ApiError('INVALID_INPUT', 'bad --limit', { issues: [{ path: ['limit'], message: 'too big' }] });
    })();
    expect(out()).toBe('');
    expect(err()).toMatch(/^hostdeck: bad --limit \[INVALID_INPUT\]\n\[\n/);
    expect(err()).toContain('"too big"');
    expect(process.exitCode).toBe(1);
  });

  it('catches what a synchronous action throws, and lets the command explain it first', async () => {
    const { cli, err } = context();
    process.exitCode = 0;
    await cli.action(
      () => {
        throw new Error('raw');
      },
      (e) => new ApiError('CONFLICT', `explained: ${(e as Error).message}`),
    )();
    expect(err()).toBe('hostdeck: explained: raw [CONFLICT]\n');
    expect(process.exitCode).toBe(1);
  });
});
