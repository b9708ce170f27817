import type { z } from 'zod';

/** One operation of the API: its schemas are the single source of truth for both sides. */
export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One line, shown by `hostdeck --help` and in docs. */
  summary: string;
  /** True when the operation changes the system (refused on read-only hosts). */
  mutates?: boolean;
}

export function operation<I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> {
  return def;
}

export type FeatureContract = Record<string, OperationDef>;
export type EventContract = Record<string, z.ZodType>;
