/**
 * The event streams: the websocket client (ws), polling, gap filling, and `subscribe` that picks
 * one. Not in the barrel (index.ts): the extension imports this with its first connection.
 */
export { backfill } from './backfill';
export { EventClient } from './eventClient';
export { PollClient } from './pollClient';
export { subscribe } from './subscribe';
