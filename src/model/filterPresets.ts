/**
 * Filters built from the guided Add Filter steps (one object, event types, kinds, owner), and the
 * reading of a typed value. Every result goes through parseFilter, so a preset can never build a
 * filter the engine would refuse.
 */
import { defaultKinds, FilterError, kindInWords, LOG_ATTRIBUTES, OPERATORS, parseFilter, PDH_PATTERN, UUID_PATTERN, type Filter } from '../arvados';

/** Event types an Arvados cluster writes (protocol §7.1), most common first. */
export const EVENT_TYPES = [
  'create', 'update', 'delete', 'dispatch', 'file_download', 'file_upload', 'secret_access',
  'stderr', 'stdout', 'crunch-run', 'crunchstat', 'hoststat', 'node-info', 'arv-mount', 'container', 'keepstore', 'scheduling',
] as const;

/** Kinds worth offering, in words, most common first. */
export const COMMON_KINDS = [
  'arvados#containerRequest', 'arvados#container', 'arvados#collection', 'arvados#group', 'arvados#workflow',
  'arvados#user', 'arvados#link', 'arvados#credential', 'arvados#virtualMachine', 'arvados#keepService',
  'arvados#authorizedKey', 'arvados#apiClientAuthorization',
];

export function kindChoices(): Array<{ kind: string; words: string }> {
  const known = new Set(defaultKinds.kinds());
  const kinds = [...COMMON_KINDS.filter((k) => known.has(k)), ...defaultKinds.kinds().filter((k) => !COMMON_KINDS.includes(k) && k !== 'arvados#log')];
  return kinds.map((kind) => ({ kind, words: kindInWords(kind) }));
}

export const ATTRIBUTE_NAMES = Object.keys(LOG_ATTRIBUTES);
export const OPERATOR_NAMES: readonly string[] = OPERATORS;

function uuidOrThrow(text: string, what: string): string {
  const v = text.trim();
  if (!UUID_PATTERN.test(v) && !PDH_PATTERN.test(v)) {
    throw new FilterError(`${what} must be an Arvados UUID such as zzzzz-xvhdp-0123456789abcde (got "${v.slice(0, 40)}")`);
  }
  return v;
}

/** Events about one object. */
export function objectFilter(uuid: string): Filter {
  return parseFilter([['object_uuid', '=', uuidOrThrow(uuid, 'The object')]]);
}

export function eventTypesFilter(types: readonly string[]): Filter {
  if (!types.length) throw new FilterError('Choose at least one event type.');
  return parseFilter([['event_type', 'in', [...types]]]);
}

export function kindsFilter(kinds: readonly string[]): Filter {
  if (!kinds.length) throw new FilterError('Choose at least one kind.');
  return parseFilter([['object_uuid', 'is_a', kinds.length === 1 ? kinds[0] : [...kinds]]]);
}

/** Objects owned by a project or a user. */
export function ownerFilter(ownerUuid: string): Filter {
  return parseFilter([['object_owner_uuid', '=', uuidOrThrow(ownerUuid, 'The owner')]]);
}

/**
 * Reads a typed operand: JSON when it parses (`5`, `true`, `["a","b"]`, `"x"`), else the text
 * itself; for `in` / `not in`, a comma-separated list is accepted too.
 */
export function readOperand(text: string, operator: string): unknown {
  const v = text.trim();
  let value: unknown = v;
  try {
    value = JSON.parse(v);
  } catch {
    // plain text
  }
  if ((operator === 'in' || operator === 'not in') && !Array.isArray(value)) {
    value = v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
  }
  // A number typed for a text attribute is still text.
  return value;
}

/** One condition from the guided attribute / operator / value steps; throws FilterError. */
export function conditionFilter(attribute: string, operator: string, valueText: string): Filter {
  let operand = readOperand(valueText, operator);
  const type = (LOG_ATTRIBUTES as Record<string, string>)[attribute];
  if (type === 'string' && typeof operand !== 'string' && !Array.isArray(operand) && operand !== null) operand = valueText.trim();
  if (type === 'string' && Array.isArray(operand)) operand = operand.map((x) => (typeof x === 'string' || x === null ? x : String(x)));
  return parseFilter([[attribute, operator, operand]]);
}

/** Whether typed text is meant as raw filter JSON rather than a search. */
export function looksLikeFilterJson(text: string): boolean {
  return text.trim().startsWith('[');
}
