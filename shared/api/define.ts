import type { z } from 'zod';

/** One operation of the API: its schemas are the single source of truth for both sides. */
export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One line, shown by `hostdeck --help` and in docs. */
  summary: string;
  /** True when the operation changes the system (refused on read-only hosts). */
  mutates?: boolean;
  /**
   * Largest request this operation accepts, in bytes of its JSON ({host, input}); default
   * DEFAULT_MAX_INPUT_BYTES. Browser mode stops reading at this limit and answers 413; IPC
   * refuses the same requests. Raise it only where real input is large (ipset bulk entries).
   */
  maxBytes?: number;
}

/** 1 MiB: far above any hand-made input, far below what could exhaust memory or stall a handler. */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;

/** The request size limit of one operation (see OperationDef.maxBytes). */
export function inputLimit(def: Pick<OperationDef, 'maxBytes'>): number {
  return def.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
}

export function operation<I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> {
  return def;
}

export type FeatureContract = Record<string, OperationDef>;
export type EventContract = Record<string, z.ZodType>;
