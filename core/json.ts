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
