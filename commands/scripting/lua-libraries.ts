/*
 * The libraries Redis 7.0 adds to the scripting state beside `redis`, opened on every new state
 * before it is sandboxed (each sets its global).
 */
import type { LuaState, LuaVm } from './lua-vm.js';
import { openBit } from './lib-bit.js';
import { openCjson } from './lib-cjson.js';
import { openCmsgpack } from './lib-cmsgpack.js';
import { openStruct } from './lib-struct.js';

export type LuaLibraryOpener = (vm: LuaVm, L: LuaState) => void;

export const LUA_LIBRARIES: readonly LuaLibraryOpener[] = [openCjson, openCmsgpack, openBit, openStruct];
