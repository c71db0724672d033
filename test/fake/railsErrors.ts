/**
 * Errors as the API server words them. Rails renders an exception as its Ruby `inspect`
 * (`#<ArgumentError: Invalid attribute 'x' in filter>`), appends the request id and adds an
 * `error_token`; Go (controller) errors are a bare `{"errors":[...]}`.
 */

export type ErrorShape = 'rails' | 'controller';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly shape: ErrorShape = 'rails',
  ) {
    super(messages.join('; '));
  }
}

/** 422 for an `ArgumentError` raised while loading parameters. */
export function argumentError(message: string): ApiFailure {
  return new ApiFailure(422, [`#<ArgumentError: ${message}>`]);
}

/** The Ruby class name of a JSON-decoded value. */
export function rubyClass(v: unknown): string {
  if (v === null || v === undefined) return 'NilClass';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return v ? 'TrueClass' : 'FalseClass';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  if (Array.isArray(v)) return 'Array';
  return 'Hash';
}

/** Ruby's `inspect` of a JSON-decoded value: `nil`, `"a"`, `[1, "b"]`, `{"k"=>1}`. */
export function rubyInspect(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(rubyInspect).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${JSON.stringify(k)}=>${rubyInspect(x)}`)
    .join(', ')}}`;
}

/** Ruby string interpolation (`"#{v}"`) of a JSON-decoded value. */
export function rubyToS(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return rubyInspect(v);
}
