/**
 * Whether an object belongs to a user: owned by the user directly, or by a project the user owns,
 * at any depth. A container request usually lives in a project, so its `object_owner_uuid` is
 * the project's uuid, not the user's. Owners are read on demand and cached (bounded).
 */
import { UUID_PATTERN, UUID_TYPE, uuidType } from '../arvados';
import { LruMap } from './lru';

export type OwnerLookup = (groupUuid: string) => Promise<string | undefined>;

export class OwnershipResolver {
  private readonly owners: LruMap<string, string>;
  private readonly inFlight = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly ownerOf: OwnerLookup,
    private readonly maxDepth = 8,
    cacheSize = 2_000,
  ) {
    this.owners = new LruMap(cacheSize);
  }

  /** True when `ownerUuid` is `userUuid` or a project that `userUuid` owns (through projects). */
  async ownedBy(ownerUuid: string, userUuid: string): Promise<boolean> {
    let current: string | undefined = ownerUuid;
    for (let depth = 0; current && depth <= this.maxDepth; depth++) {
      if (current === userUuid) return true;
      if (!UUID_PATTERN.test(current)) return false;
      // Only projects (groups) are owned further up; a user owns nothing above them.
      if (uuidType(current) !== UUID_TYPE.group) return false;
      current = await this.lookup(current);
    }
    return false;
  }

  private async lookup(groupUuid: string): Promise<string | undefined> {
    const cached = this.owners.get(groupUuid);
    if (cached !== undefined) return cached;
    let pending = this.inFlight.get(groupUuid);
    if (!pending) {
      pending = this.ownerOf(groupUuid).catch(() => undefined);
      this.inFlight.set(groupUuid, pending);
    }
    try {
      const owner = await pending;
      if (owner) this.owners.set(groupUuid, owner);
      return owner;
    } finally {
      this.inFlight.delete(groupUuid);
    }
  }
}
