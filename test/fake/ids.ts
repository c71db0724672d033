/**
 * Deterministic identifiers: UUIDs, token secrets, etags and request ids that look like the real
 * ones but come from a seeded counter, so two runs of a test see the same values.
 */
import { createHash } from 'node:crypto';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

export class IdFactory {
  private counter = 0;

  constructor(
    readonly clusterId: string,
    private readonly seed: string,
  ) {}

  /** `<n>` characters of [a-z0-9], derived from the seed, a label and the next counter value. */
  private chars(label: string, n: number): string {
    const n0 = ++this.counter;
    let out = '';
    for (let round = 0; out.length < n; round++) {
      const digest = createHash('sha256').update(`${this.seed}\0${label}\0${n0}\0${round}`).digest();
      for (const byte of digest) if (out.length < n) out += BASE36[byte % 36];
    }
    return out;
  }

  /** `zzzzz-<infix>-<15 chars>`. */
  uuid(infix: string): string {
    return `${this.clusterId}-${infix}-${this.chars(infix, 15)}`;
  }

  /** A v2 token: `v2/<cluster>-gj3su-<15>/<secret>` (49-character secret, as Arvados issues). */
  token(): { uuid: string; token: string } {
    const uuid = this.uuid('gj3su');
    return { uuid, token: `v2/${uuid}/${this.chars('secret', 49)}` };
  }

  /** Rails request id: `req-` and 20 base-36 characters. */
  requestId(): string {
    return `req-${this.chars('req', 20)}`;
  }

  /** Rails error token: `<unix seconds>+<8 hex>`. */
  errorToken(nowMs: number): string {
    const hex = createHash('sha256').update(`${this.seed}\0err\0${++this.counter}`).digest('hex').slice(0, 8);
    return `${Math.floor(nowMs / 1000)}+${hex}`;
  }
}

/** Rails etag: the MD5 of the record, in base 36. */
export function etagOf(value: unknown): string {
  return BigInt(`0x${createHash('md5').update(JSON.stringify(value)).digest('hex')}`).toString(36);
}
