/**
 * sysctl.d globs as systemd-sysctl hands them to glob(3) (GLOB_BRACE, matched against what
 * exists under /proc/sys), decided without backtracking and without expanding the braces.
 *
 * The meaning is exactly that of expanding the braces first (as glibc does: the first "{" with
 * a matching "}" splits the pattern into alternatives, an unmatched first "{" turns brace
 * expansion off), splitting each expansion at "/" and matching each component with `*`, `?`,
 * `[...]` (first "]" at least two characters after the "[", "!" or "^" negates, reversed ranges
 * match nothing), `\x` escapes, and a component that does not start with "." never matching a
 * name that does. Hand-written: a regular expression per component backtracks exponentially
 * (14 stars took 11 s per path) and expanding 20 brace groups makes a million patterns, while
 * this walks the pattern as an automaton over the path: cost is at most pattern size times path
 * length, whatever the pattern, and the braces are never multiplied out. Callers can cap the
 * steps (sysctld.ts does, per glob and per tree) for megabyte-sized patterns.
 */

const LIT = 0;
const OPEN = 1;
const COMMA = 2;
const CLOSE = 3;

export interface CompiledGlob {
  pattern: string;
  /** The pattern's code points. */
  cps: string[];
  /** Per code point: LIT, or OPEN/COMMA/CLOSE of a brace group glob(3) expands. */
  kind: Uint8Array;
  /** OPEN: its "}". */
  close: Int32Array;
  /** COMMA: its "{". */
  owner: Int32Array;
  /** OPEN: its first comma (-1 for none); COMMA: the next comma of the same group (-1 for none). */
  nextComma: Int32Array;
  /** How many patterns glob(3) makes of the braces (Infinity beyond 2^1024). */
  combinations: number;
}

/**
 * Classifies the braces (one pass with a stack, then the glibc rules per range) and counts the
 * combinations, in time and memory linear in the pattern (typed arrays: a hostile pattern is a
 * megabyte of braces).
 */
export function compileGlob(pattern: string): CompiledGlob {
  const cps = [...pattern];
  const n = cps.length;
  const kind = new Uint8Array(n);
  // The "}" matching each "{" and the commas at its own level (depth counting from the "{"),
  // as a linked list per "{" (first in nextComma[open], then nextComma[comma]).
  const close = new Int32Array(n).fill(-1);
  const owner = new Int32Array(n).fill(-1);
  const nextComma = new Int32Array(n).fill(-1);
  const lastComma = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cps[i];
    if (c === '{') stack.push(i);
    else if (c === '}' && stack.length) close[stack.pop()!] = i;
    else if (c === ',' && stack.length) {
      const top = stack[stack.length - 1]!;
      owner[i] = top;
      if (lastComma[top]! < 0) nextComma[top] = i;
      else nextComma[lastComma[top]!] = i;
      lastComma[top] = i;
    }
  }
  const nextOpen = new Int32Array(n + 1).fill(n);
  for (let i = n - 1; i >= 0; i--) nextOpen[i] = cps[i] === '{' ? i : nextOpen[i + 1]!;
  // Ranges to classify (pairs lo, hi): the whole pattern, then each alternative and what follows each group.
  const ranges: number[] = [0, n];
  while (ranges.length) {
    const hi = ranges.pop()!;
    const lo = ranges.pop()!;
    const o = nextOpen[lo]!;
    if (o >= hi) continue;
    const end = close[o]!;
    // An unmatched first "{": glob(3) turns GLOB_BRACE off for the rest (everything literal).
    if (end < 0 || end >= hi) continue;
    kind[o] = OPEN;
    kind[end] = CLOSE;
    let from = o;
    for (let c = nextComma[o]!; c >= 0; c = nextComma[c]!) {
      kind[c] = COMMA;
      ranges.push(from + 1, c);
      from = c;
    }
    ranges.push(from + 1, end, end + 1, hi);
  }
  for (let i = 0; i < n; i++) if (kind[i] !== COMMA) owner[i] = -1;
  const ways = new Float64Array(n + 1);
  ways[n] = 1;
  for (let i = n - 1; i >= 0; i--) {
    if (kind[i] === OPEN) {
      let w = ways[i + 1]!;
      for (let c = nextComma[i]!; c >= 0; c = nextComma[c]!) w += ways[c + 1]!;
      ways[i] = w;
    } else if (kind[i] === COMMA) ways[i] = ways[close[owner[i]!]! + 1]!;
    else ways[i] = ways[i + 1]!;
  }
  return { pattern, cps, kind, close, owner, nextComma, combinations: ways[0]! };
}

/*
 * Interpreter states, packed in a number. A "T" state reads the next pattern character as a new
 * token; "STAR" is inside a "*"; "ESC" after a "\" that escapes; "BR" inside a bracket
 * expression. Flags: at a component start; the guard of a "[" read as a literal (glob(3) reads
 * it so only when no "]" follows two or more characters later in the component: 1 = skip one
 * character, 2 = no "]" until the component ends); a "\" read as a literal (only as the last
 * character of a component).
 */
const T = 0;
const STAR = 1;
const ESC = 2;
const BR = 3;
const COMP_START = 1 << 2;
const GUARD_SHIFT = 3; // 2 bits
const MUST_END = 1 << 5;
// Bracket fields (BR only).
const BR_BODY = 1 << 6;
const BR_NEG = 1 << 7;
const BR_MATCHED = 1 << 8;
const BR_NONEMPTY = 1 << 9;
const PEND_SHIFT = 10; // 0 none, 1 a character, 2 a character and "-" (the character itself rides beside the state)

const stKind = (st: number) => st & 3;
const guardOf = (st: number) => (st >> GUARD_SHIFT) & 3;
const withGuard = (g: number) => g << GUARD_SHIFT;

export interface GlobStats {
  /** Automaton steps taken (a state or brace node visited at one position of one path). */
  steps: number;
}

/** Thrown inside the matcher when a step budget runs out. */
class BudgetExceeded extends Error {}

/**
 * A set of states at one position of the path, advanced one path character at a time. T, STAR
 * and ESC states are numbers (node * 64 + state); bracket states also carry the pending
 * character of a range and live only within one position. Buffers are reused across steps.
 */
class Stepper {
  private readonly n: number;
  private steps = 0;
  private readonly seen = new Set<number>();
  private readonly seenBr = new Set<string>();
  private readonly work: number[] = [];
  private readonly workBr: number[] = []; // triples: node, state, pending code point
  private readonly todo: number[] = [];
  private next = new Set<number>();
  /** The path character being read (undefined at the end) and its code point (-1 at the end). */
  private c: string | undefined;
  private cp = -1;

  constructor(
    private readonly g: CompiledGlob,
    private readonly stats?: GlobStats,
    private readonly budget = Infinity,
  ) {
    this.n = g.cps.length;
  }

  /** The start states. */
  start(): number[] {
    return [T | COMP_START];
  }

  /** Adds a state at `node`, following the brace structure (which reads nothing) to the characters it can lead to. */
  private add(node: number, st: number, pend = 0): void {
    const { g, n, todo } = this;
    todo.push(node);
    while (todo.length) {
      const i = todo.pop()!;
      this.tick();
      if (stKind(st) === BR) {
        const k = `${i}:${st}:${pend}`;
        if (this.seenBr.has(k)) continue;
        this.seenBr.add(k);
      } else {
        const k = i * 64 + st;
        if (this.seen.has(k)) continue;
        this.seen.add(k);
      }
      const kd = i < n ? g.kind[i] : LIT;
      if (kd === LIT) {
        if (stKind(st) === BR) this.workBr.push(i, st, pend);
        else this.work.push(i * 64 + st);
      } else if (kd === CLOSE) todo.push(i + 1);
      else if (kd === COMMA) todo.push(g.close[g.owner[i]!]! + 1);
      else {
        todo.push(i + 1);
        for (let c = g.nextComma[i]!; c >= 0; c = g.nextComma[c]!) todo.push(c + 1);
      }
    }
  }

  /** Counts one step (a state or brace node visited); throws when the budget is spent. */
  private tick(): void {
    if (this.stats) this.stats.steps++;
    if (++this.steps > this.budget) {
      this.work.length = 0;
      this.workBr.length = 0;
      this.todo.length = 0;
      throw new BudgetExceeded();
    }
  }

  /** A state for the next position, after this path character. */
  private emit(node: number, st: number): void {
    if (this.c !== undefined) this.next.add(node * 64 + st);
  }

  /**
   * Reads one path character `c` (undefined: the end of the path) from the states `from`.
   * Returns the states after it; at the end, [1] when the path is accepted, else [].
   */
  step(from: readonly number[], c: string | undefined): number[] {
    const { g, n, work, workBr } = this;
    this.c = c;
    this.cp = c === undefined ? -1 : c.codePointAt(0)!;
    this.seen.clear();
    this.seenBr.clear();
    this.next = new Set<number>();
    let accepted = false;
    for (const k of from) this.add(Math.floor(k / 64), k % 64);
    while (work.length || workBr.length) {
      this.tick();
      if (workBr.length) {
        const pend = workBr.pop()!;
        const st = workBr.pop()!;
        this.bracket(workBr.pop()!, st, pend);
        continue;
      }
      const k = work.pop()!;
      const i = Math.floor(k / 64);
      const st = k % 64;
      const sk = stKind(st);
      if (sk === STAR) {
        // "*": take this path character and stay, or stop here and read on.
        if (c !== undefined && c !== '/') this.emit(i, st);
        this.add(i, T | (st & (3 << GUARD_SHIFT)));
        continue;
      }
      if (i === n) {
        if (sk === T && c === undefined) accepted = true;
        continue;
      }
      const x = g.cps[i]!;
      let guard = guardOf(st);
      if (guard === 2 && x === ']') continue;
      if (guard === 1) guard = 2;
      if (x === '/') guard = 0;
      if (sk === ESC) {
        if (x !== '/' && c === x) this.emit(i + 1, T | withGuard(guard));
        continue;
      }
      // sk === T
      if (st & MUST_END && x !== '/') continue;
      if (st & COMP_START && x !== '.' && x !== '/' && c === '.') continue;
      switch (x) {
        case '/':
          if (c === '/') this.emit(i + 1, T | COMP_START);
          break;
        case '*':
          this.add(i + 1, STAR | withGuard(guard));
          break;
        case '?':
          if (c !== undefined && c !== '/') this.emit(i + 1, T | withGuard(guard));
          break;
        case '[':
          // Either a literal "[" (no "]" later in the component) or a bracket expression.
          if (c === '[') this.emit(i + 1, T | withGuard(Math.max(guard, 1)));
          if (c !== undefined && c !== '/') this.add(i + 1, BR | withGuard(guard));
          break;
        case '\\':
          // Either an escape of the next character or, last in its component, a literal "\".
          this.add(i + 1, ESC | withGuard(guard));
          if (c === '\\') this.emit(i + 1, T | withGuard(guard) | MUST_END);
          break;
        default:
          if (c === x) this.emit(i + 1, T | withGuard(guard));
      }
    }
    if (c === undefined) return accepted ? [1] : [];
    return [...this.next];
  }

  /** One character of a bracket expression, which is to match the path character. */
  private bracket(i: number, st: number, pend: number): void {
    if (i === this.n) return; // no "]": this was not a bracket expression
    const x = this.g.cps[i]!;
    if (x === '/') return;
    const cp = this.cp;
    let guard = guardOf(st);
    if (guard === 2 && x === ']') return;
    if (guard === 1) guard = 2;
    let s = (st & ~(3 << GUARD_SHIFT)) | withGuard(guard);
    const xc = x.codePointAt(0)!;
    if (!(s & BR_BODY)) {
      // The first character always belongs to the body; "!" or "^" there negates.
      s |= BR_BODY;
      if (x === '!' || x === '^') s |= BR_NEG;
      else s = (s & ~(3 << PEND_SHIFT)) | (1 << PEND_SHIFT);
      this.add(i + 1, s, x === '!' || x === '^' ? 0 : xc);
      return;
    }
    const pk = (s >> PEND_SHIFT) & 3;
    const single = (a: number) => {
      s |= BR_NONEMPTY;
      if (a === cp) s |= BR_MATCHED;
    };
    if (x === ']') {
      if (pk === 1) single(pend);
      if (pk === 2) {
        single(pend);
        single(45); // "-"
      }
      const ok = s & BR_NEG ? !(s & BR_NONEMPTY) || !(s & BR_MATCHED) : !!(s & BR_MATCHED);
      if (ok) this.emit(i + 1, T | withGuard(guard));
      return;
    }
    s &= ~(3 << PEND_SHIFT);
    if (pk === 0) {
      this.add(i + 1, s | (1 << PEND_SHIFT), xc);
    } else if (pk === 1) {
      if (x === '-') this.add(i + 1, s | (2 << PEND_SHIFT), pend);
      else {
        single(pend);
        this.add(i + 1, s | (1 << PEND_SHIFT), xc);
      }
    } else {
      // A range; a reversed one adds nothing.
      if (pend <= xc) {
        s |= BR_NONEMPTY;
        if (pend <= cp && cp <= xc) s |= BR_MATCHED;
      }
      this.add(i + 1, s, 0);
    }
  }
}

/** Whether `path` (under /proc/sys, "/"-separated) matches the glob. */
export function matchGlob(g: CompiledGlob, path: string, stats?: GlobStats): boolean {
  const s = new Stepper(g, stats);
  let states = s.start();
  for (const c of path) {
    states = s.step(states, c);
    if (states.length === 0) return false;
  }
  return s.step(states, undefined).length > 0;
}

/**
 * The paths of `listing` that match the glob, in code-unit order. Paths that share a prefix
 * share the work for it (the listing is walked in sorted order, keeping the states of each
 * prefix), so a whole /proc/sys costs about what its distinct prefixes do, times the states
 * the pattern keeps alive (a few for real globs; up to the pattern's length for hostile ones
 * such as thousands of stars). Null when that takes more than `budget` steps.
 */
export function matchListing(g: CompiledGlob, listing: readonly string[], stats?: GlobStats, budget = Infinity): string[] | null {
  try {
    return walkListing(new Stepper(g, stats, budget), listing);
  } catch (e) {
    if (e instanceof BudgetExceeded) return null;
    throw e;
  }
}

/** A listing sorted, de-duplicated and split into code points once, with each path's common prefix with the one before. */
interface PreparedListing {
  paths: string[];
  cps: string[][];
  common: Int32Array;
}

// resolveSystemd matches every glob of a tree against the same listing: prepare it once.
const prepared = new WeakMap<readonly string[], PreparedListing>();

function prepare(listing: readonly string[]): PreparedListing {
  const hit = prepared.get(listing);
  if (hit) return hit;
  const paths = [...new Set(listing)].sort();
  const cps = paths.map((p) => [...p]);
  const common = new Int32Array(paths.length);
  for (let k = 1; k < paths.length; k++) {
    const a = cps[k - 1]!;
    const b = cps[k]!;
    let c = 0;
    while (c < a.length && c < b.length && a[c] === b[c]) c++;
    common[k] = c;
  }
  const p = { paths, cps, common };
  prepared.set(listing, p);
  return p;
}

function walkListing(s: Stepper, listing: readonly string[]): string[] {
  const { paths, cps: all, common } = prepare(listing);
  const out: string[] = [];
  // levels[d]: the states after the first d code points of the current path.
  const levels: number[][] = [s.start()];
  for (let k = 0; k < paths.length; k++) {
    const cps = all[k]!;
    levels.length = Math.min(levels.length, common[k]! + 1);
    let d = levels.length - 1;
    // A prefix with no state left matches nothing below it.
    while (d < cps.length && levels[d]!.length > 0) {
      levels.push(s.step(levels[d]!, cps[d]));
      d++;
    }
    if (d === cps.length && levels[d]!.length > 0 && s.step(levels[d]!, undefined).length > 0) out.push(paths[k]!);
  }
  return out;
}
