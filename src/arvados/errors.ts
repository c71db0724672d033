/** Errors the engine raises. Every message is safe to show: the token never appears in one. */

export class ArvadosError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The configuration is incomplete or malformed (no host, no token, a bad settings file line). */
export class ConfigError extends ArvadosError {}

/** A filter is malformed. `index` is the 0-based position of the offending condition, if any. */
export class FilterError extends ArvadosError {
  constructor(message: string, readonly index?: number) {
    super(message);
  }
}

/** The API server answered with an error status. `errors` is the server's own `errors` text. */
export class ApiError extends ArvadosError {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: string[] = [],
  ) {
    super(message);
  }
}

/** The token was refused (HTTP 401). Retrying cannot help; the user must fix the token. */
export class InvalidTokenError extends ApiError {}

/** The host could not be reached at all, or its TLS certificate is not trusted. */
export class ConnectError extends ArvadosError {
  constructor(message: string, readonly code?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The cluster publishes no websocket URL and polling was not allowed. */
export class FeatureNotEnabledError extends ArvadosError {}

/** The call was given up because its stream was closed (or moved on to a new connection). */
export class AbortedError extends ArvadosError {
  constructor(message = 'The request was cancelled') {
    super(message);
  }
}
