/*
 * The GEO family's command table: arity, flags, ACL categories and key specs as Redis 7.0's
 * COMMAND INFO shows them. GEORADIUS and GEORADIUSBYMEMBER are 'write' (their STORE options)
 * with movable keys found by keyword, as Redis's key specs do.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandFlag, CommandSpec, Handler, KeyRange } from '../table.js';
import { isWord } from '../args.js';
import { georadiusGetKeysProc, indexSpec, keywordSpec } from '../key-specs.js';
import { geoaddCommand, geodistCommand, geohashCommand, geoposCommand } from './commands.js';
import {
  georadiusbymemberCommand, georadiusbymemberRoCommand, georadiusCommand, georadiusRoCommand, geosearchCommand,
  geosearchstoreCommand,
} from './search.js';

const READ: readonly CommandFlag[] = ['readonly'];
const WRITE: readonly CommandFlag[] = ['write', 'denyoom'];
const ACL_READ = ['read', 'geo', 'slow'];
const ACL_WRITE = ['write', 'geo', 'slow'];
const KEY1: KeyRange = { first: 1, last: 1, step: 1 };
const RO: KeyRange = { ...KEY1, flags: ['RO', 'access'] };
const SEARCH_N = 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';
const RADIUS_OPTS = '[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]';

/** Key 1, plus the key after the first STORE and the first STOREDIST at or after argv[from]. */
function storeKeys(from: number): (argv: Argv) => number[] {
  return (argv) => {
    const out = [1];
    for (const word of ['STORE', 'STOREDIST']) {
      for (let i = from; i + 1 < argv.length; i++) {
        if (isWord(argv[i]!, word)) {
          out.push(i + 1);
          break;
        }
      }
    }
    return out;
  };
}

/** GEORADIUS and GEORADIUSBYMEMBER: the source, and STORE / STOREDIST destinations searched from argv[from]. */
function radiusKeys(from: number): Extra {
  return {
    getKeys: storeKeys(from),
    keySpecs: [indexSpec(1, ['RO', 'access']), keywordSpec('STORE', from, ['OW', 'update']), keywordSpec('STOREDIST', from, ['OW', 'update'])],
    getKeysProc: georadiusGetKeysProc,
  };
}

type Extra = Pick<CommandSpec, 'getKeys' | 'keySpecs' | 'getKeysProc'>;

function spec(name: string, arity: number, flags: readonly CommandFlag[], acl: string[], keys: KeyRange, run: Handler, summary: string, since: string, complexity: string, args: string, extra: Extra = {}): CommandSpec {
  return { name, arity, flags, acl, keys, run, docs: { summary, since, group: 'geo', complexity, args }, ...extra };
}

export const GEO_COMMANDS: readonly CommandSpec[] = [
  spec('geoadd', -5, WRITE, ACL_WRITE, { first: 1, last: 1, step: 1, flags: ['RW', 'update'] }, geoaddCommand,
    'Adds members with their coordinates to a geospatial index (a sorted set).', '3.2.0', 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    'key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]'),
  spec('geodist', -4, READ, ACL_READ, RO, geodistCommand, 'Returns the distance between two members of a geospatial index.', '3.2.0', 'O(log(N))',
    'key member1 member2 [M | KM | FT | MI]'),
  spec('geohash', -2, READ, ACL_READ, RO, geohashCommand, 'Returns members of a geospatial index as standard geohash strings.', '3.2.0', 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
    'key [member [member ...]]'),
  spec('geopos', -2, READ, ACL_READ, RO, geoposCommand, 'Returns the longitude and latitude of members of a geospatial index.', '3.2.0', 'O(N) where N is the number of members requested.',
    'key [member [member ...]]'),
  spec('geosearch', -7, READ, ACL_READ, RO, geosearchCommand, 'Returns members of a geospatial index inside a circle or a box.', '6.2.0', SEARCH_N,
    'key <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]'),
  spec('geosearchstore', -8, WRITE, ACL_WRITE, { first: 1, last: 2, step: 1 }, geosearchstoreCommand,
    'Stores the members of a geospatial index inside a circle or a box in another key.', '6.2.0', SEARCH_N,
    'destination source <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [STOREDIST]',
    { keySpecs: [indexSpec(1, ['OW', 'update']), indexSpec(2, ['RO', 'access'])] }),
  spec('georadius', -6, ['write', 'denyoom', 'movablekeys'], ACL_WRITE, KEY1, georadiusCommand,
    'Returns members of a geospatial index within a radius of a point, optionally storing them (deprecated: GEOSEARCH).', '3.2.0', SEARCH_N,
    `key longitude latitude radius <M | KM | FT | MI> ${RADIUS_OPTS} [STORE key] [STOREDIST key]`, radiusKeys(6)),
  spec('georadiusbymember', -5, ['write', 'denyoom', 'movablekeys'], ACL_WRITE, KEY1, georadiusbymemberCommand,
    'Returns members of a geospatial index within a radius of a member, optionally storing them (deprecated: GEOSEARCH).', '3.2.0', SEARCH_N,
    `key member radius <M | KM | FT | MI> ${RADIUS_OPTS} [STORE key] [STOREDIST key]`, radiusKeys(5)),
  spec('georadius_ro', -6, READ, ACL_READ, RO, georadiusRoCommand,
    'Returns members of a geospatial index within a radius of a point (deprecated: GEOSEARCH).', '3.2.10', SEARCH_N,
    `key longitude latitude radius <M | KM | FT | MI> ${RADIUS_OPTS}`),
  spec('georadiusbymember_ro', -5, READ, ACL_READ, RO, georadiusbymemberRoCommand,
    'Returns members of a geospatial index within a radius of a member (deprecated: GEOSEARCH).', '3.2.10', SEARCH_N,
    `key member radius <M | KM | FT | MI> ${RADIUS_OPTS}`),
];
