/** The event engine: plain Node, shared by the extension, the CLI and the tests. Never imports vscode. */
export * from './types';
export * from './errors';
export * from './config';
export * from './binding';
export * from './rest';
export * from './kinds';
export * from './filters';
export * from './eventShape';
export * from './emitter';
export * from './redact';
export { backfill } from './backfill';
export type { EventStream, StreamOptions } from './stream';
export { EventClient } from './eventClient';
export { PollClient } from './pollClient';
export { subscribe } from './subscribe';
export type { SubscribeOptions, Subscription, TransportChoice } from './subscribe';
