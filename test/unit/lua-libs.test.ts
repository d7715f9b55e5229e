/*
 * The Lua libraries Redis 7.0 gives scripts (cjson, cmsgpack, bit, struct), run in our Lua VM.
 *
 * Each case is a script body and its outcome as a string: pcall's results serialised by PRELUDE
 * (strings with non-printable bytes as \xNN, numbers as %.17g, tables with sorted keys). The
 * expected strings were produced by running the very same chunk (prelude and body on one line,
 * named user_script) with EVAL on redis-server 7.0.15, so error texts carry the same positions.
 * Cases that change a cjson setting restore it, as Redis keeps settings between scripts.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { LUA_GLOBALSINDEX, LuaVm, type LuaState } from '../../commands/scripting/lua-vm.js';
import { openBit } from '../../commands/scripting/lib-bit.js';
import { openCjson } from '../../commands/scripting/lib-cjson.js';
import { openCmsgpack } from '../../commands/scripting/lib-cmsgpack.js';
import { openStruct } from '../../commands/scripting/lib-struct.js';
import { formatG } from '../../commands/scripting/lib-support.js';

type Case = [body: string, expected: string];

const PRELUDE = String.raw`local function __hx(s) return (string.gsub(s, '[^%w%p ]', function(c) return string.format('\\x%02x', string.byte(c)) end)) end local function __val(v, d) local t = type(v) if t == 'string' then return '"' .. __hx(v) .. '"' elseif t == 'number' then return string.format('%.17g', v) elseif t == 'table' then if d > 3 then return '{...}' end local keys = {} for k in pairs(v) do keys[#keys + 1] = k end table.sort(keys, function(a, b) if type(a) == type(b) and (type(a) == 'number' or type(a) == 'string') then return a < b end return type(a) < type(b) end) local parts = {} for _, k in ipairs(keys) do parts[#parts + 1] = __val(k, d + 1) .. '=' .. __val(v[k], d + 1) end return '{' .. table.concat(parts, ',') .. '}' elseif t == 'userdata' then return 'userdata' else return t .. (t == 'boolean' and ':' .. tostring(v) or '') end end local function __ser(...) local out = {} for i = 1, select('#', ...) do out[i] = __val((select(i, ...)), 0) end return table.concat(out, ' | ') end`;

let vm: LuaVm;
let L: LuaState;

function openAll(v: LuaVm, state: LuaState): void {
  openCjson(v, state);
  openCmsgpack(v, state);
  openBit(v, state);
  openStruct(v, state);
}

/** Runs a chunk; returns its first result as text, or "error: <message>". */
function runChunk(code: string): string {
  const top = vm.top(L);
  try {
    if (vm.load(L, Buffer.from(code, 'latin1'), '@user_script') !== 0 || vm.pcall(L, 0, 1, 0) !== 0) {
      return `error: ${vm.toText(L, -1)}`;
    }
    return vm.toText(L, -1) ?? String(vm.type(L, -1));
  } finally {
    vm.setTop(L, top);
  }
}

/** A body run as the recorded cases were: pcall'd, results serialised. */
function outcome(body: string): string {
  return runChunk(`${PRELUDE} return __ser(pcall(function() ${body} end))`);
}

beforeAll(async () => {
  vm = await LuaVm.create();
  L = vm.L;
  openAll(vm, L);
});

const CJSON_ENCODE: Case[] = [
  ["return cjson.encode({1,2,3,{a='/x'}})", "boolean:true | \"[1,2,3,{\"a\":\"\\/x\"}]\""],
  ["return cjson.encode({0.1, 1/3, 1e100, 123456789012345, 1e14, 100000000000005, -0.0, 2^53, 1e-5, 0.0001, 123.456, -1.5e-7, 5e-324})", "boolean:true | \"[0.1,0.33333333333333,1e+100,1.2345678901234e+14,1e+14,1e+14,-0,9.007199254741e+15,1e-05,0.0001,123.456,-1.5e-07,4.9406564584125e-324]\""],
  ["return cjson.encode('\\0\\1\\31\\127\\128\\255 /\"\\\\ \\b\\f\\n\\r\\t')", "boolean:true | \"\"\\u0000\\u0001\\u001f\\u007f\\x80\\xff \\/\\\"\\\\ \\b\\f\\n\\r\\t\"\""],
  ["return cjson.encode({}), cjson.encode({{}, {{}}}), cjson.encode(nil), cjson.encode(true), cjson.encode(cjson.null), cjson.encode('x')", "boolean:true | \"{}\" | \"[{},[{}]]\" | \"null\" | \"true\" | \"null\" | \"\"x\"\""],
  ["return cjson.encode({a=cjson.null, b={cjson.null, 1}})", "boolean:true | \"{\"a\":null,\"b\":[null,1]}\""],
  ["return cjson.encode({1, nil, 3}), cjson.encode({[1]=1,[2]=2,[4]=4}), cjson.encode({[1]=1,[10]=2})", "boolean:true | \"[1,null,3]\" | \"[1,2,null,4]\" | \"[1,null,null,null,null,null,null,null,null,2]\""],
  ["return cjson.encode({a=1, b=2, c=3, d={e=4, f={5}}})", "boolean:true | \"{\"a\":1,\"d\":{\"e\":4,\"f\":[5]},\"c\":3,\"b\":2}\""],
  ["return cjson.encode({foo='bar', [1]=2}), cjson.encode({[1.5]=1, [-2]=2}), cjson.encode({[0]=1})", "boolean:true | \"{\"1\":2,\"foo\":\"bar\"}\" | \"{\"1.5\":1,\"-2\":2}\" | \"{\"0\":1}\""],
  ["return cjson.encode({[2^31]=1}), cjson.encode({[2^31]=1, [3]=2})", "boolean:true | \"{\"2147483648\":1}\" | \"[null,null,2]\""],
  ["return cjson.encode({[1]=1,[20]=2})", "boolean:false | \"user_script:1: Cannot serialise table: excessively sparse array\""],
  ["return cjson.encode({[2^31-1]=1})", "boolean:false | \"user_script:1: Cannot serialise table: excessively sparse array\""],
  ["return cjson.encode({[true]=1})", "boolean:false | \"user_script:1: Cannot serialise boolean: table key must be a number or string\""],
  ["return cjson.encode({[1/0]=1})", "boolean:false | \"user_script:1: Cannot serialise number: must not be NaN or Inf\""],
  ["return cjson.encode(function() end)", "boolean:false | \"user_script:1: Cannot serialise function: type not supported\""],
  ["return cjson.encode({x=coroutine.create(function() end)})", "boolean:false | \"user_script:1: Cannot serialise thread: type not supported\""],
  ["return cjson.encode(0/0)", "boolean:false | \"user_script:1: Cannot serialise number: must not be NaN or Inf\""],
  ["return cjson.encode()", "boolean:false | \"user_script:1: bad argument #1 to 'encode' (expected 1 argument)\""],
  ["return cjson.encode(1, 2)", "boolean:false | \"user_script:1: bad argument #1 to 'encode' (expected 1 argument)\""],
  ["local t={} t[1]=t return cjson.encode(t)", "boolean:false | \"user_script:1: Cannot serialise, excessive nesting (1001)\""],
  ["local t = {} local c = t for i = 1, 999 do c[1] = {} c = c[1] end return #cjson.encode(t)", "boolean:true | 2000"],
  ["return cjson.encode(setmetatable({1}, {__len = function() return 5 end, __index = function() return 7 end}))", "boolean:true | \"[1]\""],
];

const CJSON_CONFIG: Case[] = [
  ["return cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision(), cjson.encode_keep_buffer(), cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers()", "boolean:true | 1000 | 1000 | 14 | boolean:true | boolean:false | boolean:true"],
  ["return cjson.encode_sparse_array()", "boolean:true | boolean:false | 2 | 10"],
  ["return cjson._NAME, cjson._VERSION, type(cjson.null), cjson.null == nil, cjson.null == cjson.null", "boolean:true | \"cjson\" | \"2.1.0\" | \"userdata\" | boolean:false | boolean:true"],
  ["cjson.encode_max_depth(2) local a, b = pcall(cjson.encode, {{{1}}}) local c = cjson.encode({{1}}) cjson.encode_max_depth(1000) return a, b, c", "boolean:true | boolean:false | \"Cannot serialise, excessive nesting (3)\" | \"[[1]]\""],
  ["cjson.decode_max_depth(2) local a, b = pcall(cjson.decode, '[[[1]]]') cjson.decode_max_depth(1000) return a, b", "boolean:true | boolean:false | \"Found too many nested data structures (3) at character 3\""],
  ["return cjson.encode_max_depth(0)", "boolean:false | \"user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)\""],
  ["return cjson.encode_max_depth('x')", "boolean:false | \"user_script:1: bad argument #1 to 'encode_max_depth' (number expected, got string)\""],
  ["return cjson.encode_max_depth(1, 2)", "boolean:false | \"user_script:1: bad argument #2 to 'encode_max_depth' (found too many arguments)\""],
  ["return cjson.encode_number_precision(15)", "boolean:false | \"user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)\""],
  ["cjson.encode_number_precision(3) local r = cjson.encode({1/3, 1234.5, 100, 12345, 0.0001234, 1e-5}) cjson.encode_number_precision(14) return r", "boolean:true | \"[0.333,1.23e+03,100,1.23e+04,0.000123,1e-05]\""],
  ["cjson.encode_number_precision(1) local r = cjson.encode({0.25, 0.35, 15, 25, 2.5}) cjson.encode_number_precision(14) return r", "boolean:true | \"[0.2,0.3,2e+01,2e+01,2]\""],
  ["local m = cjson.encode_invalid_numbers(true) local r = {m, cjson.encode({1/0, -1/0, 0/0}), cjson.encode({[1/0]=1})} cjson.encode_invalid_numbers(false) return unpack(r)", "boolean:true | boolean:true | \"[inf,-inf,nan]\" | \"{\"inf\":1}\""],
  ["local m = cjson.encode_invalid_numbers('null') local r = {m, cjson.encode({1/0, 0/0, -1/0}), cjson.encode({[1/0]=1})} cjson.encode_invalid_numbers('off') return unpack(r)", "boolean:true | \"null\" | \"[null,null,null]\" | \"{\"null\":1}\""],
  ["return cjson.encode_invalid_numbers('bogus')", "boolean:false | \"user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'bogus')\""],
  ["return cjson.encode_invalid_numbers(1)", "boolean:false | \"user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option '1')\""],
  ["local r = {cjson.decode_invalid_numbers(false), pcall(cjson.decode, '0x10')} local s = {pcall(cjson.decode, '01')} local t = {pcall(cjson.decode, '-inf')} cjson.decode_invalid_numbers(true) return r[1], r[2], r[3], s[1], s[2], t[1], t[2]", "boolean:true | boolean:false | boolean:false | \"Expected value but found invalid number at character 1\" | boolean:false | \"Expected value but found invalid number at character 1\" | boolean:false | \"Expected value but found invalid number at character 1\""],
  ["return cjson.encode_keep_buffer(false), cjson.encode({1}), cjson.encode_keep_buffer('on'), cjson.encode_keep_buffer(nil)", "boolean:true | boolean:false | \"[1]\" | boolean:true | boolean:true"],
  ["return cjson.encode_keep_buffer('yes')", "boolean:false | \"user_script:1: bad argument #1 to 'encode_keep_buffer' (invalid option 'yes')\""],
  ["local a = cjson.encode_sparse_array(true) local b = cjson.encode({[1]=1,[20]=2}) cjson.encode_sparse_array(false) return a, b", "boolean:true | boolean:true | \"{\"1\":1,\"20\":2}\""],
  ["local a, b, c = cjson.encode_sparse_array(nil, 3, 1) local d = cjson.encode({[1]=1,[3]=2}) local e, f = pcall(cjson.encode, {[1]=1,[4]=2}) cjson.encode_sparse_array(false, 2, 10) return a, b, c, d, e, f", "boolean:true | boolean:false | 3 | 1 | \"[1,null,2]\" | boolean:true | \"[1,null,null,2]\""],
  ["return cjson.encode_sparse_array(false, -1)", "boolean:false | \"user_script:1: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)\""],
  ["return cjson.encode_sparse_array(1)", "boolean:false | \"user_script:1: bad argument #1 to 'encode_sparse_array' (invalid option '1')\""],
  ["return cjson.encode_sparse_array(false, 1, 2, 3)", "boolean:false | \"user_script:1: bad argument #4 to 'encode_sparse_array' (found too many arguments)\""],
  ["local c = cjson.new() c.encode_max_depth(1) return c.encode_max_depth(), cjson.encode_max_depth(), c._NAME, c._VERSION, c.null == cjson.null, pcall(c.encode, {{1}})", "boolean:true | 1 | 1000 | \"cjson\" | \"2.1.0\" | boolean:true | boolean:false | \"Cannot serialise, excessive nesting (2)\""],
  // Nesting bound by the Lua stack (LUAI_MAXCSTACK) once the depth limits are lifted.
  ["cjson.decode_max_depth(100000) local ok, e = pcall(cjson.decode, string.rep('[', 20000)) cjson.decode_max_depth(1000) return ok, e", "boolean:true | boolean:false | \"Found too many nested data structures (7999) at character 7999\""],
  ["cjson.decode_max_depth(100000) local ok, e = pcall(cjson.decode, string.rep('{\"a\":', 20000)) cjson.decode_max_depth(1000) return ok, e", "boolean:true | boolean:false | \"Found too many nested data structures (4000) at character 19996\""],
  ["cjson.encode_max_depth(100000) local t = {} t[1] = t local ok, e = pcall(cjson.encode, t) cjson.encode_max_depth(1000) return ok, e", "boolean:true | boolean:false | \"Cannot serialise, excessive nesting (7998)\""],
  ["cjson.encode_max_depth(100000) local t = {} t.a = t local ok, e = pcall(cjson.encode, t) cjson.encode_max_depth(1000) return ok, e", "boolean:true | boolean:false | \"Cannot serialise, excessive nesting (4000)\""],
];

const CJSON_DECODE: Case[] = [
  ["return cjson.decode('{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}')", "boolean:true | {\"a\"=1,\"b\"={1=boolean:true,2=boolean:false,3=userdata},\"c\"={\"d\"=\"e\"}}"],
  ["return cjson.decode('  {\"a\" : 1 , \"b\":  2 }  ')", "boolean:true | {\"a\"=1,\"b\"=2}"],
  ["return cjson.decode('[0x10, +1, inf, -Infinity, 1e2, 1.5, 1E+2, -0, 0.5e-3, 012]')", "boolean:true | {1=16,2=1,3=inf,4=-inf,5=100,6=1.5,7=100,8=-0,9=0.00050000000000000001,10=12}"],
  ["return cjson.decode('0x1p4'), cjson.decode('0X1F'), cjson.decode('1e400'), cjson.decode('1e-400'), cjson.decode('12345678901234567890')", "boolean:true | 16 | 31 | inf | 0 | 1.2345678901234567e+19"],
  ["return cjson.decode('nan') ~= cjson.decode('nan'), cjson.decode('nan(123)') ~= 0", "boolean:true | boolean:true | boolean:true"],
  ["return cjson.encode(cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\\\\u0000x\\\\/\\\\b\\\\f\\\\n\\\\r\\\\t\\\\\"\\\\\\\\\"'))", "boolean:true | \"\"\\xc3\\xa9\\xf0\\x9f\\x98\\x80\\u0000x\\/\\b\\f\\n\\r\\t\\\"\\\\\"\""],
  ["return cjson.decode('\"\\1\\2\\255\"'), cjson.decode('\"' .. string.rep('\\\\u00ff', 3) .. '\"')", "boolean:true | \"\\x01\\x02\\xff\" | \"\\xc3\\xbf\\xc3\\xbf\\xc3\\xbf\""],
  ["return cjson.decode('[true,false,null,\"x\",{},[]]')", "boolean:true | {1=boolean:true,2=boolean:false,3=userdata,4=\"x\",5={},6={}}"],
  ["return cjson.decode('{\"a\":1,\"a\":2}').a, cjson.decode('\\t\\r\\n 1 \\t\\r\\n')", "boolean:true | 2 | 1"],
  ["return cjson.decode()", "boolean:false | \"user_script:1: bad argument #1 to 'decode' (expected 1 argument)\""],
  ["return cjson.decode(nil)", "boolean:false | \"user_script:1: bad argument #1 to 'decode' (string expected, got nil)\""],
  ["return cjson.decode('[1', 2)", "boolean:false | \"user_script:1: bad argument #1 to 'decode' (expected 1 argument)\""],
  ["return cjson.decode(12)", "boolean:true | 12"],
  ["return cjson.decode('[1')", "boolean:false | \"user_script:1: Expected comma or array end but found T_END at character 3\""],
  ["return cjson.decode('[1,]')", "boolean:false | \"user_script:1: Expected value but found T_ARR_END at character 4\""],
  ["return cjson.decode('{\"a\" 1}')", "boolean:false | \"user_script:1: Expected colon but found T_NUMBER at character 6\""],
  ["return cjson.decode('{\"a\":1,}')", "boolean:false | \"user_script:1: Expected object key string but found T_OBJ_END at character 8\""],
  ["return cjson.decode('{1:1}')", "boolean:false | \"user_script:1: Expected object key string but found T_NUMBER at character 2\""],
  ["return cjson.decode('')", "boolean:false | \"user_script:1: Expected value but found T_END at character 1\""],
  ["return cjson.decode(' ')", "boolean:false | \"user_script:1: Expected value but found T_END at character 2\""],
  ["return cjson.decode('x')", "boolean:false | \"user_script:1: Expected value but found invalid token at character 1\""],
  ["return cjson.decode('tru')", "boolean:false | \"user_script:1: Expected value but found invalid token at character 1\""],
  ["return cjson.decode('\"abc')", "boolean:false | \"user_script:1: Expected value but found unexpected end of string at character 5\""],
  ["return cjson.decode('\"\\\\x\"')", "boolean:false | \"user_script:1: Expected value but found invalid escape code at character 2\""],
  ["return cjson.decode('\"\\\\u12\"')", "boolean:false | \"user_script:1: Expected value but found invalid unicode escape code at character 2\""],
  ["return cjson.decode('\"\\\\ud800\\\\u0041\"')", "boolean:false | \"user_script:1: Expected value but found invalid unicode escape code at character 2\""],
  ["return cjson.decode('-')", "boolean:false | \"user_script:1: Expected value but found invalid number at character 1\""],
  ["return cjson.decode('1 2')", "boolean:false | \"user_script:1: Expected the end but found T_NUMBER at character 3\""],
  ["return cjson.decode('1.5.3')", "boolean:false | \"user_script:1: Expected the end but found invalid token at character 4\""],
  ["return cjson.decode('0x')", "boolean:false | \"user_script:1: Expected the end but found invalid token at character 2\""],
  ["return cjson.decode('\\0a')", "boolean:false | \"user_script:1: JSON parser does not support UTF-16 or UTF-32\""],
  ["return cjson.decode('a\\0')", "boolean:false | \"user_script:1: JSON parser does not support UTF-16 or UTF-32\""],
  ["return cjson.decode('\"a\\0b\"')", "boolean:false | \"user_script:1: Expected value but found unexpected end of string at character 3\""],
  ["return cjson.decode('infinit')", "boolean:false | \"user_script:1: Expected the end but found invalid token at character 4\""],
  ["return cjson.decode('\\v1')", "boolean:false | \"user_script:1: Expected value but found invalid token at character 1\""],
  ["return cjson.decode('[truex]')", "boolean:false | \"user_script:1: Expected comma or array end but found invalid token at character 6\""],
  ["return cjson.decode('[\"a\" : 1]')", "boolean:false | \"user_script:1: Expected comma or array end but found T_COLON at character 6\""],
  ["return cjson.decode('{\"a\":')", "boolean:false | \"user_script:1: Expected value but found T_END at character 6\""],
  ["return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))", "boolean:false | \"user_script:1: Found too many nested data structures (1001) at character 1001\""],
  ["return cjson.decode(string.rep('{\"a\":', 1001))", "boolean:false | \"user_script:1: Found too many nested data structures (1001) at character 5001\""],
];

const CMSGPACK: Case[] = [
  ["return cmsgpack.pack(1, -1, 0, 127, 128, 255, 256, 65535, 65536, 2^32-1, 2^32, 2^53, -32, -33, -128, -129, -32768, -32769, -2^31, -2^31-1, -2^53, 2^63, -2^63, 2^64)", "boolean:true | \"\\x01\\xff\\x00\\x7f\\xcc\\x80\\xcc\\xff\\xcd\\x01\\x00\\xcd\\xff\\xff\\xce\\x00\\x01\\x00\\x00\\xce\\xff\\xff\\xff\\xff\\xcf\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\xcf\\x00 \\x00\\x00\\x00\\x00\\x00\\x00\\xe0\\xd0\\xdf\\xd0\\x80\\xd1\\xff\\x7f\\xd1\\x80\\x00\\xd2\\xff\\xff\\x7f\\xff\\xd2\\x80\\x00\\x00\\x00\\xd3\\xff\\xff\\xff\\xff\\x7f\\xff\\xff\\xff\\xd3\\xff\\xe0\\x00\\x00\\x00\\x00\\x00\\x00\\xca_\\x00\\x00\\x00\\xd3\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xca_\\x80\\x00\\x00\""],
  ["return cmsgpack.pack(0.5, 1.1, -0.0, 1/0, -1/0, 3.25, 1e300, 1e-300, 2^-149, 0.1)", "boolean:true | \"\\xca?\\x00\\x00\\x00\\xcb?\\xf1\\x99\\x99\\x99\\x99\\x99\\x9a\\x00\\xca\\xff\\x80\\x00\\x00\\xca\\x7f\\x80\\x00\\x00\\xca@P\\x00\\x00\\xcb~7\\xe4<\\x88\\x00u\\x9c\\xcb\\x01\\xa5n\\x1f\\xc2\\xf8\\xf3Y\\xca\\x00\\x00\\x00\\x01\\xcb?\\xb9\\x99\\x99\\x99\\x99\\x99\\x9a\""],
  ["return #cmsgpack.pack(0/0), string.byte(cmsgpack.pack(0/0), 1)", "boolean:true | 9 | 203"],
  ["return cmsgpack.pack('', 'a', string.rep('x', 31)), string.byte(cmsgpack.pack(string.rep('x', 32)), 1, 2)", "boolean:true | \"\\xa0\\xa1a\\xbfxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" | 217 | 32"],
  ["return string.byte(cmsgpack.pack(string.rep('x', 255)), 1, 2), string.byte(cmsgpack.pack(string.rep('x', 256)), 1, 3), string.byte(cmsgpack.pack(string.rep('x', 65535)), 1, 3), string.byte(cmsgpack.pack(string.rep('x', 65536)), 1, 5)", "boolean:true | 217 | 218 | 218 | 219 | 0 | 1 | 0 | 0"],
  ["return cmsgpack.pack(true, false, nil)", "boolean:true | \"\\xc3\\xc2\\xc0\""],
  ["return cmsgpack.pack({}, {1, 2, 3}, {a=1}, {1, 2, nil, 4}, {[1]=1, [3]=3}, {[0]=1}, {[1.5]=1}, {'x', n=1})", "boolean:true | \"\\x90\\x93\\x01\\x02\\x03\\x81\\xa1a\\x01\\x83\\x01\\x01\\x02\\x02\\x04\\x04\\x82\\x01\\x01\\x03\\x03\\x81\\x00\\x01\\x81\\xca?\\xc0\\x00\\x00\\x01\\x82\\x01\\xa1x\\xa1n\\x01\""],
  ["return cmsgpack.pack(function() end, coroutine.create(function() end))", "boolean:true | \"\\xc0\\xc0\""],
  ["return cmsgpack.pack()", "boolean:false | \"user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)\""],
  ["return cmsgpack.pack({string.rep('a', 3), {b={c={d=1}}}})", "boolean:true | \"\\x92\\xa3aaa\\x81\\xa1b\\x81\\xa1c\\x81\\xa1d\\x01\""],
  ["local t = {} for i = 1, 16 do t[i] = i end return cmsgpack.pack(t)", "boolean:true | \"\\xdc\\x00\\x10\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\x09\\x0a\\x0b\\x0c\\x0d\\x0e\\x0f\\x10\""],
  ["local t = {} for i = 1, 70000 do t[i] = i % 3 end return #cmsgpack.pack(t), string.byte(cmsgpack.pack(t), 1, 5)", "boolean:true | 70005 | 221 | 0 | 1 | 17 | 112"],
  ["local t = {} for i = 1, 16 do t['k' .. i] = i end local s = cmsgpack.pack(t) return #s, string.byte(s, 1, 3)", "boolean:true | 74 | 222 | 0 | 16"],
  ["local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)", "boolean:true | \"\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\x91\\xc0\""],
  ["local t = {} t.x = t return cmsgpack.pack(t)", "boolean:true | \"\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\x81\\xa1x\\xc0\""],
  ["return cmsgpack.pack({[{}]=1}), cmsgpack.pack({[2^31]=1}), cmsgpack.pack({[2^31-1]=1})", "boolean:true | \"\\x81\\x90\\x01\" | \"\\x81\\xce\\x80\\x00\\x00\\x00\\x01\" | \"\\x81\\xce\\x7f\\xff\\xff\\xff\\x01\""],
  ["return cmsgpack.pack(setmetatable({1, 2}, {__index = function(t, k) return 'meta' end}))", "boolean:true | \"\\x92\\x01\\x02\""],
  ["return cmsgpack.unpack(cmsgpack.pack(1, 'a', {1, 2, {x='y'}}, true, false, 0.5, -3, 2^40))", "boolean:true | 1 | \"a\" | {1=1,2=2,3={\"x\"=\"y\"}} | boolean:true | boolean:false | 0.5 | -3 | 1099511627776"],
  ["return cmsgpack.unpack('')", "boolean:true"],
  ["return cmsgpack.unpack()", "boolean:false | \"user_script:1: bad argument #1 to 'unpack' (string expected, got no value)\""],
  ["return cmsgpack.unpack({})", "boolean:false | \"user_script:1: bad argument #1 to 'unpack' (string expected, got table)\""],
  ["return cmsgpack.unpack(123)", "boolean:true | 49 | 50 | 51"],
  ["return cmsgpack.unpack('\\192\\192')", "boolean:true | nil | nil"],
  ["return cmsgpack.unpack('\\193')", "boolean:false | \"user_script:1: Bad data format in input.\""],
  ["return cmsgpack.unpack('\\196\\1a')", "boolean:false | \"user_script:1: Bad data format in input.\""],
  ["return cmsgpack.unpack('\\204')", "boolean:false | \"user_script:1: Missing bytes in input.\""],
  ["return cmsgpack.unpack('\\217\\5abc')", "boolean:false | \"user_script:1: Missing bytes in input.\""],
  ["return cmsgpack.unpack('\\219\\255\\255\\255\\255abc')", "boolean:false | \"user_script:1: Missing bytes in input.\""],
  ["return cmsgpack.unpack('\\146\\1')", "boolean:false | \"user_script:1: Missing bytes in input.\""],
  ["return cmsgpack.unpack('\\129\\192\\1')", "boolean:false | \"table index is nil\""],
  ["return cmsgpack.unpack('\\129\\203\\127\\248\\0\\0\\0\\0\\0\\0\\1')", "boolean:false | \"table index is NaN\""],
  ["return cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255', '\\207\\128\\0\\0\\0\\0\\0\\0\\0', '\\207\\127\\255\\255\\255\\255\\255\\255\\255')", "boolean:true | -1"],
  ["return cmsgpack.unpack('\\211\\255\\255\\255\\255\\255\\255\\255\\255\\211\\128\\0\\0\\0\\0\\0\\0\\0\\211\\0\\32\\0\\0\\0\\0\\0\\1')", "boolean:true | -1 | -9.2233720368547758e+18 | 9007199254740992"],
  ["return cmsgpack.unpack('\\207\\0\\32\\0\\0\\0\\0\\0\\1\\206\\255\\255\\255\\255\\210\\128\\0\\0\\0\\209\\128\\0\\208\\128\\224\\255\\127\\0')", "boolean:true | 9007199254740992 | 4294967295 | -2147483648 | -32768 | -128 | -32 | -1 | 127 | 0"],
  ["return cmsgpack.unpack('\\202\\63\\192\\0\\0\\202\\127\\128\\0\\0\\203\\64\\9\\33\\251\\84\\68\\45\\24')", "boolean:true | 1.5 | inf | 3.1415926535897931"],
  ["return cmsgpack.unpack('\\220\\0\\2\\1\\2\\221\\0\\0\\0\\1\\3\\222\\0\\1\\1\\2\\223\\0\\0\\0\\1\\3\\4')", "boolean:true | {1=1,2=2} | {1=3} | {1=2} | {3=4}"],
  ["return cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3)), cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)", "boolean:true | 1 | -1 | 3"],
  ["return cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)", "boolean:true | -1"],
  ["return cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)", "boolean:false | \"user_script:1: Start offset 4 greater than input length 3.\""],
  ["return cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)", "boolean:false | \"user_script:1: Invalid request to unpack with offset of -1 and limit of 3.\""],
  ["return cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 'x')", "boolean:false | \"user_script:1: bad argument #2 to 'unpack_one' (number expected, got string)\""],
  ["return cmsgpack.unpack_one()", "boolean:false | \"user_script:1: bad argument #1 to 'unpack_one' (string expected, got no value)\""],
  ["return cmsgpack.unpack_one('', 0)", "boolean:true | -1"],
  ["return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)", "boolean:true | 2 | 1 | 2"],
  ["return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)", "boolean:true | -1 | 2 | 3"],
  ["return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)", "boolean:true | 1 | 2 | 3"],
  ["return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)", "boolean:true | 1"],
  ["return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -1, -5)", "boolean:false | \"user_script:1: Invalid request to unpack with offset of -5 and limit of 3.\""],
  ["return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))", "boolean:false | \"user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value)\""],
  ["return cmsgpack.unpack_one('\\1\\193', 1)", "boolean:false | \"user_script:1: Bad data format in input.\""],
  ["return select('#', cmsgpack.unpack(string.rep('\\1', 8000)))", "boolean:false | \"user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)\""],
  ["return cmsgpack.unpack(string.rep('\\145', 5000) .. '\\1')", "boolean:false | \"user_script:1: stack overflow (in function mp_decode_to_lua_array)\""],
  ["return cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION", "boolean:true | \"cmsgpack\" | \"lua-cmsgpack 0.4.0\" | \"Copyright (C) 2012, Salvatore Sanfilippo\" | \"MessagePack C implementation for Lua\""],
  ["return cmsgpack.unpack(cmsgpack.pack({a={b={1,2,{c='d'}}}, [5]='five', [true]=false}))", "boolean:true | {boolean:true=boolean:false,5=\"five\",\"a\"={\"b\"={1=1,2=2,3={\"c\"=\"d\"}}}}"],
  ["return cmsgpack.unpack(cmsgpack.pack(string.rep('\\0\\255', 100)))", "boolean:true | \"\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\\x00\\xff\""],
];

const BIT: Case[] = [
  ["return bit.tobit(0xffffffff), bit.tobit(2^32+5), bit.tobit(-1), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-2.5), bit.tobit(2^53+2), bit.tobit(1e300), bit.tobit(0/0), bit.tobit('0x10')", "boolean:true | -1 | 5 | -1 | 2 | 2 | -2 | 1 | -2013235812 | 0 | 16"],
  ["return bit.tobit()", "boolean:false | \"user_script:1: bad argument #1 to 'tobit' (number expected, got no value)\""],
  ["return bit.tobit('x')", "boolean:false | \"user_script:1: bad argument #1 to 'tobit' (number expected, got string)\""],
  ["return bit.tohex(1), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -2), bit.tohex(0x12345678, 20), bit.tohex(-1, -8), bit.tohex(1, 0), bit.tohex(1, -2^31)", "boolean:true | \"00000001\" | \"ffffffff\" | \"ff\" | \"FF\" | \"12345678\" | \"FFFFFFFF\" | \"\" | \"00000001\""],
  ["return bit.tohex(1, nil)", "boolean:false | \"user_script:1: bad argument #2 to 'tohex' (number expected, got nil)\""],
  ["return bit.bnot(0), bit.bnot(5), bit.band(0xff, 0x0f, 0x3), bit.bor(1, 2, 4, 8), bit.bxor(5, 3), bit.band(1)", "boolean:true | -1 | -6 | 3 | 15 | 6 | 1"],
  ["return bit.band(1, 'x', nil)", "boolean:false | \"user_script:1: bad argument #3 to 'band' (number expected, got nil)\""],
  ["return bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(1, 33), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rshift(0x80000000, 31), bit.arshift(0x80000000, 31)", "boolean:true | -2147483648 | 1 | 2 | 15 | -16 | 1 | -1"],
  ["return bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.rol(1, 0), bit.ror(1, 32), bit.bswap(0x12345678), bit.bswap(0xff)", "boolean:true | 878082066 | 2014458966 | 1 | 1 | 2018915346 | -16777216"],
  ["return bit.lshift(1)", "boolean:false | \"user_script:1: bad argument #2 to 'lshift' (number expected, got no value)\""],
  ["return bit.tobit(true)", "boolean:false | \"user_script:1: bad argument #1 to 'tobit' (number expected, got boolean)\""],
];

const STRUCT: Case[] = [
  ["return struct.pack('>I2', 258), struct.pack('<I2', 258), struct.pack('b', -1), struct.pack('B', 255), struct.pack('h', -2), struct.pack('H', 65535)", "boolean:true | \"\\x01\\x02\" | \"\\x02\\x01\" | \"\\xff\" | \"\\xff\" | \"\\xfe\\xff\" | \"\\xff\\xff\""],
  ["return struct.pack('<i', 1e20), struct.pack('<i8', 0/0), struct.pack('<I8', 2^63), struct.pack('<I8', 2^64), struct.pack('<I8', 1e19), struct.pack('<i8', -2^64)", "boolean:true | \"\\x00\\x00\\x00\\x00\" | \"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\" | \"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\" | \"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\" | \"\\x00\\x00\\xe8\\x89\\x04#\\xc7\\x8a\" | \"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\""],
  ["return struct.pack('<i3', -2.7), struct.pack('<i12', -2), struct.pack('>i12', -2), struct.pack('<f', 1.1), struct.pack('>d', 1.1), struct.pack('<l', -3), struct.pack('T', 5)", "boolean:true | \"\\xfe\\xff\\xff\" | \"\\xfe\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\x00\\x00\\x00\" | \"\\x00\\x00\\x00\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\" | \"\\xcd\\xcc\\x8c?\" | \"?\\xf1\\x99\\x99\\x99\\x99\\x99\\x9a\" | \"\\xfd\\xff\\xff\\xff\\xff\\xff\\xff\\xff\" | \"\\x05\\x00\\x00\\x00\\x00\\x00\\x00\\x00\""],
  ["return struct.pack('!8 b d', 1, 2), struct.pack('!8 b c3 i', 1, 'abc', 7), struct.pack('!8 b h', 1, 7), struct.pack('!b x h', 1, 7), struct.pack('!2 b i', 1, 2), struct.pack('!1 b l', 1, 2)", "boolean:true | \"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00@\" | \"\\x01abc\\x07\\x00\\x00\\x00\" | \"\\x01\\x00\\x07\\x00\" | \"\\x01\\x00\\x07\\x00\" | \"\\x01\\x00\\x02\\x00\\x00\\x00\" | \"\\x01\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\""],
  ["return struct.pack('s', 'ab'), struct.pack('c0', 'ab'), struct.pack('c', 'ab'), struct.pack('c2s', 'abc', 'd'), struct.pack('xx'), struct.pack(''), struct.pack('i\\0q', 5)", "boolean:true | \"ab\\x00\" | \"ab\" | \"a\" | \"abd\\x00\" | \"\\x00\\x00\" | \"\" | \"\\x05\\x00\\x00\\x00\""],
  ["return struct.pack('c3', 'ab')", "boolean:false | \"user_script:1: bad argument #3 to 'pack' (string too short)\""],
  ["return struct.pack('i')", "boolean:false | \"user_script:1: bad argument #2 to 'pack' (number expected, got nil)\""],
  ["return struct.pack('i', 'x')", "boolean:false | \"user_script:1: bad argument #2 to 'pack' (number expected, got string)\""],
  ["return struct.pack()", "boolean:false | \"user_script:1: bad argument #1 to 'pack' (string expected, got no value)\""],
  ["return struct.pack('q', 1)", "boolean:false | \"user_script:1: bad argument #1 to 'pack' (invalid format option 'q')\""],
  ["return struct.pack('!3')", "boolean:false | \"user_script:1: alignment 3 is not a power of 2\""],
  ["return struct.pack('i33', 1)", "boolean:false | \"user_script:1: integral size 33 is larger than limit of 32\""],
  ["return struct.pack('i99999999999', 1)", "boolean:false | \"user_script:1: integral size overflow\""],
  ["return struct.unpack('>I2', 'ab', 5)", "boolean:false | \"user_script:1: bad argument #2 to 'unpack' (data string too short)\""],
  ["return struct.unpack('c0', 'ab')", "boolean:false | \"user_script:1: format 'c0' needs a previous size\""],
  ["return struct.size('!4bi'), struct.size('q'), struct.size('T'), struct.size('bhilTfdx c5'), struct.size('!8 b d'), struct.size('')", "boolean:true | 8 | 0 | 8 | 41 | 16 | 0"],
  ["return struct.size('s')", "boolean:false | \"user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)\""],
  ["return struct.size('c0')", "boolean:false | \"user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size)\""],
  ["return struct.size('%')", "boolean:false | \"user_script:1: bad argument #1 to 'size' (invalid format option '%')\""],
  ["return struct.unpack('bc0', '\\2ab')", "boolean:true | \"ab\" | 4"],
  ["return struct.unpack('bc0', '\\3ab')", "boolean:false | \"user_script:1: bad argument #2 to 'unpack' (data string too short)\""],
  ["return struct.unpack('s', 'abc')", "boolean:false | \"user_script:1: unfinished string in data\""],
  ["return struct.unpack('ss', 'ab\\0cd\\0')", "boolean:true | \"ab\" | \"cd\" | 7"],
  ["return struct.unpack('', 'ab', 5)", "boolean:true | 5"],
  ["return struct.unpack('q', 'ab')", "boolean:false | \"user_script:1: bad argument #1 to 'unpack' (invalid format option 'q')\""],
  ["return struct.unpack('>!4 b i', '\\1\\0\\0\\0\\0\\0\\0\\2')", "boolean:true | 1 | 2 | 9"],
  ["return struct.unpack('<L', '\\255\\255\\255\\255\\255\\255\\255\\255')", "boolean:true | 1.8446744073709552e+19 | 9"],
  ["return struct.unpack('<l', '\\255\\255\\255\\255\\255\\255\\255\\255')", "boolean:true | -1 | 9"],
  ["return struct.unpack('<i16', string.rep('\\255', 16)), struct.unpack('<I16', string.rep('\\255', 16)), struct.unpack('>i9', '\\255\\0\\0\\0\\0\\0\\0\\0\\128'), struct.unpack('<i9', '\\128\\0\\0\\0\\0\\0\\0\\0\\255')", "boolean:true | -1 | 1.8446744073709552e+19 | -128 | -128 | 10"],
  ["return struct.unpack('<I3', '\\1\\2\\3'), struct.unpack('>i3', '\\255\\255\\254'), struct.unpack('<i5', '\\0\\0\\0\\0\\128'), struct.unpack('<I6', '\\255\\255\\255\\255\\255\\255')", "boolean:true | 197121 | -2 | -549755813888 | 281474976710655 | 7"],
  ["return struct.unpack('<f', struct.pack('<f', 1.5)), struct.unpack('>d', struct.pack('>d', -2.25)), struct.unpack('d', struct.pack('d', 0.1)), struct.unpack('f', struct.pack('f', 0.1))", "boolean:true | 1.5 | -2.25 | 0.10000000000000001 | 0.10000000149011612 | 5"],
  ["return struct.unpack('b', 'ab', 3)", "boolean:false | \"user_script:1: bad argument #2 to 'unpack' (data string too short)\""],
  ["return struct.unpack('b')", "boolean:false | \"user_script:1: bad argument #2 to 'unpack' (string expected, got no value)\""],
  ["return select('#', struct.unpack(string.rep('b', 8000), string.rep('\\1', 8000)))", "boolean:false | \"user_script:1: stack overflow (too many results)\""],
  ["return struct.unpack('!4 b i b i', struct.pack('!4 b i b i', 1, 2, 3, 4))", "boolean:true | 1 | 2 | 3 | 4 | 17"],
];

describe('outcomes recorded from Redis 7.0.15', () => {
  test.each(CJSON_ENCODE)('cjson encode: %s', (body, expected) => expect(outcome(body)).toBe(expected));
  test.each(CJSON_CONFIG)('cjson config: %s', (body, expected) => expect(outcome(body)).toBe(expected));
  test.each(CJSON_DECODE)('cjson decode: %s', (body, expected) => expect(outcome(body)).toBe(expected));
  test.each(CMSGPACK)('cmsgpack: %s', (body, expected) => expect(outcome(body)).toBe(expected));
  test.each(BIT)('bit: %s', (body, expected) => expect(outcome(body)).toBe(expected));
  test.each(STRUCT)('struct: %s', (body, expected) => expect(outcome(body)).toBe(expected));
});

describe('round trips', () => {
  test('cjson: a nested document decodes and re-encodes to the same text', () => {
    const json = '{"name":"job","data":{"ids":[1,2,3],"flags":[true,false,null],"nested":{"deep":[[],{}]}},"n":-12.5}';
    expect(runChunk(`local t = cjson.decode('${json}') return cjson.encode(t.data.ids) .. cjson.encode(t.data.nested) .. t.n`)).toBe(
      '[1,2,3]{"deep":[{},{}]}-12.5',
    );
  });

  test('cjson: every byte value survives encode then decode', () => {
    expect(
      runChunk(`local b = {} for i = 0, 255 do b[#b + 1] = string.char(i) end local s = table.concat(b)
        local back = cjson.decode(cjson.encode({s}))[1] return tostring(back == s) .. #back`),
    ).toBe('true256');
  });

  test('cmsgpack: values of every kind round trip, several per string', () => {
    expect(
      runChunk(`local s = cmsgpack.pack({1, 2.5, 'x', {k = {true, false}}}, -7, string.rep('z', 70000), 2^40, -2^40)
        local a, b, c, d, e = cmsgpack.unpack(s)
        return table.concat({a[1], a[2], a[3], tostring(a[4].k[1]), tostring(a[4].k[2]), b, #c, d, e}, ',')`),
    ).toBe('1,2.5,x,true,false,-7,70000,1099511627776,-1099511627776');
  });

  test('cmsgpack: unpack_one walks a stream value by value', () => {
    expect(
      runChunk(`local s = cmsgpack.pack('a', {1}, 3) local out, off, v = {}, 0
        repeat off, v = cmsgpack.unpack_one(s, off) out[#out + 1] = type(v) .. ':' .. off until off == -1
        return table.concat(out, ' ')`),
    ).toBe('string:2 table:4 number:-1');
  });

  test('struct: pack then unpack gives the values and the next position', () => {
    expect(runChunk(`return table.concat({struct.unpack('>bBhHiIlLfd s c3', struct.pack('>bBhHiIlLfd s c3', -1, 255, -2, 65535, -3, 4000000000, -4, 5, 0.5, 0.25, 'str', 'abc'))}, ',')`)).toBe(
      '-1,255,-2,65535,-3,4000000000,-4,5,0.5,0.25,str,abc,50',
    );
  });
});

describe('library state', () => {
  test('each cjson.new() table keeps its own settings, and collected ones are released', () => {
    expect(
      runChunk(`local a, b = cjson.new(), cjson.new() a.encode_max_depth(3)
        return a.encode_max_depth() .. ' ' .. b.encode_max_depth() .. ' ' .. cjson.encode_max_depth()`),
    ).toBe('3 1000 1000');
    const before = runChunk('collectgarbage() return collectgarbage("count")');
    expect(runChunk('for i = 1, 2000 do cjson.new().encode_max_depth(5) end collectgarbage() return cjson.encode_max_depth()')).toBe('1000');
    const after = runChunk('collectgarbage() return collectgarbage("count")');
    expect(Number(after)).toBeLessThan(Number(before) + 64);
  });

  // Both texts as Redis 7.0.15 gives them.
  test('deep msgpack nesting stops at the Lua stack limit, not the JavaScript one', () => {
    expect(runChunk(`return select(2, pcall(cmsgpack.unpack, string.rep('\\145', 100000) .. '\\1'))`)).toBe(
      'stack overflow (in function mp_decode_to_lua_array)',
    );
    expect(runChunk(`return select(2, pcall(cmsgpack.unpack, string.rep('\\129\\1', 100000) .. '\\1'))`)).toBe(
      'stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)',
    );
  });

  test('libraries open again on a fresh state (SCRIPT FLUSH), with default settings', () => {
    runChunk('cjson.encode_number_precision(3)');
    vm.reset();
    L = vm.L;
    openAll(vm, L);
    expect(runChunk('return cjson.encode({1/3}) .. bit.tohex(255, 2) .. struct.size("i") .. #cmsgpack.pack(1)')).toBe('[0.33333333333333]ff41');
  });

  test('the globals are set', () => {
    for (const name of ['cjson', 'cmsgpack', 'bit', 'struct']) {
      vm.getField(L, LUA_GLOBALSINDEX, name);
      expect(vm.type(L, -1)).toBe(5);
      vm.pop(L, 1);
    }
  });
});

describe('formatG', () => {
  test('matches printf %.14g, including round-half-even on exact ties', () => {
    expect(formatG(100000000000005, 14)).toBe('1e+14');
    expect(formatG(100000000000015, 14)).toBe('1.0000000000002e+14');
    expect(formatG(0.5, 1)).toBe('0.5');
    expect(formatG(2.5, 1)).toBe('2');
    expect(formatG(3.5, 1)).toBe('4');
    expect(formatG(0.125, 2)).toBe('0.12');
    expect(formatG(-0, 14)).toBe('-0');
    expect(formatG(1e-5, 14)).toBe('1e-05');
    expect(formatG(123456789012345678, 14)).toBe('1.2345678901235e+17');
    expect(formatG(99999999999999.99, 14)).toBe('1e+14');
    expect(formatG(Infinity, 14)).toBe('inf');
  });
});
