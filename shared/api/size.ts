/**
 * Size of a value as JSON text, in UTF-8 bytes, counted without building the text and without
 * looking further than `limit`: returns a number > limit as soon as the value is known to be
 * larger. IPC receives structured clones, not bytes, so this is how it applies the same limits
 * (OperationDef.maxBytes) as browser mode does on the body it reads.
 */
export function jsonSizeWithin(value: unknown, limit: number): number {
  let size = 0;
  const seen = new Set<object>();
  const over = () => size > limit;
  const visit = (v: unknown): void => {
    if (over()) return;
    if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      size += 4;
      return;
    }
    if (typeof v === 'string') {
      size += utf8Length(v, limit - size) + 2;
      return;
    }
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      size += String(v).length;
      return;
    }
    if (typeof v !== 'object') return;
    if (seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      // Typed arrays serialize as {"0":n,...}: at least 6 bytes per element.
      size += v.byteLength * 6;
      return;
    }
    if (Array.isArray(v)) {
      size += 2 + Math.max(0, v.length - 1); // brackets and commas
      for (const x of v) {
        if (over()) return;
        visit(x);
      }
      return;
    }
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
    size += 2 + Math.max(0, entries.length - 1); // braces and commas
    for (const [k, x] of entries) {
      if (over()) return;
      size += utf8Length(String(k), limit - size) + 3; // "key":
      visit(x);
    }
  };
  visit(value);
  return size;
}

/** UTF-8 length of a string, stopping once it exceeds `max` (JSON escapes are not counted). */
function utf8Length(s: string, max: number): number {
  if (s.length > max) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** "16 MiB", "1 MiB", "512 KiB" for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

/** The error text for a request over its limit, the same on every transport. */
export function tooLargeMessage(channel: string, limit: number): string {
  return `The request to ${channel} is larger than its limit of ${formatBytes(limit)}: send less at once (split large imports).`;
}
