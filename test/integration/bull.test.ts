/*
 * Bull 4 (the older, Lua-based queue library) end to end: the same basic flow against Rewind (in
 * process) and, when redis-server is on PATH, against a real Redis 7.0, each timed
 * (test/helpers/workload.ts). Bull runs every queue operation as a Lua script.
 *
 * The flow: one Queue with global (pub/sub) and local event listeners, `process` with concurrency 3
 * (at least two jobs active at once), 'square' jobs returning x*x, a delayed job (state 'delayed'
 * after add, processed no sooner than its delay), a job that fails once and succeeds on its retry
 * (fixed backoff 20 ms), a job that fails for good, getWorkers (CLIENT SETNAME / LIST), job counts,
 * and close: the server lists only the checking connection afterwards and this process holds no
 * more sockets or timers than before.
 *
 * Summary line: `bull workload: rewind <n> ms, redis <n> ms`.
 */
import { expect } from 'vitest';
import { once } from 'node:events';
import Bull from 'bull';
import { sleep, until, within } from '../helpers/waiting.js';
import { compareWorkload } from '../helpers/workload.js';

const HOST = '127.0.0.1';
const STEP_MS = 10_000;
const SQUARES = 6;

interface Outcome {
  squares: { returnvalue: unknown; globalResult: unknown; localResult: unknown }[];
  maxConcurrent: number;
  delayed: { stateAfterAdd: string; waitedMs: number; returnvalue: unknown };
  retried: { returnvalue: unknown; invocations: number; gap: number; attemptsMade: number; state: string };
  doomed: { state: string; failedReason: string | undefined; globalReason: unknown; localReason: string | undefined; attemptsMade: number };
  workers: number;
  counts: Record<string, number>;
  errors: string[];
}

async function bullWorkload(port: number): Promise<Outcome> {
  const errors: string[] = [];
  const queue = new Bull('basic', { redis: { host: HOST, port } });
  queue.on('error', (e: Error) => {
    if (errors.length < 20) errors.push(e.message);
  });
  try {
    const globalCompleted = new Map<string, unknown>();
    const globalFailed = new Map<string, unknown>();
    const localCompleted = new Map<string, unknown>();
    const localFailed = new Map<string, string>();
    const registered = Promise.all([once(queue, 'registered:global:completed'), once(queue, 'registered:global:failed')]);
    queue.on('global:completed', (jobId: string | number, result: string) => globalCompleted.set(String(jobId), JSON.parse(result)));
    queue.on('global:failed', (jobId: string | number, reason: unknown) => globalFailed.set(String(jobId), reason));
    queue.on('completed', (job: Bull.Job, result: unknown) => localCompleted.set(String(job.id), result));
    queue.on('failed', (job: Bull.Job, err: Error) => localFailed.set(String(job.id), err.message));
    await within(queue.isReady(), STEP_MS, 'queue ready');
    await within(registered, STEP_MS, 'global event subscriptions');

    const squares: Bull.Job[] = [];
    for (let x = 1; x <= SQUARES; x++) squares.push(await within(queue.add('square', { x }), STEP_MS, `add square ${x}`));
    const retried = await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 20 } });
    const doomed = await queue.add('doomed', {}, { attempts: 1 });
    const delayedAddedAt = Date.now();
    const delayed = await queue.add('square', { x: 9 }, { delay: 200 });
    const stateAfterAdd = await delayed.getState();

    const invocations = new Map<string, number[]>();
    let active = 0;
    let maxConcurrent = 0;
    const work = async (job: Bull.Job): Promise<unknown> => {
      const id = String(job.id);
      const seen = invocations.get(id) ?? [];
      seen.push(Date.now());
      invocations.set(id, seen);
      active++;
      maxConcurrent = Math.max(maxConcurrent, active);
      try {
        if (job.name === 'square') {
          await sleep(30);
          return (job.data as { x: number }).x ** 2;
        }
        if (job.name === 'flaky') {
          if (seen.length === 1) throw new Error('flaky first attempt');
          return 'ok on retry';
        }
        throw new Error('doomed for good');
      } finally {
        active--;
      }
    };
    // '*': one processor for every job name, concurrency 3 (resolves when the queue closes).
    void queue.process('*', 3, work).catch((e: Error) => errors.push(`process: ${e.message}`));

    await until(async () => (await queue.getWorkers()).length > 0, STEP_MS, 'queue.getWorkers() to list the worker');
    const workers = (await queue.getWorkers()).length;

    const expected = [...squares, delayed, retried].map((j) => String(j.id));
    await until(
      () => expected.every((id) => globalCompleted.has(id)) && globalFailed.has(String(doomed.id)),
      STEP_MS,
      `global:completed for ${expected.length} jobs and global:failed for 1 (have ${globalCompleted.size} and ${globalFailed.size}; errors: ${errors.join(' | ')})`,
    );
    // Local events fire in the processing process right after the move; give them the same chance.
    await until(() => expected.every((id) => localCompleted.has(id)) && localFailed.has(String(doomed.id)), STEP_MS, 'local completed/failed events');

    const reload = async (j: Bull.Job): Promise<Bull.Job> => {
      const r = await queue.getJob(j.id);
      if (r === null) throw new Error(`job ${j.id} vanished`);
      return r;
    };
    const squaresOut: Outcome['squares'] = [];
    for (const j of squares) {
      const id = String(j.id);
      squaresOut.push({ returnvalue: (await reload(j)).returnvalue, globalResult: globalCompleted.get(id), localResult: localCompleted.get(id) });
    }
    const d = await reload(delayed);
    const r = await reload(retried);
    const g = await reload(doomed);
    const retriedTimes = invocations.get(String(retried.id)) ?? [];
    const counts = (await queue.getJobCounts()) as unknown as Record<string, number>;
    return {
      squares: squaresOut,
      maxConcurrent,
      delayed: { stateAfterAdd, waitedMs: (invocations.get(String(delayed.id))?.[0] ?? 0) - delayedAddedAt, returnvalue: d.returnvalue },
      retried: {
        returnvalue: r.returnvalue,
        invocations: retriedTimes.length,
        gap: (retriedTimes[1] ?? Number.NaN) - (retriedTimes[0] ?? Number.NaN),
        attemptsMade: r.attemptsMade,
        state: await r.getState(),
      },
      doomed: {
        state: await g.getState(),
        failedReason: g.failedReason,
        globalReason: globalFailed.get(String(doomed.id)),
        localReason: localFailed.get(String(doomed.id)),
        attemptsMade: g.attemptsMade,
      },
      workers,
      counts,
      errors,
    };
  } finally {
    try {
      await within(queue.close(), STEP_MS, 'queue.close()');
    } catch (e) {
      errors.push(`close: ${(e as Error).message}`);
    }
  }
}

function checkOutcome(o: Outcome): void {
  expect(o.errors).toEqual([]);
  expect(o.squares).toEqual(Array.from({ length: SQUARES }, (_, i) => ({ returnvalue: (i + 1) ** 2, globalResult: (i + 1) ** 2, localResult: (i + 1) ** 2 })));
  expect(o.maxConcurrent).toBeGreaterThan(1);
  expect(o.maxConcurrent).toBeLessThanOrEqual(3);
  expect(o.delayed.stateAfterAdd).toBe('delayed');
  expect(o.delayed.returnvalue).toBe(81);
  expect(o.delayed.waitedMs).toBeGreaterThanOrEqual(199);
  // Bull's attemptsMade counts failed attempts (BullMQ's counts every attempt): 1 failure, then success.
  expect(o.retried).toMatchObject({ returnvalue: 'ok on retry', invocations: 2, attemptsMade: 1, state: 'completed' });
  expect(o.retried.gap).toBeGreaterThanOrEqual(19);
  expect(o.doomed).toEqual({ state: 'failed', failedReason: 'doomed for good', globalReason: 'doomed for good', localReason: 'doomed for good', attemptsMade: 1 });
  expect(o.workers).toBe(1);
  expect(o.counts).toEqual({ waiting: 0, active: 0, completed: SQUARES + 2, failed: 1, delayed: 0, paused: 0 });
}

compareWorkload('bull', bullWorkload, checkOutcome);
