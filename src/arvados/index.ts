/** The event engine: plain Node, shared by the extension, the CLI and the tests. Never imports vscode. */
export * from './types';
export * from './errors';
export * from './config';
export * from './binding';
export * from './profiles';
export * from './rest';
export * from './kinds';
export * from './filters';
export { compileFilter, restConditions } from './filterMatch';
export * from './eventShape';
export * from './emitter';
export * from './redact';
export type { EventStream, StreamOptions } from './stream';
// The event streams (the websocket client, polling, gap filling) come from './transport', not from
// here: the extension loads them with its first connection, and a bundler follows every re-export.
export type { SubscribeOptions, Subscription, TransportChoice } from './subscribe';
export { ProcessLogFollower, DEFAULT_LOG_FILES, outcomeOf, parseMultistatusSizes } from './processLog';
export type { LogApi, ProcessLogOptions, ProcessOutcome, ProcessPhase } from './processLog';
export { LineSplitter, mergeByTime, timestampOf } from './logLines';
export type { LogLine } from './logLines';
