/**
 * Reading a settings.json (JSON with comments and trailing commas, as VS Code writes and
 * accepts it), for the few workspace values the extension must see although VS Code ignores
 * them there (machine-scoped settings, see src/views/workspaceCluster.ts).
 */

/** Parses JSON with `//` and `/* *\/` comments and trailing commas. Throws SyntaxError on anything else. */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      // A string, copied whole (escapes included).
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
    } else if (c === ',') {
      // A trailing comma: the next significant character closes the object or array.
      let j = i + 1;
      for (;;) {
        while (j < n && /\s/.test(text[j])) j++;
        if (text[j] === '/' && text[j + 1] === '/') {
          while (j < n && text[j] !== '\n') j++;
        } else if (text[j] === '/' && text[j + 1] === '*') {
          const end = text.indexOf('*/', j + 2);
          j = end < 0 ? n : end + 2;
        } else break;
      }
      if (text[j] !== '}' && text[j] !== ']') out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out.trim() ? JSON.parse(out) : undefined;
}

/**
 * A setting's value in parsed settings: the flat key (`"arvados.apiHost": ...`, as VS Code writes
 * it) or the nested form (`"arvados": { "apiHost": ... }`, which VS Code also reads).
 */
export function settingValue(settings: unknown, key: string): unknown {
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return undefined;
  const record = settings as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, key)) return record[key];
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const head = key.slice(0, dot);
  return Object.prototype.hasOwnProperty.call(record, head) ? settingValue(record[head], key.slice(dot + 1)) : undefined;
}
