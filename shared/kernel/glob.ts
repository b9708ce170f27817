/**
 * sysctl.d globs as systemd-sysctl hands them to glob(3) (GLOB_BRACE, matched against what
 * exists under /proc/sys), decided without backtracking and without expanding the braces.
 *
 * The meaning is exactly that of expanding the braces first (as glibc does: the first "{" with
 * a matching "}" splits the pattern into alternatives, an unmatched first "{" turns brace
 * expansion off), splitting each expansion at "/" and matching each component with `*`, `?`,
 * `[...]` (first "]" at least two characters after the "[", "!" or "^" negates, reversed ranges
 * match nothing), `\x` escapes, and no wildcard matching a leading "." unless the component
 * starts with one. Hand-written: a regular expression per component backtracks exponentially
 * (14 stars took 11 s per path) and expanding 20 brace groups makes a million patterns, while
 * this walks the pattern as an automaton over the path: cost is at most pattern size times path
 * length, whatever the pattern, and the braces are never multiplied out.
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
  /** OPEN: the first code point of each alternative; COMMA: where the group ends (after its "}"). */
  jump: Map<number, number[]>;
  /** How many patterns glob(3) makes of the braces (Infinity beyond 2^1024). */
  combinations: number;
}

/** Classifies the braces (one pass with a stack, then the glibc rules per range) and counts the combinations. */
export function compileGlob(pattern: string): CompiledGlob {
  const cps = [...pattern];
  const n = cps.length;
  const kind = new Uint8Array(n);
  const jump = new Map<number, number[]>();
  // The "}" matching each "{" and the commas at its own level (depth counting from the "{").
  const match = new Int32Array(n).fill(-1);
  const commas = new Map<number, number[]>();
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cps[i];
    if (c === '{') stack.push(i);
    else if (c === '}' && stack.length) match[stack.pop()!] = i;
    else if (c === ',' && stack.length) {
      const top = stack[stack.length - 1]!;
      const list = commas.get(top);
      if (list) list.push(i);
      else commas.set(top, [i]);
    }
  }
  const nextOpen = new Int32Array(n + 1).fill(n);
  for (let i = n - 1; i >= 0; i--) nextOpen[i] = cps[i] === '{' ? i : nextOpen[i + 1]!;
  // Ranges to classify: the whole pattern, then each alternative and what follows each group.
  const ranges: [number, number][] = [[0, n]];
  while (ranges.length) {
    const [lo, hi] = ranges.pop()!;
    const o = nextOpen[lo]!;
    if (o >= hi) continue;
    const close = match[o]!;
    // An unmatched first "{": glob(3) turns GLOB_BRACE off for the rest (everything literal).
    if (close < 0 || close >= hi) continue;
    const cs = (commas.get(o) ?? []).filter((c) => c < close);
    kind[o] = OPEN;
    kind[close] = CLOSE;
    const starts = [o + 1];
    for (const c of cs) {
      kind[c] = COMMA;
      jump.set(c, [close + 1]);
      starts.push(c + 1);
    }
    jump.set(o, starts);
    const bounds = [o, ...cs, close];
    for (let k = 0; k + 1 < bounds.length; k++) ranges.push([bounds[k]! + 1, bounds[k + 1]!]);
    ranges.push([close + 1, hi]);
  }
  const ways = new Float64Array(n + 1);
  ways[n] = 1;
  for (let i = n - 1; i >= 0; i--) {
    if (kind[i] === OPEN) ways[i] = jump.get(i)!.reduce((s, a) => s + ways[a]!, 0);
    else if (kind[i] === COMMA) ways[i] = ways[jump.get(i)![0]!]!;
    else ways[i] = ways[i + 1]!;
  }
  return { pattern, cps, kind, jump, combinations: ways[0]! };
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
  /** Automaton steps taken (a state visited at one position of one path). */
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
      else for (const t of g.jump.get(i)!) todo.push(t);
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
      if (this.stats) this.stats.steps++;
      if (++this.steps > this.budget) {
        work.length = 0;
        workBr.length = 0;
        throw new BudgetExceeded();
      }
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

function walkListing(s: Stepper, listing: readonly string[]): string[] {
  const sorted = [...new Set(listing)].sort();
  const out: string[] = [];
  // levels[d]: the states after the first d code points of the current path.
  const levels: number[][] = [s.start()];
  let prev: string[] = [];
  for (const p of sorted) {
    const cps = [...p];
    let common = 0;
    while (common < cps.length && common < prev.length && cps[common] === prev[common]) common++;
    levels.length = Math.min(levels.length, common + 1);
    let d = levels.length - 1;
    // A prefix with no state left matches nothing below it.
    while (d < cps.length && levels[d]!.length > 0) {
      levels.push(s.step(levels[d]!, cps[d]));
      d++;
    }
    if (d === cps.length && levels[d]!.length > 0 && s.step(levels[d]!, undefined).length > 0) out.push(p);
    prev = cps;
  }
  return out;
}
