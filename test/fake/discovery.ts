/**
 * The two unauthenticated documents a client reads first: the discovery document
 * (`schema_controller.rb`) and the exported cluster config (`lib/config/export.go`). Only the
 * keys clients use are filled in, with the real shapes: ExternalURLs re-serialised the Go way
 * (a host-only URL gets path `/`), `websocketUrl` empty when the websocket is not configured,
 * durations as Go duration strings.
 */
import { goDuration } from './time';
import { MODELS } from './models';

export interface PublishedSettings {
  clusterId: string;
  /** `https://127.0.0.1:PORT/` */
  rootUrl: string;
  /** `wss://127.0.0.1:PORT/websocket`, or '' when the websocket is turned off. */
  websocketUrl: string;
  workbench2Url: string;
  /** False: the discovery document publishes no Workbench URL (only the exported config has it). */
  workbenchInDiscovery?: boolean;
  sendTimeoutMs: number;
  maxItemsPerResponse: number;
  /** `<resource>.<method>` entries (`logs.list`) removed from the discovery document. */
  disabledApis: readonly string[];
}

export const REVISION = '20250402';
export const MAX_REQUEST_SIZE = 134217728;

const LIST_PARAMETERS = {
  filters: { type: 'array', required: false, description: 'Filters to limit which objects are returned by their attributes.', location: 'query' },
  where: { type: 'object', required: false, description: 'An object to limit which objects are returned by their attributes.', location: 'query' },
  order: { type: 'array', required: false, description: 'An array of strings to set the order in which matching objects are returned.', location: 'query' },
  select: { type: 'array', required: false, description: 'An array of names of attributes to return from each matching object.', location: 'query' },
  distinct: { type: 'boolean', required: false, default: 'false', description: 'If this is true, and multiple objects have the same values for the attributes that you specify in the `select` parameter, then each unique set of values will only be returned once in the result set.', location: 'query' },
  limit: { type: 'integer', required: false, default: '100', description: 'The maximum number of objects to return in the result.', location: 'query' },
  offset: { type: 'integer', required: false, default: '0', description: 'Return matching objects starting from this index.', location: 'query' },
  count: { type: 'string', required: false, default: 'exact', description: 'A string to determine result counting behavior.', location: 'query' },
  cluster_id: { type: 'string', required: false, description: 'Cluster ID of a federated cluster to return objects from', location: 'query' },
  bypass_federation: { type: 'boolean', required: false, default: 'false', description: 'If true, do not return results from other clusters in the federation, only the cluster that received the request.', location: 'query' },
};

function methodsOf(resource: string, disabled: readonly string[]): Record<string, unknown> {
  const methods: Record<string, unknown> = {
    get: {
      id: `arvados.${resource}.get`,
      path: `${resource}/{uuid}`,
      httpMethod: 'GET',
      description: `Get a ${resource} record by UUID.`,
      parameters: {
        uuid: { type: 'string', required: true, description: 'The UUID of the object to return.', location: 'path' },
        select: LIST_PARAMETERS.select,
        include_trash: { type: 'boolean', required: false, default: 'false', location: 'query' },
      },
      parameterOrder: ['uuid'],
      response: { $ref: resource },
      scopes: ['https://api.arvados.org/auth/arvados', 'https://api.arvados.org/auth/arvados.readonly'],
    },
    list: {
      id: `arvados.${resource}.list`,
      path: resource,
      httpMethod: 'GET',
      description: `Retrieve a ${resource} list.`,
      parameters: LIST_PARAMETERS,
      response: { $ref: `${resource}List` },
      scopes: ['https://api.arvados.org/auth/arvados', 'https://api.arvados.org/auth/arvados.readonly'],
    },
  };
  for (const name of Object.keys(methods)) if (disabled.includes(`${resource}.${name}`)) delete methods[name];
  return methods;
}

export function discoveryDocument(s: PublishedSettings, generatedAtMs: number): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  for (const m of MODELS.values()) {
    schemas[m.model] = { id: m.model, description: m.model, type: 'object', uuidPrefix: m.infix, properties: {} };
    schemas[`${m.model}List`] = { id: `${m.model}List`, type: 'object', properties: {} };
    resources[m.resource] = { methods: methodsOf(m.resource, s.disabledApis) };
  }
  resources.users = { methods: { ...(resources.users as { methods: object }).methods, current: { id: 'arvados.users.current', path: 'users/current', httpMethod: 'GET', parameters: {} } } };
  return {
    auth: { oauth2: { scopes: { 'https://api.arvados.org/auth/arvados': { description: 'View and manage objects' }, 'https://api.arvados.org/auth/arvados.readonly': { description: 'View objects' } } } },
    basePath: '/arvados/v1/',
    baseUrl: `${s.rootUrl}arvados/v1/`,
    batchPath: 'batch',
    blobSignatureTtl: 1209600,
    crunchLogUpdatePeriod: 1800,
    crunchLogUpdateSize: 33554432,
    defaultCollectionReplication: 2,
    defaultTrashLifetime: 1209600,
    description: 'The API to interact with Arvados.',
    discoveryVersion: 'v1',
    dockerImageFormats: ['v2'],
    documentationLink: 'http://doc.arvados.org/api/index.html',
    etag: '',
    generatedAt: new Date(generatedAtMs).toISOString(),
    id: 'arvados:v1',
    keepWebServiceUrl: '',
    kind: 'discovery#restDescription',
    maxItemsPerResponse: s.maxItemsPerResponse,
    maxRequestSize: MAX_REQUEST_SIZE,
    name: 'arvados',
    packageVersion: '3.1.0',
    parameters: {
      alt: { type: 'string', description: 'Data format for the response.', default: 'json', enum: ['json'], location: 'query' },
      fields: { type: 'string', description: 'Selector specifying which fields to include in a partial response.', location: 'query' },
      key: { type: 'string', description: 'API key. Your API key identifies your project.', location: 'query' },
      oauth_token: { type: 'string', description: 'OAuth 2.0 token for the current user.', location: 'query' },
    },
    protocol: 'rest',
    remoteHosts: {},
    remoteHostsViaDNS: false,
    resources,
    revision: REVISION,
    rootUrl: s.rootUrl,
    schemas,
    servicePath: 'arvados/v1/',
    source_version: 'fake0000',
    sourceVersion: 'fake0000',
    title: 'Arvados API',
    uuidPrefix: s.clusterId,
    version: 'v1',
    websocketUrl: s.websocketUrl,
    workbenchUrl: '',
    workbench2Url: s.workbenchInDiscovery === false ? '' : s.workbench2Url,
  };
}

export function exportedConfig(s: PublishedSettings): Record<string, unknown> {
  return {
    ClusterID: s.clusterId,
    API: {
      MaxItemsPerResponse: s.maxItemsPerResponse,
      MaxRequestSize: MAX_REQUEST_SIZE,
      RequestTimeout: '5m',
      SendTimeout: goDuration(s.sendTimeoutMs),
    },
    Collections: { WebDAVLogEvents: true },
    Login: { LoginCluster: '' },
    RemoteClusters: {},
    Services: {
      Controller: { ExternalURL: s.rootUrl },
      Websocket: { ExternalURL: s.websocketUrl },
      Workbench1: { ExternalURL: '' },
      Workbench2: { ExternalURL: s.workbench2Url },
      WebDAV: { ExternalURL: '' },
      WebDAVDownload: { ExternalURL: '' },
    },
    Workbench: { SiteName: `Fake cluster ${s.clusterId}` },
  };
}
