/**
 * Localizable strings without importing vscode, for the engine and the model alike: messages
 * that reach the UI are formatted with `t`, and the extension plugs in `vscode.l10n.t` at
 * activation (`setTranslator`). Without it (the CLI, the unit tests) `{0}` placeholders are
 * filled in English. `npm run l10n` collects every `t('…')` literal into l10n/bundle.l10n.json.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

export const formatMessage: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));

let current: Translate = formatMessage;

export function setTranslator(translate: Translate): void {
  current = translate;
}

export function t(message: string, ...args: Array<string | number | boolean>): string {
  return current(message, ...args);
}
