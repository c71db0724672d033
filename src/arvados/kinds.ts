/**
 * Object kinds and UUIDs. A UUID is `<cluster>-<type infix>-<15 chars>`; the infix names the
 * model. The table below is the one in the discovery document (`schemas.*.uuidPrefix`) of
 * current Arvados; `KindTable.fromDiscovery` rebuilds it from a live cluster, as the Go SDK does.
 */

export const UUID_PATTERN = /^[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{15}$/;
export const PDH_PATTERN = /^[0-9a-f]{32}\+\d+$/;
/** The type infix of a UUID (its middle part), as `schemas.<Model>.uuidPrefix` gives it. */
const INFIX_PATTERN = /^[a-z0-9]{5}$/;
/** A model name of the discovery document: `ContainerRequest`. */
const MODEL_NAME = /^[A-Z][A-Za-z0-9]{0,63}$/;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The type infixes (a UUID's characters 7 to 11) the extension tells apart. */
export const UUID_TYPE = {
  collection: '4zz18',
  container: 'dz642',
  containerRequest: 'xvhdp',
  group: 'j7d0g',
  log: '57u5n',
  user: 'tpzed',
  workflow: '7fd4e',
} as const;

/** The type infix of a UUID (`zzzzz-xvhdp-…` → `xvhdp`); check UUID_PATTERN first. */
export function uuidType(uuid: string): string {
  return uuid.slice(6, 11);
}

const DEFAULT_INFIXES: Record<string, string> = {
  gj3su: 'ApiClientAuthorization',
  fngyi: 'AuthorizedKey',
  '4zz18': 'Collection',
  dz642: 'Container',
  xvhdp: 'ContainerRequest',
  oss07: 'Credential',
  j7d0g: 'Group',
  bi6l4: 'KeepService',
  o0j2j: 'Link',
  '57u5n': 'Log',
  tpzed: 'User',
  gv0sa: 'UserAgreement',
  '2x53u': 'VirtualMachine',
  '7fd4e': 'Workflow',
};

/** `ContainerRequest` → `arvados#containerRequest`. */
export function kindOfModel(model: string): string {
  return `arvados#${model.charAt(0).toLowerCase()}${model.slice(1)}`;
}

/** `arvados#containerRequest` → `container request`: kinds in words, for people. */
export function kindInWords(kind: string): string {
  const name = kind.replace(/^arvados#/, '');
  if (!name) return 'object';
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export class KindTable {
  private readonly kindByInfix = new Map<string, string>();
  private readonly infixByKind = new Map<string, string>();

  constructor(infixes: Record<string, string> = DEFAULT_INFIXES) {
    for (const [infix, model] of Object.entries(infixes)) {
      const kind = kindOfModel(model);
      this.kindByInfix.set(infix, kind);
      this.infixByKind.set(kind, infix);
    }
  }

  /**
   * Builds the table from a discovery document's `schemas.<Model>.uuidPrefix`. The document is
   * whatever JSON the server sent: entries that are not a model name with a UUID infix are
   * skipped (they would make kinds and REST paths of nonsense), and a document without any, or
   * not a map at all, leaves the built-in table.
   */
  static fromDiscovery(discovery: unknown): KindTable {
    const schemas = isMap(discovery) && isMap(discovery.schemas) ? discovery.schemas : {};
    const infixes: Record<string, string> = {};
    for (const [model, schema] of Object.entries(schemas)) {
      const prefix = isMap(schema) ? schema.uuidPrefix : undefined;
      if (MODEL_NAME.test(model) && typeof prefix === 'string' && INFIX_PATTERN.test(prefix)) infixes[prefix] = model;
    }
    return Object.keys(infixes).length ? new KindTable(infixes) : new KindTable();
  }

  /** The kind of a UUID or portable data hash, or '' when unknown (as the websocket server sends it). */
  kindOf(uuidOrPdh: string): string {
    if (PDH_PATTERN.test(uuidOrPdh)) return 'arvados#collection';
    if (!UUID_PATTERN.test(uuidOrPdh)) return '';
    return this.kindByInfix.get(uuidType(uuidOrPdh)) ?? '';
  }

  /** The 5-character infix of a kind (`arvados#collection` → `4zz18`), if known. */
  infixOf(kind: string): string | undefined {
    return this.infixByKind.get(kind);
  }

  kinds(): string[] {
    return [...this.infixByKind.keys()].sort();
  }
}

export const defaultKinds = new KindTable();
