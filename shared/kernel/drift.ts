/**
 * The one rule for drift, used by `kernel.list` and `kernel.effective` alike: a configured value
 * drifts when the live value read from host.procSys is readable and differs from it. Blanks are
 * compared loosely because the kernel prints vectors with tabs ("4096\t131072\t6291456") while
 * files use spaces. A key that is missing or cannot be read has no live value to compare with:
 * that is not drift (the sysctl.d check warns about missing keys instead).
 */
export interface LiveValue {
  state: 'ok' | 'write-only' | 'side-effect' | 'unreadable';
  value?: string;
}

export function sameSysctlValue(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ') === b.trim().replace(/\s+/g, ' ');
}

export function isDrift(configured: string, live: LiveValue | undefined): boolean {
  return !!live && live.state === 'ok' && !sameSysctlValue(live.value ?? '', configured);
}
