/*
 * BullMQ 5 end to end: the same workload against Rewind (in process) and, when redis-server is on
 * PATH, against a real Redis 7.0, each timed from the first connection to the last close
 * (test/helpers/workload.ts). BullMQ does all its queue work in Lua scripts (EVALSHA, falling back
 * to EVAL, with cjson and cmsgpack), so this is the scripting engine's acceptance test.
 *
 * The workload:
 *  - one Queue, one QueueEvents (reading the event stream from its start, so no event is missed),
 *    one Worker named 'main' with concurrency 4 (at least two jobs must be active at once);
 *  - 'square' jobs returning x*x, read back from QueueEvents 'completed' and from the Job;
 *  - a delayed job (state 'delayed' right after add, processed no sooner than its delay);
 *  - retries: exponential backoff (fails twice, succeeds on attempt 3, gaps >= 20 then 40 ms) and
 *    fixed backoff (fails once, succeeds on attempt 2, gap >= 30 ms);
 *  - a job failing for good (2 attempts): QueueEvents 'failed' with its reason, state 'failed';
 *  - throughput: 500 jobs added with one addBulk, each returning x + 1 (the sum is checked);
 *  - priorities on a second queue with a concurrency-1 worker started after the adds: the job
 *    without priority first, then 1, 1, 2, 3, 5 (equal priorities in insertion order);
 *  - queue.getWorkers() (CLIENT SETNAME / CLIENT LIST) names the running worker;
 *  - getJobCounts at the end, then everything closed: CLIENT LIST on the server shows only the
 *    checking connection, and this process has no more sockets or timers than before.
 *
 * The summary line `bullmq workload: rewind <n> ms, redis <n> ms` is printed after both halves.
 */
import { expect } from 'vitest';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { sleep, until, within } from '../helpers/waiting.js';
import { compareWorkload } from '../helpers/workload.js';

const HOST = '127.0.0.1';
const STEP_MS = 10_000;
/** Jobs of the throughput part (added with one addBulk, processed at concurrency 4). */
const BULK = 500;

interface Outcome {
  squares: { id: string; returnvalue: unknown; eventValue: unknown; attemptsMade: number }[];
  maxConcurrent: number;
  delayed: { stateAfterAdd: string; waitedMs: number; returnvalue: unknown; delayedCountAfterAdd: number };
  exponential: { returnvalue: unknown; attemptsMade: number; gaps: number[]; state: string };
  fixed: { returnvalue: unknown; attemptsMade: number; gaps: number[]; state: string };
  doomed: { state: string; attemptsMade: number; failedReason: string; eventReason: string | undefined; invocations: number };
  /** Sum of the 'inc' jobs' return values as QueueEvents reported them. */
  bulkSum: number;
  failedEvents: string[];
  workerFailedEvents: number;
  priorityOrder: string[];
  workers: { count: number; rawnames: string[]; names: string[]; count2: number };
  counts: Record<string, number>;
  errors: string[];
}

async function bullmqWorkload(port: number): Promise<Outcome> {
  const connection = { host: HOST, port, maxRetriesPerRequest: null };
  const closers: (() => Promise<unknown>)[] = [];
  const errors: string[] = [];
  const onError = (where: string) => (e: Error): void => {
    if (errors.length < 20) errors.push(`${where}: ${e.message}`);
  };
  try {
    const queue = new Queue('work', { connection });
    closers.push(() => queue.close());
    queue.on('error', onError('queue'));
    const events = new QueueEvents('work', { connection, lastEventId: '0-0' });
    closers.push(() => events.close());
    events.on('error', onError('queueEvents'));
    await within(events.waitUntilReady(), STEP_MS, 'QueueEvents ready');

    const completed = new Map<string, unknown>();
    const failed = new Map<string, string>();
    events.on('completed', ({ jobId, returnvalue }) => completed.set(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => failed.set(jobId, failedReason));

    // --- jobs added before the worker exists ---------------------------------------------------
    const squares: Job[] = [];
    for (let x = 1; x <= 8; x++) squares.push(await within(queue.add('square', { x }), STEP_MS, `add square ${x}`));
    const exp = await queue.add('flaky', { failTimes: 2 }, { attempts: 3, backoff: { type: 'exponential', delay: 20 } });
    const fixed = await queue.add('flaky', { failTimes: 1 }, { attempts: 3, backoff: { type: 'fixed', delay: 30 } });
    const doomed = await queue.add('doomed', {}, { attempts: 2, backoff: { type: 'fixed', delay: 20 } });
    const delayedAddedAt = Date.now();
    const delayed = await queue.add('square', { x: 12 }, { delay: 250 });
    const stateAfterAdd = await delayed.getState();
    const delayedCountAfterAdd = await queue.getDelayedCount();
    // Throughput: BULK jobs in one addBulk (one MULTI of script calls), each returning x + 1.
    const bulk = await within(queue.addBulk(Array.from({ length: BULK }, (_, i) => ({ name: 'inc', data: { x: i } }))), STEP_MS, 'addBulk');

    // --- the worker ----------------------------------------------------------------------------
    const invocations = new Map<string, number[]>();
    let active = 0;
    let maxConcurrent = 0;
    let workerFailedEvents = 0;
    const worker = new Worker(
      'work',
      async (job: Job) => {
        const seen = invocations.get(job.id!) ?? [];
        seen.push(Date.now());
        invocations.set(job.id!, seen);
        active++;
        maxConcurrent = Math.max(maxConcurrent, active);
        try {
          switch (job.name) {
            case 'square':
              await sleep(30);
              return (job.data as { x: number }).x ** 2;
            case 'flaky': {
              const { failTimes } = job.data as { failTimes: number };
              if (job.attemptsMade < failTimes) throw new Error(`flaky attempt ${job.attemptsMade + 1}`);
              return `ok after ${job.attemptsMade + 1}`;
            }
            case 'inc':
              return (job.data as { x: number }).x + 1;
            case 'doomed':
              throw new Error('doomed for good');
            default:
              throw new Error(`unexpected job ${job.name}`);
          }
        } finally {
          active--;
        }
      },
      { connection, concurrency: 4, name: 'main' },
    );
    closers.unshift(() => worker.close());
    worker.on('error', onError('worker'));
    worker.on('failed', () => workerFailedEvents++);
    await within(worker.waitUntilReady(), STEP_MS, 'worker ready');

    // getWorkers while the worker runs: one named client, whatever the queue polls.
    await until(async () => (await queue.getWorkers()).length > 0, STEP_MS, 'queue.getWorkers() to list the worker');
    const workerList = await queue.getWorkers();
    const workers = {
      count: workerList.length,
      rawnames: workerList.map((w) => String(w.rawname)),
      names: workerList.map((w) => String(w.name)),
      count2: await queue.getWorkersCount(),
    };

    const expectedCompleted = [...squares, delayed, exp, fixed, ...bulk].map((j) => j.id!);
    await until(
      () => expectedCompleted.every((id) => completed.has(id)) && failed.has(doomed.id!),
      STEP_MS,
      `QueueEvents completed for ${expectedCompleted.length} jobs and failed for 1 (have ${completed.size} completed, ${failed.size} failed; errors: ${errors.join(' | ')})`,
    );

    const reload = async (j: Job): Promise<Job> => {
      const r = await queue.getJob(j.id!);
      if (r === undefined) throw new Error(`job ${j.id} vanished`);
      return r;
    };
    const gaps = (id: string): number[] => {
      const t = invocations.get(id) ?? [];
      return t.slice(1).map((v, i) => v - t[i]!);
    };

    const squaresOut: Outcome['squares'] = [];
    for (const j of squares) {
      const r = await reload(j);
      squaresOut.push({ id: j.id!, returnvalue: r.returnvalue, eventValue: completed.get(j.id!), attemptsMade: r.attemptsMade });
    }
    const d = await reload(delayed);
    const e = await reload(exp);
    const f = await reload(fixed);
    const g = await reload(doomed);
    const outcome: Omit<Outcome, 'priorityOrder' | 'counts' | 'errors'> = {
      squares: squaresOut,
      maxConcurrent,
      delayed: { stateAfterAdd, delayedCountAfterAdd, waitedMs: (invocations.get(delayed.id!)?.[0] ?? 0) - delayedAddedAt, returnvalue: d.returnvalue },
      exponential: { returnvalue: e.returnvalue, attemptsMade: e.attemptsMade, gaps: gaps(exp.id!), state: await e.getState() },
      fixed: { returnvalue: f.returnvalue, attemptsMade: f.attemptsMade, gaps: gaps(fixed.id!), state: await f.getState() },
      doomed: {
        state: await g.getState(),
        attemptsMade: g.attemptsMade,
        failedReason: g.failedReason,
        eventReason: failed.get(doomed.id!),
        invocations: invocations.get(doomed.id!)?.length ?? 0,
      },
      bulkSum: bulk.reduce((sum, j) => sum + Number(completed.get(j.id!)), 0),
      failedEvents: [...failed.keys()],
      workerFailedEvents,
      workers,
    };

    // --- priorities: a second queue, its worker (concurrency 1) started after the adds ---------
    const prioQueue = new Queue('prio', { connection });
    closers.push(() => prioQueue.close());
    prioQueue.on('error', onError('prioQueue'));
    await prioQueue.add('p5', {}, { priority: 5 });
    await prioQueue.add('p1a', {}, { priority: 1 });
    await prioQueue.add('none', {});
    await prioQueue.add('p3', {}, { priority: 3 });
    await prioQueue.add('p1b', {}, { priority: 1 });
    await prioQueue.add('p2', {}, { priority: 2 });
    const priorityOrder: string[] = [];
    const prioWorker = new Worker('prio', async (job: Job) => void priorityOrder.push(job.name), { connection, concurrency: 1, autorun: false });
    closers.unshift(() => prioWorker.close());
    prioWorker.on('error', onError('prioWorker'));
    void prioWorker.run().catch(onError('prioWorker.run'));
    await until(() => priorityOrder.length === 6, STEP_MS, `6 prioritised jobs processed (have ${priorityOrder.join(',')})`);

    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting', 'active', 'prioritized');
    return { ...outcome, priorityOrder, counts, errors };
  } finally {
    // Workers first (they stop fetching), then the event reader and the queues.
    for (const close of closers) {
      try {
        await within(close(), STEP_MS, 'close');
      } catch (e) {
        errors.push(`close: ${(e as Error).message}`);
      }
    }
  }
}

/** After every BullMQ object closed: the server lists only the checking connection. */
function checkOutcome(o: Outcome): void {
  expect(o.errors).toEqual([]);
  expect(o.squares).toEqual(o.squares.map((s, i) => ({ id: s.id, returnvalue: (i + 1) ** 2, eventValue: (i + 1) ** 2, attemptsMade: 1 })));
  expect(o.maxConcurrent).toBeGreaterThan(1);
  expect(o.maxConcurrent).toBeLessThanOrEqual(4);

  expect(o.delayed.stateAfterAdd).toBe('delayed');
  expect(o.delayed.delayedCountAfterAdd).toBe(1);
  expect(o.delayed.returnvalue).toBe(144);
  expect(o.delayed.waitedMs).toBeGreaterThanOrEqual(249);

  expect(o.exponential).toMatchObject({ returnvalue: 'ok after 3', attemptsMade: 3, state: 'completed' });
  expect(o.exponential.gaps).toHaveLength(2);
  expect(o.exponential.gaps[0]).toBeGreaterThanOrEqual(19); // 20 * 2^0
  expect(o.exponential.gaps[1]).toBeGreaterThanOrEqual(39); // 20 * 2^1
  expect(o.fixed).toMatchObject({ returnvalue: 'ok after 2', attemptsMade: 2, state: 'completed' });
  expect(o.fixed.gaps).toHaveLength(1);
  expect(o.fixed.gaps[0]).toBeGreaterThanOrEqual(29);

  expect(o.doomed).toEqual({ state: 'failed', attemptsMade: 2, failedReason: 'doomed for good', eventReason: 'doomed for good', invocations: 2 });
  // QueueEvents 'failed' fires only when a job fails for good; the worker's own event per attempt.
  expect(o.failedEvents).toHaveLength(1);
  expect(o.workerFailedEvents).toBe(2 + 1 + 2);

  expect(o.priorityOrder).toEqual(['none', 'p1a', 'p1b', 'p2', 'p3', 'p5']);

  expect(o.workers.count).toBe(1);
  expect(o.workers.count2).toBe(1);
  expect(o.workers.names).toEqual(['work']);
  expect(o.workers.rawnames[0]).toMatch(/^bull:[A-Za-z0-9+/=]+:w:main$/);

  expect(o.bulkSum).toBe((BULK * (BULK + 1)) / 2);
  expect(o.counts).toEqual({ completed: 11 + BULK, failed: 1, delayed: 0, waiting: 0, paused: 0, active: 0, prioritized: 0 });

}

compareWorkload('bullmq', bullmqWorkload, checkOutcome);
