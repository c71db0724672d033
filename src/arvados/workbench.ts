/**
 * Workbench2 URLs of objects (routes in `services/workbench2/src/routes/routes.ts`, protocol §8).
 * Containers have no page: their container request's page is used instead, found with
 * `container_requests?filters=[["container_uuid","=",uuid]]`. Role groups have a page of their
 * own (`/group/`); every other group is a project.
 */
import { PDH_PATTERN, UUID_PATTERN, UUID_TYPE, uuidType } from './kinds';
import type { ListSource, ObjectSource } from './outcome';

const ROUTES: Record<string, string> = {
  [UUID_TYPE.group]: 'projects',
  [UUID_TYPE.user]: 'user',
  [UUID_TYPE.collection]: 'collections',
  [UUID_TYPE.containerRequest]: 'processes',
  [UUID_TYPE.workflow]: 'workflows',
};

/** The Workbench2 path of an object, or undefined when it has no page (or needs a lookup: containers). */
export function workbenchPath(uuidOrPdh: string, options: { groupClass?: string } = {}): string | undefined {
  if (PDH_PATTERN.test(uuidOrPdh)) return `/collections/${uuidOrPdh}`;
  if (!UUID_PATTERN.test(uuidOrPdh)) return undefined;
  const infix = uuidType(uuidOrPdh);
  if (infix === UUID_TYPE.group && options.groupClass === 'role') return `/group/${uuidOrPdh}`;
  const route = ROUTES[infix];
  return route ? `/${route}/${uuidOrPdh}` : undefined;
}

/** Joins a Workbench base URL (which usually ends with `/`) and a path. */
export function joinWorkbench(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function isContainerUuid(uuid: string): boolean {
  return UUID_PATTERN.test(uuid) && uuidType(uuid) === UUID_TYPE.container;
}

/**
 * The Workbench2 URL of an object, looking up what the route table alone cannot tell: the
 * request of a container, the class of a group. Undefined when the object has no page.
 */
export async function resolveWorkbenchUrl(api: ObjectSource & ListSource, base: string, uuid: string): Promise<string | undefined> {
  if (isContainerUuid(uuid)) {
    const found = await api.list<{ uuid: string }>('container_requests', {
      filters: [['container_uuid', '=', uuid]],
      order: ['created_at asc'],
      limit: 1,
      select: ['uuid'],
      count: 'none',
    });
    const request = found.items[0]?.uuid;
    return request ? joinWorkbench(base, `/processes/${request}`) : undefined;
  }
  let groupClass: string | undefined;
  if (UUID_PATTERN.test(uuid) && uuidType(uuid) === UUID_TYPE.group) {
    try {
      groupClass = (await api.getObject<{ group_class?: string }>(uuid)).group_class;
    } catch {
      // Unreadable: most groups are projects.
    }
  }
  const path = workbenchPath(uuid, { groupClass });
  return path && joinWorkbench(base, path);
}
