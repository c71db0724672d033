/**
 * The objects of the fake cluster and who may read them. The permission model is a small,
 * faithful subset of Arvados's:
 *  - a user reads their own user record and everything they own;
 *  - owning (or being given read access to) a project (`j7d0g`) gives read access to everything
 *    under it, down the owner chain;
 *  - an object can be shared with users explicitly (`readers`, standing for permission links);
 *  - a container (`dz642`) is readable through any readable container request that uses it,
 *    and a portable data hash through any readable collection that has it;
 *  - admins read everything;
 *  - with `usersVisibleToOthers` (Arvados's `Users.ActivatedUsersAreVisibleToOthers`, default
 *    true) active users can read each other's *user record*, but not what they own.
 */
import { PDH_PATTERN } from '../../src/arvados/kinds';
import type { FakeClock } from './time';
import { railsTime } from './time';
import { etagOf, IdFactory } from './ids';
import { Attrs, modelOfKind, modelOfUuid, ModelDef } from './models';

interface Entry {
  attrs: Attrs;
  readers: Set<string>;
}

/** What `putObject` takes: attributes, plus either a `uuid` or a `kind` to make one from. */
export type ObjectInput = Attrs & { uuid?: string; kind?: string; readers?: string[] };

const MAX_OWNER_DEPTH = 64;

export class ObjectStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ids: IdFactory,
    private readonly clock: FakeClock,
    private readonly options: { usersVisibleToOthers: boolean; defaultOwner: () => string },
  ) {}

  /** Creates or replaces (merging attributes) a stored object. Returns its API form. */
  put(input: ObjectInput): Attrs {
    const { readers, kind, ...given } = input;
    let model: ModelDef | undefined;
    let uuid = typeof given.uuid === 'string' ? given.uuid : undefined;
    if (uuid) {
      model = modelOfUuid(uuid);
      if (!model) throw new Error(`putObject: ${uuid} is not a UUID of a known kind`);
    } else {
      model = kind ? modelOfKind(kind) : undefined;
      if (!model) throw new Error(`putObject: give a uuid or a known kind (got ${String(kind)})`);
      uuid = this.ids.uuid(model.infix);
    }
    const existing = this.entries.get(uuid);
    const now = railsTime(this.clock.nowMs());
    const attrs: Attrs = existing
      ? { ...existing.attrs, ...given, uuid }
      : {
          ...model.defaults(uuid),
          created_at: now,
          modified_at: now,
          modified_by_user_uuid: null,
          ...given,
          uuid,
        };
    attrs.owner_uuid ??= this.options.defaultOwner();
    attrs.modified_by_user_uuid ??= this.owningUser(attrs.owner_uuid as string) ?? attrs.owner_uuid;
    attrs.kind = model.kind;
    attrs.etag = etagOf({ ...attrs, etag: undefined });
    const entry: Entry = { attrs, readers: existing?.readers ?? new Set() };
    for (const r of readers ?? []) entry.readers.add(r);
    this.entries.set(uuid, entry);
    return structuredClone(attrs);
  }

  get(uuid: string): Attrs | undefined {
    const e = this.entries.get(uuid);
    return e ? structuredClone(e.attrs) : undefined;
  }

  has(uuid: string): boolean {
    return this.entries.has(uuid);
  }

  delete(uuid: string): Attrs | undefined {
    const e = this.entries.get(uuid);
    this.entries.delete(uuid);
    return e?.attrs;
  }

  /** Every stored object of a model (API form, copies). */
  all(model?: ModelDef): Attrs[] {
    const out: Attrs[] = [];
    for (const [uuid, e] of this.entries) if (!model || modelOfUuid(uuid) === model) out.push(structuredClone(e.attrs));
    return out;
  }

  share(uuid: string, userUuid: string): void {
    const e = this.entries.get(uuid);
    if (!e) throw new Error(`share: no object ${uuid}`);
    e.readers.add(userUuid);
  }

  unshare(uuid: string, userUuid: string): void {
    this.entries.get(uuid)?.readers.delete(userUuid);
  }

  isAdmin(userUuid: string | null): boolean {
    return !!userUuid && this.entries.get(userUuid)?.attrs.is_admin === true;
  }

  /** The user at the top of an object's owner chain (who "did" an audit-logged change). */
  owningUser(uuid: string): string | undefined {
    let cur: string | undefined = uuid;
    for (let i = 0; cur && i < MAX_OWNER_DEPTH; i++) {
      if (modelOfUuid(cur)?.model === 'User') return cur;
      cur = this.entries.get(cur)?.attrs.owner_uuid as string | undefined;
    }
    return undefined;
  }

  /** May `user` GET this record? (What the websocket server's permission check asks.) */
  canReadRecord(user: string | null, uuid: string, includeTrash = false, depth = 0): boolean {
    if (!user || depth > MAX_OWNER_DEPTH) return false;
    if (PDH_PATTERN.test(uuid)) {
      for (const e of this.entries.values()) {
        if (e.attrs.portable_data_hash === uuid && modelOfUuid(e.attrs.uuid as string)?.model === 'Collection') {
          if (this.canReadRecord(user, e.attrs.uuid as string, includeTrash, depth + 1)) return true;
        }
      }
      return false;
    }
    const entry = this.entries.get(uuid);
    if (!entry) return false;
    if (!includeTrash && entry.attrs.is_trashed === true) return false;
    if (this.isAdmin(user) || uuid === user || entry.readers.has(user)) return true;
    const model = modelOfUuid(uuid)?.model;
    if (model === 'User') return this.options.usersVisibleToOthers && entry.attrs.is_active !== false;
    if (model === 'Container') {
      for (const e of this.entries.values()) {
        if (e.attrs.container_uuid === uuid && modelOfUuid(e.attrs.uuid as string)?.model === 'ContainerRequest') {
          if (this.canReadRecord(user, e.attrs.uuid as string, true, depth + 1)) return true;
        }
      }
      return false;
    }
    return this.canReadOwnedBy(user, entry.attrs.owner_uuid as string | null, depth + 1);
  }

  /**
   * May `user` read what `owner` owns? True for the user themselves and for projects the user
   * can read. Reading another user's record does not extend to what that user owns.
   */
  canReadOwnedBy(user: string | null, owner: string | null | undefined, depth = 0): boolean {
    if (!user || !owner) return false;
    if (owner === user || this.isAdmin(user)) return true;
    const model = modelOfUuid(owner)?.model;
    return model === 'Group' && this.entries.get(owner)?.attrs.group_class !== 'role'
      ? this.canReadRecord(user, owner, false, depth + 1)
      : false;
  }
}
