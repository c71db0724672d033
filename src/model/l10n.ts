/**
 * Localizable strings without importing vscode: the model formats its text with `t`, and the
 * extension plugs in `vscode.l10n.t` at activation. Without it, `{0}` placeholders are filled in
 * English, which is what the unit tests read.
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
