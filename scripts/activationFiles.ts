/**
 * The files of the built extension that VS Code loads at activation: dist/extension.mjs and every
 * chunk it imports statically, transitively. A chunk reached only through `import(…)` loads later,
 * when the code that needs it runs (see scripts/build.mjs).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function activationFiles(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    // esbuild's static imports: `import{a as b}from"./chunks/x.mjs"` or `import"./chunks/x.mjs"`; never `import("…")`.
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+\.mjs)"/g)) visit(join(dirname(file), m[1]));
  };
  visit(entry);
  return [...seen];
}
