/** The model formats its text with the engine's translator: one translator for everything the UI shows. */
export { formatMessage, setTranslator, t, type Translate } from '../arvados/l10n';
