import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DataError } from './errors';

/**
 * JSON.parse whose error names the file and the position only: V8's message quotes the text around
 * the fault, which here is member ids and feature values.
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new DataError(`${what} is not valid JSON${at ? ` (at character ${at})` : ''}`);
  }
}

/**
 * Reads a JSON file the lakehouse wrote and validates it; a DataError names the file, where it is
 * wrong and (`hint`) what to do, never its values.
 */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, what: string, hint = ''): T {
  const parsed = schema.safeParse(parseJson(readFileSync(path, 'utf8'), `${what} ${path}`));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DataError(`${what} ${path} is invalid at ${issue?.path.join('.') || 'the top'}: ${issue?.code}${hint ? ` (${hint})` : ''}`);
}
