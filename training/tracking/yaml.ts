/** The tiny YAML subset of MLflow's meta.yaml files: flat keys, scalars, `[]`, and one level of string maps. */
export type YamlValue = string | number | null | [] | Record<string, string>;

function scalar(v: string | number | null): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (v === '' || /^[\d.+-]|^(true|false|null|yes|no|on|off|none|~)$/i.test(v) || /[:#'"{}[\],&*?|<>=!%@`\n]|^\s|\s$/.test(v)) {
    return `'${v.replace(/'/g, "''")}'`;
  }
  return v;
}

/** Serializes keys in sorted order, like MLflow's write_yaml. */
export function toYaml(doc: Record<string, YamlValue>): string {
  const lines: string[] = [];
  for (const key of Object.keys(doc).sort()) {
    const v = doc[key];
    if (Array.isArray(v)) lines.push(`${key}: []`);
    else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) lines.push(`${key}: {}`);
      else {
        lines.push(`${key}:`);
        for (const [k, x] of entries) lines.push(`  ${scalar(k)}: ${scalar(x)}`);
      }
    } else lines.push(`${key}: ${scalar(v)}`);
  }
  return lines.join('\n') + '\n';
}

function parseScalar(text: string): string | number | null {
  const t = text.trim();
  if (t === 'null' || t === '~' || t === '') return null;
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('"') && t.endsWith('"')) return JSON.parse(t) as string;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

/** Parses what toYaml (or MLflow, for these files) writes; numbers stay numbers, quoted digits stay strings. */
export function parseYaml(text: string): Record<string, YamlValue> {
  const out: Record<string, YamlValue> = {};
  let nested: Record<string, string> | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const indented = /^\s/.test(line);
    const idx = line.indexOf(':', line.startsWith("'") || line.trimStart().startsWith("'") ? line.indexOf("'", line.indexOf("'") + 1) : 0);
    const key = String(parseScalar(line.slice(0, idx)));
    const rest = line.slice(idx + 1).trim();
    if (indented && nested) {
      nested[key] = String(parseScalar(rest));
      continue;
    }
    if (rest === '') {
      nested = {};
      out[key] = nested;
    } else {
      nested = null;
      out[key] = rest === '[]' ? [] : rest === '{}' ? {} : parseScalar(rest);
    }
  }
  return out;
}
