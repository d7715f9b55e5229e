/*
 * Every command Rewind knows, family by family. The only barrel file: dispatch, COMMAND and the
 * coverage test read ALL_COMMANDS.
 */
import type { CommandSpec } from './table.js';
import { CONNECTION_COMMANDS } from './connection/index.js';
import { SERVER_COMMANDS } from './server/index.js';
import { STRING_COMMANDS } from './string/index.js';
import { KEYS_COMMANDS } from './keys/index.js';
import { HASH_COMMANDS } from './hash/index.js';
import { SET_COMMANDS } from './set/index.js';
import { BITMAP_COMMANDS } from './bitmap/index.js';
import { HLL_COMMANDS } from './hyperloglog/index.js';
import { STREAM_COMMANDS } from './stream/index.js';
import { LIST_COMMANDS } from './list/index.js';
import { ZSET_COMMANDS } from './zset/index.js';
import { GEO_COMMANDS } from './geo/index.js';
import { SORT_COMMANDS } from './sort/index.js';
import { TRANSACTION_COMMANDS } from './transactions/index.js';
import { PUBSUB_COMMANDS } from './pubsub/index.js';
import { SCRIPTING_COMMANDS } from './scripting/index.js';

export const ALL_COMMANDS: readonly CommandSpec[] = [...CONNECTION_COMMANDS, ...SERVER_COMMANDS, ...STRING_COMMANDS, ...KEYS_COMMANDS, ...HASH_COMMANDS, ...SET_COMMANDS, ...BITMAP_COMMANDS, ...HLL_COMMANDS, ...STREAM_COMMANDS, ...LIST_COMMANDS, ...ZSET_COMMANDS, ...SORT_COMMANDS, ...GEO_COMMANDS, ...TRANSACTION_COMMANDS, ...PUBSUB_COMMANDS, ...SCRIPTING_COMMANDS];
