/*
 * CLIENT TRACKING across connections: invalidations pushed to RESP3 clients, sent through REDIRECT
 * (a RESP2 pub/sub message or a RESP3 push), BCAST prefixes, OPTIN/OPTOUT with CLIENT CACHING,
 * NOLOOP, flushes and expiry. Each scenario (syntax in test/helpers/push-scenario.ts) carries the
 * transcript redis-server 7.0.15 gave for it, byte for byte. Rewind must give the same; when
 * redis-server is on PATH the scenario runs against it as well, so the recording is re-checked.
 * Argument errors and single-connection replies are in test/diff/client-tracking.redis.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordingsHoldOnRealRedis, transcript, type RecordedCase } from '../helpers/recorded-cases.js';
import { rawClient, simplify } from '../helpers/raw.js';
import { redisAvailable } from '../helpers/real-redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[client-tracking] redis-server not found on PATH: the live comparison is SKIPPED');

type Case = RecordedCase;

const CASES: readonly Case[] = [
  {
    name: 'default mode, RESP3: keys read, one invalidation each, own writes after the reply',
    script: `
# A RESP3 client is told about keys it read, once per read; its own writes come after the reply.
A: !ignore HELLO 3
A: CLIENT TRACKING on
A: GET k1
A: MGET k2 k3
A: SET k1 v
A: SET k1 v
A: GET k1
B: SET k1 x
A: SET k2 x
A: GET k2
A: MULTI
A: SET k2 y
A: GET k1
A: EXEC
A: GET k1
B: SELECT 1
B: SET k1 other-db
A: !read
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
A: !ignore HELLO 3  ->  <ignored>
A: CLIENT TRACKING on  ->  "+OK\r\n"
A: GET k1  ->  "_\r\n"
A: MGET k2 k3  ->  "*2\r\n_\r\n_\r\n"
A: SET k1 v  ->  "+OK\r\n"
A: SET k1 v  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n"
A: SET k1 v  ->  "+OK\r\n"
A: GET k1  ->  "$1\r\nv\r\n"
B: SET k1 x  ->  "+OK\r\n"
A: SET k2 x  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n"
A: SET k2 x  ->  "+OK\r\n"
A: GET k2  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk2\r\n"
A: GET k2  ->  "$1\r\nx\r\n"
A: MULTI  ->  "+OK\r\n"
A: SET k2 y  ->  "+QUEUED\r\n"
A: GET k1  ->  "+QUEUED\r\n"
A: EXEC  ->  "*2\r\n+OK\r\n$1\r\nx\r\n"
A: GET k1  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk2\r\n"
A: GET k1  ->  "$1\r\nx\r\n"
B: SELECT 1  ->  "+OK\r\n"
B: SET k1 other-db  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n"
`,
  },
  {
    name: 'FLUSHDB and FLUSHALL: a null invalidation for every tracking client',
    script: `
# FLUSHALL and FLUSHDB (even of an empty db) send every tracking client a null: everything is invalid.
A: !ignore HELLO 3
A: CLIENT TRACKING on
A: GET k1
B: FLUSHDB
A: !read
A: GET k1
A: FLUSHALL
R: SUBSCRIBE __redis__:invalidate
C: CLIENT TRACKING on REDIRECT $R
B: FLUSHALL
A: !read
R: !read
B: FLUSHALL ASYNC
A: !read
R: !read
B: FLUSHALL bogus
C: CLIENT TRACKING off
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
A: !ignore HELLO 3  ->  <ignored>
A: CLIENT TRACKING on  ->  "+OK\r\n"
A: GET k1  ->  "_\r\n"
B: FLUSHDB  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n_\r\n"
A: GET k1  ->  "_\r\n"
A: FLUSHALL  ->  "+OK\r\n"
R: SUBSCRIBE __redis__:invalidate  ->  "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
C: CLIENT TRACKING on REDIRECT $R  ->  "+OK\r\n"
B: FLUSHALL  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n_\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"
B: FLUSHALL ASYNC  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n_\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"
B: FLUSHALL bogus  ->  "-ERR syntax error\r\n"
C: CLIENT TRACKING off  ->  "+OK\r\n"
A: <end>  ->  ">2\r\n$10\r\ninvalidate\r\n_\r\n"
`,
  },
  {
    name: 'REDIRECT: RESP2 pub/sub message, RESP3 push, nothing for an unsubscribed RESP2 client',
    script: `
# REDIRECT: to a subscribed RESP2 client as a message on __redis__:invalidate, to a RESP3 client as a
# push; a RESP2 target that is not subscribed gets nothing. A flush's null is in the tracking client's protocol.
R: SUBSCRIBE __redis__:invalidate
A: CLIENT TRACKING on REDIRECT $R
A: !ids CLIENT GETREDIR
A: !ids CLIENT TRACKINGINFO
A: GET k1
A: SET k1 v
R: !read
A: GET k1
B: FLUSHALL
R: !read
A: CLIENT TRACKING off
A: !ids CLIENT TRACKINGINFO
C: !ignore HELLO 3
C: CLIENT TRACKING on REDIRECT $R
C: GET k2
B: SET k2 x
R: !read
B: FLUSHALL
R: !read
N: PING
D: !ignore HELLO 3
D: CLIENT TRACKING on REDIRECT $N
D: GET k3
B: SET k3 x
N: PING
P: !ignore HELLO 3
E: CLIENT TRACKING on REDIRECT $P
E: GET k4
B: SET k4 x
P: !read
B: FLUSHALL
P: !read
R: !read
# A client may redirect to itself: once subscribed, a RESP2 client gets the messages.
S: CLIENT TRACKING on REDIRECT $S
S: GET k5
S: SUBSCRIBE __redis__:invalidate
B: SET k5 x
S: !read
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
R: SUBSCRIBE __redis__:invalidate  ->  "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
A: CLIENT TRACKING on REDIRECT $R  ->  "+OK\r\n"
A: !ids CLIENT GETREDIR  ->  ":$R\r\n"
A: !ids CLIENT TRACKINGINFO  ->  "*6\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$8\r\nredirect\r\n:$R\r\n$8\r\nprefixes\r\n*0\r\n"
A: GET k1  ->  "$-1\r\n"
A: SET k1 v  ->  "+OK\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk1\r\n"
A: GET k1  ->  "$1\r\nv\r\n"
B: FLUSHALL  ->  "+OK\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"
A: CLIENT TRACKING off  ->  "+OK\r\n"
A: !ids CLIENT TRACKINGINFO  ->  "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"
C: !ignore HELLO 3  ->  <ignored>
C: CLIENT TRACKING on REDIRECT $R  ->  "+OK\r\n"
C: GET k2  ->  "_\r\n"
B: SET k2 x  ->  "+OK\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk2\r\n"
B: FLUSHALL  ->  "+OK\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n_\r\n"
N: PING  ->  "+PONG\r\n"
D: !ignore HELLO 3  ->  <ignored>
D: CLIENT TRACKING on REDIRECT $N  ->  "+OK\r\n"
D: GET k3  ->  "_\r\n"
B: SET k3 x  ->  "+OK\r\n"
N: PING  ->  "+PONG\r\n"
P: !ignore HELLO 3  ->  <ignored>
E: CLIENT TRACKING on REDIRECT $P  ->  "+OK\r\n"
E: GET k4  ->  "$-1\r\n"
B: SET k4 x  ->  "+OK\r\n"
P: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk4\r\n"
B: FLUSHALL  ->  "+OK\r\n"
P: !read  ->  ">2\r\n$10\r\ninvalidate\r\n$-1\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n_\r\n"
S: CLIENT TRACKING on REDIRECT $S  ->  "+OK\r\n"
S: GET k5  ->  "$-1\r\n"
S: SUBSCRIBE __redis__:invalidate  ->  "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
B: SET k5 x  ->  "+OK\r\n"
S: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk5\r\n"
`,
  },
  {
    name: 'REDIRECT to a client that went away: tracking-redir-broken',
    script: `
# The redirect client disconnects: a RESP3 tracking client is told, and TRACKINGINFO says so.
A: !ignore HELLO 3
X: PING
A: CLIENT TRACKING on REDIRECT $X
A: GET k1
X: QUIT
B: SET k1 v
A: !ids !read
A: !ids CLIENT TRACKINGINFO
A: !ids CLIENT GETREDIR
A: GET k1
B: SET k1 w
A: !ids !read
A: CLIENT TRACKING on
A: CLIENT TRACKINGINFO
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
A: !ignore HELLO 3  ->  <ignored>
X: PING  ->  "+PONG\r\n"
A: CLIENT TRACKING on REDIRECT $X  ->  "+OK\r\n"
A: GET k1  ->  "_\r\n"
X: QUIT  ->  "+OK\r\n"
B: SET k1 v  ->  "+OK\r\n"
A: !ids !read  ->  ">2\r\n$21\r\ntracking-redir-broken\r\n:$X\r\n"
A: !ids CLIENT TRACKINGINFO  ->  "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:$X\r\n$8\r\nprefixes\r\n*0\r\n"
A: !ids CLIENT GETREDIR  ->  ":$X\r\n"
A: GET k1  ->  "$1\r\nv\r\n"
B: SET k1 w  ->  "+OK\r\n"
A: !ids !read  ->  ">2\r\n$21\r\ntracking-redir-broken\r\n:$X\r\n"
A: CLIENT TRACKING on  ->  "+OK\r\n"
A: CLIENT TRACKINGINFO  ->  "%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n"
`,
  },
  {
    name: 'BCAST: per-prefix batches in byte order, NOLOOP, redirect',
    script: `
# BCAST: one message per prefix with the keys modified in the batch, in byte order; NOLOOP drops
# the client's own changes; no prefix means every key.
F: !ignore HELLO 3
F: CLIENT TRACKING on BCAST PREFIX a PREFIX b
B: MSET b2 1 a1 1 c1 1 a0 1 b1 1
F: !read
F: !read
F: GET c1
B: SET c1 2
F: CLIENT TRACKING on BCAST PREFIX c
B: DEL a0 c1
F: !read
F: !read
F: CLIENT TRACKING on BCAST NOLOOP
F: CLIENT TRACKINGINFO
F: SET c5 1
B: SET c6 1
F: !read
F: !read
F: MSET c7 1 c8 2
B: SET c7 1
F: !read
F: !read
R: SUBSCRIBE __redis__:invalidate
G: CLIENT TRACKING on BCAST PREFIX user: REDIRECT $R
B: MSET user:1 a user:2 b other c
R: !read
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
F: !ignore HELLO 3  ->  <ignored>
F: CLIENT TRACKING on BCAST PREFIX a PREFIX b  ->  "+OK\r\n"
B: MSET b2 1 a1 1 c1 1 a0 1 b1 1  ->  "+OK\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\na0\r\n$2\r\na1\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\nb1\r\n$2\r\nb2\r\n"
F: GET c1  ->  "$1\r\n1\r\n"
B: SET c1 2  ->  "+OK\r\n"
F: CLIENT TRACKING on BCAST PREFIX c  ->  "+OK\r\n"
B: DEL a0 c1  ->  ":2\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\na0\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nc1\r\n"
F: CLIENT TRACKING on BCAST NOLOOP  ->  "+OK\r\n"
F: CLIENT TRACKINGINFO  ->  "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*4\r\n$0\r\n\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
F: SET c5 1  ->  "+OK\r\n"
B: SET c6 1  ->  "+OK\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nc6\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nc6\r\n"
F: MSET c7 1 c8 2  ->  "+OK\r\n"
B: SET c7 1  ->  "+OK\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nc7\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nc7\r\n"
R: SUBSCRIBE __redis__:invalidate  ->  "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
G: CLIENT TRACKING on BCAST PREFIX user: REDIRECT $R  ->  "+OK\r\n"
B: MSET user:1 a user:2 b other c  ->  "+OK\r\n"
R: !read  ->  "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n"
F: <end>  ->  ">2\r\n$10\r\ninvalidate\r\n*3\r\n$5\r\nother\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n"
`,
  },
  {
    name: 'OPTIN / OPTOUT with CLIENT CACHING',
    script: `
# OPTIN tracks only after CLIENT CACHING yes, OPTOUT all but after CLIENT CACHING no; the mark
# lasts one command (CLIENT subcommands keep it, a whole MULTI ... EXEC uses it).
O: !ignore HELLO 3
O: CLIENT TRACKING on OPTIN
O: GET o1
O: CLIENT CACHING yes
O: CLIENT TRACKINGINFO
O: GET o2
O: GET o3
B: MSET o1 1 o2 1 o3 1
O: !read
O: CLIENT CACHING yes
O: MULTI
O: GET o1
O: GET o2
O: EXEC
O: GET o3
B: MSET o1 1 o2 1 o3 1
O: !read
O: !read
O: CLIENT CACHING yes
O: GET
O: GET o3
B: MSET o3 2
O: CLIENT TRACKING off
O: CLIENT TRACKING on OPTOUT
O: CLIENT CACHING no
O: CLIENT TRACKINGINFO
O: GET p1
O: GET p2
B: MSET p1 1 p2 2
O: !read
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
O: !ignore HELLO 3  ->  <ignored>
O: CLIENT TRACKING on OPTIN  ->  "+OK\r\n"
O: GET o1  ->  "_\r\n"
O: CLIENT CACHING yes  ->  "+OK\r\n"
O: CLIENT TRACKINGINFO  ->  "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n"
O: GET o2  ->  "_\r\n"
O: GET o3  ->  "_\r\n"
B: MSET o1 1 o2 1 o3 1  ->  "+OK\r\n"
O: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\no2\r\n"
O: CLIENT CACHING yes  ->  "+OK\r\n"
O: MULTI  ->  "+OK\r\n"
O: GET o1  ->  "+QUEUED\r\n"
O: GET o2  ->  "+QUEUED\r\n"
O: EXEC  ->  "*2\r\n$1\r\n1\r\n$1\r\n1\r\n"
O: GET o3  ->  "$1\r\n1\r\n"
B: MSET o1 1 o2 1 o3 1  ->  "+OK\r\n"
O: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\no1\r\n"
O: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\no2\r\n"
O: CLIENT CACHING yes  ->  "+OK\r\n"
O: GET  ->  "-ERR wrong number of arguments for 'get' command\r\n"
O: GET o3  ->  "$1\r\n1\r\n"
B: MSET o3 2  ->  "+OK\r\n"
O: CLIENT TRACKING off  ->  "+OK\r\n"
O: CLIENT TRACKING on OPTOUT  ->  "+OK\r\n"
O: CLIENT CACHING no  ->  "+OK\r\n"
O: CLIENT TRACKINGINFO  ->  "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n"
O: GET p1  ->  "_\r\n"
O: GET p2  ->  "_\r\n"
B: MSET p1 1 p2 2  ->  "+OK\r\n"
O: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\np2\r\n"
`,
  },
  {
    name: 'what is tracked and what invalidates: reads only, real changes, expiry, NOLOOP',
    script: `
# What is tracked: keys of read-only commands (whatever their result), not of writes; what
# invalidates: an actual change, expiry included, in any db (one namespace for all dbs).
A: !ignore HELLO 3
A: CLIENT TRACKING on
S: SET e v PX 50
A: GET e
!sleep 200
S: GET e
A: !read
A: GET m
S: DEL m
S: LPUSH m
S: INCR m
A: !read
A: GET m
S: SET m x
A: !read
A: CLIENT TRACKING on NOLOOP
A: GET n
A: SET n 1
A: GET n
S: SET n 2
A: !read
A: MGET x1 x2
A: EXISTS x3 x4
A: STRLEN x5
A: SORT_RO x6
S: MSET x1 1 x4 2 x5 3 x6 4
A: !read
A: !read
A: !read
A: !read
A: SET w 1
A: INCR w
S: SET w 5
A: PING
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
A: !ignore HELLO 3  ->  <ignored>
A: CLIENT TRACKING on  ->  "+OK\r\n"
S: SET e v PX 50  ->  "+OK\r\n"
A: GET e  ->  "$1\r\nv\r\n"
S: GET e  ->  "$-1\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ne\r\n"
A: GET m  ->  "_\r\n"
S: DEL m  ->  ":0\r\n"
S: LPUSH m  ->  "-ERR wrong number of arguments for 'lpush' command\r\n"
S: INCR m  ->  ":1\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nm\r\n"
A: GET m  ->  "$1\r\n1\r\n"
S: SET m x  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nm\r\n"
A: CLIENT TRACKING on NOLOOP  ->  "+OK\r\n"
A: GET n  ->  "_\r\n"
A: SET n 1  ->  "+OK\r\n"
A: GET n  ->  "$1\r\n1\r\n"
S: SET n 2  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nn\r\n"
A: MGET x1 x2  ->  "*2\r\n_\r\n_\r\n"
A: EXISTS x3 x4  ->  ":0\r\n"
A: STRLEN x5  ->  ":0\r\n"
A: SORT_RO x6  ->  "*0\r\n"
S: MSET x1 1 x4 2 x5 3 x6 4  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nx1\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nx4\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nx5\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nx6\r\n"
A: SET w 1  ->  "+OK\r\n"
A: INCR w  ->  ":2\r\n"
S: SET w 5  ->  "+OK\r\n"
A: PING  ->  "+PONG\r\n"
`,
  },
  {
    name: 'scripts: their reads tracked for the caller, their writes after the reply, BCAST NOLOOP',
    script: `
# Scripts: what their commands read is tracked for the caller, their writes reach the caller after
# the reply; a BCAST NOLOOP caller still hears of its script's writes (Redis compares with the
# script's own client).
A: !ignore HELLO 3
A: CLIENT TRACKING on
A: EVAL "return redis.call('get', KEYS[1])" 1 s1
A: EVAL_RO "return redis.call('get', KEYS[1])" 1 s2
B: MSET s1 1 s2 2
A: !read
A: !read
A: GET s3
A: EVAL "return redis.call('set', KEYS[1], 'x')" 1 s3
A: PING
F: !ignore HELLO 3
F: CLIENT TRACKING on BCAST NOLOOP PREFIX b
F: EVAL "return redis.call('set', KEYS[1], 'x')" 1 b1
F: SET b2 1
B: SET b3 1
F: !read
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
A: !ignore HELLO 3  ->  <ignored>
A: CLIENT TRACKING on  ->  "+OK\r\n"
A: EVAL "return redis.call('get', KEYS[1])" 1 s1  ->  "_\r\n"
A: EVAL_RO "return redis.call('get', KEYS[1])" 1 s2  ->  "_\r\n"
B: MSET s1 1 s2 2  ->  "+OK\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ns1\r\n"
A: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ns2\r\n"
A: GET s3  ->  "_\r\n"
A: EVAL "return redis.call('set', KEYS[1], 'x')" 1 s3  ->  "+OK\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ns3\r\n"
A: PING  ->  "+PONG\r\n"
F: !ignore HELLO 3  ->  <ignored>
F: CLIENT TRACKING on BCAST NOLOOP PREFIX b  ->  "+OK\r\n"
F: EVAL "return redis.call('set', KEYS[1], 'x')" 1 b1  ->  "+OK\r\n"
F: SET b2 1  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nb1\r\n"
F: SET b2 1  ->  "+OK\r\n"
B: SET b3 1  ->  "+OK\r\n"
F: !read  ->  ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nb3\r\n"
`,
  },
  {
    name: 'keys of read-only commands of every family, wherever they stand',
    script: `
# Keys of read-only commands of every family are tracked, wherever the command names them; no
# key-less read (SCAN, KEYS, DBSIZE) and no write (ZRANGESTORE's destination) tracks anything.
S: RPUSH l a
S: HSET h f v
S: SADD s1 a
S: SADD s2 b
S: ZADD z 1 a
S: XADD x 1-1 f v
S: GEOADD g 1 1 m
S: SET str abc
S: PFADD hll a
A: !ignore HELLO 3
A: CLIENT TRACKING on
A: LRANGE l 0 -1
A: HGET h f
A: HGETALL h
A: SINTER s1 s2
A: ZSCORE z a
A: XRANGE x - +
A: GEOPOS g m
A: GETRANGE str 0 1
A: BITCOUNT str
A: LCS str str
A: TYPE l
A: TTL h
A: OBJECT ENCODING str
A: DUMP z
A: PFCOUNT hll
A: SORT_RO l ALPHA
A: EXISTS nope1 nope2
A: SCAN 0 MATCH zzz
A: KEYS zzz*
A: DBSIZE
A: ZRANGESTORE zdst z 0 -1
A: SUNION s1 nope3
S: DEL l h s1 s2 z x g str hll nope1 nope2 nope3 zdst zzz
S: SET nope1 1
S: SET nope2 1
S: SET nope3 1
A: PING
`,
    expected: String.raw`
Z: FLUSHALL  ->  "+OK\r\n"
S: RPUSH l a  ->  ":1\r\n"
S: HSET h f v  ->  ":1\r\n"
S: SADD s1 a  ->  ":1\r\n"
S: SADD s2 b  ->  ":1\r\n"
S: ZADD z 1 a  ->  ":1\r\n"
S: XADD x 1-1 f v  ->  "$3\r\n1-1\r\n"
S: GEOADD g 1 1 m  ->  ":1\r\n"
S: SET str abc  ->  "+OK\r\n"
S: PFADD hll a  ->  ":1\r\n"
A: !ignore HELLO 3  ->  <ignored>
A: CLIENT TRACKING on  ->  "+OK\r\n"
A: LRANGE l 0 -1  ->  "*1\r\n$1\r\na\r\n"
A: HGET h f  ->  "$1\r\nv\r\n"
A: HGETALL h  ->  "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"
A: SINTER s1 s2  ->  "~0\r\n"
A: ZSCORE z a  ->  ",1\r\n"
A: XRANGE x - +  ->  "*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
A: GEOPOS g m  ->  "*1\r\n*2\r\n,0.99999994039535522\r\n,0.99999945914297683\r\n"
A: GETRANGE str 0 1  ->  "$2\r\nab\r\n"
A: BITCOUNT str  ->  ":10\r\n"
A: LCS str str  ->  "$3\r\nabc\r\n"
A: TYPE l  ->  "+list\r\n"
A: TTL h  ->  ":-1\r\n"
A: OBJECT ENCODING str  ->  "$6\r\nembstr\r\n"
A: DUMP z  ->  "$24\r\n\x11\x0c\x0c\x00\x00\x00\x02\x00\x81a\x02\x01\x01\xff\n\x00\xa8\x05\xce\xb8\xd7\xa93\x02\r\n"
A: PFCOUNT hll  ->  ":1\r\n"
A: SORT_RO l ALPHA  ->  "*1\r\n$1\r\na\r\n"
A: EXISTS nope1 nope2  ->  ":0\r\n"
A: SCAN 0 MATCH zzz  ->  "*2\r\n$1\r\n0\r\n*0\r\n"
A: KEYS zzz*  ->  "*0\r\n"
A: DBSIZE  ->  ":9\r\n"
A: ZRANGESTORE zdst z 0 -1  ->  ":1\r\n"
A: SUNION s1 nope3  ->  "~1\r\n$1\r\na\r\n"
S: DEL l h s1 s2 z x g str hll nope1 nope2 nope3 zdst zzz  ->  ":10\r\n"
S: SET nope1 1  ->  "+OK\r\n"
S: SET nope2 1  ->  "+OK\r\n"
S: SET nope3 1  ->  "+OK\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nl\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nh\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ns1\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ns2\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nz\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nx\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ng\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nstr\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nhll\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nnope1\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nnope2\r\n"
A: PING  ->  (push) ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nnope3\r\n"
A: PING  ->  "+PONG\r\n"
`,
  },
];

/** Each case starts from an empty keyspace; the FLUSHALL precedes every tracking client. */

describe('CLIENT TRACKING: transcripts recorded from Redis 7.0.15', () => {
  let rewind: TestServer;
  beforeAll(async () => {
    rewind = await startTestServer();
  });
  afterAll(async () => {
    await rewind?.close();
  });

  for (const c of CASES) {
    test(c.name, async () => {
      expect(await transcript(rewind.port, c)).toBe(c.expected.trim());
    });
  }

  test('INFO and CLIENT LIST show who tracks what', async () => {
    const a = await rawClient(rewind.port);
    const b = await rawClient(rewind.port);
    const info = async (): Promise<string> => String(simplify((await b.call('INFO', 'everything')).value));
    try {
      await b.call('FLUSHALL');
      expect(await info()).toMatch(/tracking_clients:0\r\n[\s\S]*tracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0\r\n/);
      const bId = String(simplify((await b.call('CLIENT', 'ID')).value));
      await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', bId);
      await a.call('MGET', 'k1', 'k2');
      await b.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'p', 'PREFIX', 'q');
      expect(await info()).toMatch(/tracking_clients:2\r\n[\s\S]*tracking_total_keys:2\r\ntracking_total_items:2\r\ntracking_total_prefixes:2\r\n/);
      const list = String(simplify((await b.call('CLIENT', 'LIST')).value));
      const aId = String(simplify((await a.call('CLIENT', 'ID')).value));
      expect(list).toMatch(new RegExp(`id=${aId} .* flags=t .* redir=${bId} `));
      expect(list).toMatch(new RegExp(`id=${bId} .* flags=tB .* redir=0 `));
      await b.call('QUIT');
      await b.close();
      // The redirect is gone: the next invalidation marks A broken (R).
      const c = await rawClient(rewind.port);
      await c.call('SET', 'k1', 'x');
      expect(String(simplify((await c.call('CLIENT', 'LIST')).value))).toMatch(new RegExp(`id=${aId} .* flags=tR .* redir=${bId} `));
      await a.call('CLIENT', 'TRACKING', 'off');
      // The key A read and nobody changed stays in the table until changed (Redis drops it lazily).
      expect(String(simplify((await c.call('INFO', 'everything')).value))).toMatch(/tracking_clients:0\r\n[\s\S]*tracking_total_keys:1\r\ntracking_total_items:1\r\ntracking_total_prefixes:0\r\n/);
      await c.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('CLIENT TRACKING: the table limit', () => {
  let rewind: TestServer;
  beforeAll(async () => {
    rewind = await startTestServer();
  });
  afterAll(async () => {
    await rewind?.close();
  });

  // Redis forgets random keys over the limit (so no recording can be compared); Rewind the oldest.
  test('over tracking-table-max-keys a key is forgotten and its reader told, as if it changed', async () => {
    const [a, b] = await Promise.all([rawClient(rewind.port), rawClient(rewind.port)]);
    try {
      await b.call('CONFIG', 'SET', 'tracking-table-max-keys', '2');
      await a.call('HELLO', '3');
      await a.call('CLIENT', 'TRACKING', 'on');
      await a.call('MGET', 'l1', 'l2');
      expect((await a.call('GET', 'l3')).bytes.toString('latin1')).toBe('_\r\n');
      expect((await a.readReply()).bytes.toString('latin1')).toBe('>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nl1\r\n');
      expect(String(simplify((await b.call('INFO', 'stats')).value))).toContain('tracking_total_keys:2\r\n');
      // l1 is no longer tracked: changing it tells nobody; l2 still is.
      await b.call('MSET', 'l1', 'x', 'l2', 'y');
      expect((await a.call('PING')).bytes.toString('latin1')).toBe('>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nl2\r\n');
      expect((await a.readReply()).bytes.toString('latin1')).toBe('+PONG\r\n');
      await b.call('CONFIG', 'SET', 'tracking-table-max-keys', '0');
      await a.call('MGET', 'm1', 'm2', 'm3', 'm4');
      expect(String(simplify((await b.call('INFO', 'stats')).value))).toContain('tracking_total_keys:5\r\n');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

recordingsHoldOnRealRedis('CLIENT TRACKING', CASES);
