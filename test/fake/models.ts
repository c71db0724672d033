/**
 * The models the fake cluster stores, described the way the API server sees them: REST resource
 * name, database column types (which decide what a filter may do with a column, see
 * listQuery.ts) and the defaults a new object gets. Column lists are the subset of
 * `services/api/db/structure.sql` that clients of this project touch.
 */
import { defaultKinds, kindOfModel } from '../../src/arvados/kinds';

export type ColumnType = 'string' | 'text' | 'integer' | 'float' | 'datetime' | 'boolean' | 'jsonb';
export type Columns = Record<string, ColumnType>;
export type Attrs = Record<string, unknown>;

export interface ModelDef {
  model: string;
  kind: string;
  infix: string;
  /** REST path segment: `/arvados/v1/<resource>/<uuid>`. */
  resource: string;
  columns: Columns;
  /** Attributes a new object starts with (before what the test passes). */
  defaults: (uuid: string) => Attrs;
  /** Attributes never written to the logs table (`container.rb`, `container_request.rb`). */
  unlogged: string[];
}

const COMMON: Columns = {
  uuid: 'string',
  owner_uuid: 'string',
  created_at: 'datetime',
  modified_at: 'datetime',
  modified_by_user_uuid: 'string',
};

/** The REST resource of each model (the discovery document's `resources`). */
const RESOURCES: Record<string, string> = {
  ApiClientAuthorization: 'api_client_authorizations',
  AuthorizedKey: 'authorized_keys',
  Collection: 'collections',
  Container: 'containers',
  ContainerRequest: 'container_requests',
  Credential: 'credentials',
  Group: 'groups',
  KeepService: 'keep_services',
  Link: 'links',
  Log: 'logs',
  User: 'users',
  UserAgreement: 'user_agreements',
  VirtualMachine: 'virtual_machines',
  Workflow: 'workflows',
};

export const EMPTY_PDH = 'd41d8cd98f00b204e9800998ecf8427e+0';

const SPECIFIC: Record<string, { columns: Columns; defaults?: (uuid: string) => Attrs; unlogged?: string[] }> = {
  Collection: {
    columns: {
      name: 'string', description: 'text', properties: 'jsonb', portable_data_hash: 'string', manifest_text: 'text',
      replication_desired: 'integer', replication_confirmed: 'integer', is_trashed: 'boolean', trash_at: 'datetime',
      delete_at: 'datetime', storage_classes_desired: 'jsonb', current_version_uuid: 'string', version: 'integer',
      preserve_version: 'boolean', file_count: 'integer', file_size_total: 'integer',
    },
    defaults: (uuid) => ({
      name: null, description: null, properties: {}, portable_data_hash: EMPTY_PDH, manifest_text: '',
      replication_desired: null, replication_confirmed: null, is_trashed: false, trash_at: null, delete_at: null,
      storage_classes_desired: ['default'], current_version_uuid: uuid, version: 1, preserve_version: false,
      file_count: 0, file_size_total: 0,
    }),
  },
  ContainerRequest: {
    columns: {
      name: 'string', description: 'text', properties: 'jsonb', state: 'string', requesting_container_uuid: 'string',
      container_uuid: 'string', container_count_max: 'integer', container_count: 'integer', priority: 'integer',
      expires_at: 'datetime', container_image: 'string', command: 'jsonb', cwd: 'string', output_path: 'string',
      output_name: 'string', output_uuid: 'string', log_uuid: 'string', mounts: 'jsonb', runtime_constraints: 'jsonb',
      scheduling_parameters: 'jsonb', use_existing: 'boolean', output_properties: 'jsonb', cumulative_cost: 'float',
    },
    defaults: () => ({
      name: null, description: null, properties: {}, state: 'Committed', requesting_container_uuid: null,
      container_uuid: null, container_count_max: 3, container_count: 0, priority: 1, expires_at: null,
      container_image: 'arvados/jobs', command: ['echo', 'hello'], cwd: '/tmp', output_path: '/out', output_name: null,
      output_uuid: null, log_uuid: null, mounts: {}, runtime_constraints: { vcpus: 1, ram: 268435456 },
      scheduling_parameters: {}, use_existing: true, output_properties: {}, cumulative_cost: 0,
    }),
    unlogged: ['secret_mounts', 'runtime_token'],
  },
  Container: {
    columns: {
      state: 'string', started_at: 'datetime', finished_at: 'datetime', log: 'string', environment: 'jsonb', cwd: 'string',
      command: 'jsonb', output_path: 'string', mounts: 'jsonb', runtime_constraints: 'jsonb', output: 'string',
      container_image: 'string', progress: 'float', priority: 'integer', exit_code: 'integer', auth_uuid: 'string',
      locked_by_uuid: 'string', runtime_status: 'jsonb', runtime_user_uuid: 'string', lock_count: 'integer', cost: 'float',
      subrequests_cost: 'float',
    },
    defaults: () => ({
      state: 'Queued', started_at: null, finished_at: null, log: null, environment: {}, cwd: '/tmp',
      command: ['echo', 'hello'], output_path: '/out', mounts: {}, runtime_constraints: { vcpus: 1, ram: 268435456 },
      output: null, container_image: 'arvados/jobs', progress: null, priority: 1, exit_code: null, auth_uuid: null,
      locked_by_uuid: null, runtime_status: {}, runtime_user_uuid: null, lock_count: 0, cost: 0, subrequests_cost: 0,
    }),
    unlogged: ['secret_mounts', 'runtime_token'],
  },
  Group: {
    columns: {
      name: 'string', description: 'text', group_class: 'string', properties: 'jsonb', is_trashed: 'boolean',
      trash_at: 'datetime', delete_at: 'datetime', frozen_by_uuid: 'string',
    },
    defaults: () => ({
      name: null, description: null, group_class: 'project', properties: {}, is_trashed: false, trash_at: null,
      delete_at: null, frozen_by_uuid: null,
    }),
  },
  Workflow: {
    columns: { name: 'string', description: 'text', definition: 'text', collection_uuid: 'string' },
    defaults: () => ({ name: null, description: null, definition: null, collection_uuid: null }),
  },
  User: {
    columns: {
      email: 'string', first_name: 'string', last_name: 'string', username: 'string', identity_url: 'string',
      is_active: 'boolean', is_admin: 'boolean', prefs: 'jsonb',
    },
    defaults: () => ({
      email: null, first_name: null, last_name: null, username: null, identity_url: null, is_active: true,
      is_admin: false, prefs: {},
    }),
  },
};

/** Columns of the logs table: `properties` is `text`, not jsonb. */
export const LOG_COLUMNS: Columns = {
  id: 'integer',
  uuid: 'string',
  owner_uuid: 'string',
  modified_by_user_uuid: 'string',
  object_uuid: 'string',
  event_at: 'datetime',
  event_type: 'string',
  summary: 'text',
  properties: 'text',
  created_at: 'datetime',
  updated_at: 'datetime',
  modified_at: 'datetime',
  object_owner_uuid: 'string',
};

/** What a log item carries in the REST API (`log.rb` api_accessible + the common template). */
export const LOG_ATTRIBUTES = [
  'kind', 'etag', 'id', 'uuid', 'owner_uuid', 'created_at', 'modified_by_user_uuid', 'modified_at',
  'object_uuid', 'object_owner_uuid', 'object_kind', 'event_at', 'event_type', 'summary', 'properties',
];

function buildModels(): Map<string, ModelDef> {
  const models = new Map<string, ModelDef>();
  for (const kind of defaultKinds.kinds()) {
    const infix = defaultKinds.infixOf(kind)!;
    const model = kind.charAt(8).toUpperCase() + kind.slice(9);
    const specific = SPECIFIC[model];
    models.set(infix, {
      model,
      kind: kindOfModel(model),
      infix,
      resource: RESOURCES[model] ?? `${model.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}s`,
      columns: { ...COMMON, ...(specific?.columns ?? {}) },
      defaults: specific?.defaults ?? (() => ({})),
      unlogged: specific?.unlogged ?? [],
    });
  }
  return models;
}

/** Every model, by UUID infix. */
export const MODELS: ReadonlyMap<string, ModelDef> = buildModels();

export function modelOfUuid(uuid: string): ModelDef | undefined {
  return /^[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{15}$/.test(uuid) ? MODELS.get(uuid.slice(6, 11)) : undefined;
}

export function modelOfKind(kind: string): ModelDef | undefined {
  const infix = defaultKinds.infixOf(kind);
  return infix ? MODELS.get(infix) : undefined;
}

export function modelOfResource(resource: string): ModelDef | undefined {
  for (const m of MODELS.values()) if (m.resource === resource) return m;
  return undefined;
}
