// Regenerates l10n/bundle.l10n.json from the sources: every message passed to `vscode.l10n.t`
// or to the engine's and model's `t` (src/arvados/l10n.ts) under src/. Run it after adding
// strings: `npm run l10n` (`--check` only reports, and exits 1 when the bundle is out of date).
//
// A message is the first argument of such a call: a string literal, or an entry of a constant
// table in the same file (`t(LABELS[key])` takes every string value of `const LABELS = {…}`).
// Anything else (a template with `${}`, a variable) cannot be translated and is reported.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, 'l10n', 'bundle.l10n.json');

/** Whether a call's callee is a translator: `t`, `vscode.l10n.t`, `l10n.t`. */
function isTranslator(callee) {
  if (ts.isIdentifier(callee)) return callee.text === 't';
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 't' && /(^|\.)l10n$/.test(callee.expression.getText());
}

/** String values of top-level `const NAME = { … }` object literals (and `as const` ones), by name. */
function constantTables(source) {
  const tables = new Map();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      let init = d.initializer;
      while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression?.(init))) init = init.expression;
      if (!init || !ts.isIdentifier(d.name) || !ts.isObjectLiteralExpression(init)) continue;
      const values = [];
      for (const p of init.properties) if (ts.isPropertyAssignment(p) && ts.isStringLiteralLike(p.initializer)) values.push(p.initializer.text);
      tables.set(d.name.text, values);
    }
  }
  return tables;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Every message under `src/`, and the calls whose message cannot be read. */
export function collectMessages(root = ROOT) {
  const messages = new Set();
  const problems = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    let tables;
    const where = (node) => `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node) => {
      if (ts.isCallExpression(node) && isTranslator(node.expression) && node.arguments.length) {
        const arg = node.arguments[0];
        if (ts.isStringLiteralLike(arg)) messages.add(arg.text);
        else if (ts.isElementAccessExpression(arg) && ts.isIdentifier(arg.expression) && (tables ??= constantTables(source)).has(arg.expression.text)) {
          for (const v of tables.get(arg.expression.text)) messages.add(v);
        } else problems.push(`${where(node)}: the message is not a string literal: ${arg.getText()}`);
      }
      ts.forEachChild(node, visit);
    };
    // The translator's own definition (`t(message, ...args)`) passes a variable on purpose.
    if (!file.endsWith(join('arvados', 'l10n.ts'))) visit(source);
  }
  return { messages: [...messages].sort(), problems };
}

/** The bundle VS Code reads: each English message is its own key. */
export function bundleOf(messages) {
  return Object.fromEntries(messages.map((m) => [m, m]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { messages, problems } = collectMessages();
  for (const p of problems) console.error(p);
  const text = `${JSON.stringify(bundleOf(messages), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = existsSync(BUNDLE) ? readFileSync(BUNDLE, 'utf8') : '';
    if (current !== text) console.error(`${relative(ROOT, BUNDLE)} is out of date: run npm run l10n`);
    process.exit(current === text && !problems.length ? 0 : 1);
  }
  mkdirSync(dirname(BUNDLE), { recursive: true });
  writeFileSync(BUNDLE, text);
  console.log(`${relative(ROOT, BUNDLE)}: ${messages.length} messages${problems.length ? `; ${problems.length} calls cannot be translated (above)` : ''}`);
  process.exit(problems.length ? 1 : 0);
}
