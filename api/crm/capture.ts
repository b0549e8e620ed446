/**
 * Starts (or joins) the capture workflow and waits for its result. The Idempotency-Key names the workflow
 * (`crm-capture-<key>`): a running capture with that id is joined (conflict policy USE_EXISTING), a completed one
 * answers its stored result (reuse policy ALLOW_DUPLICATE_FAILED_ONLY rejects the start), and a failed one may run
 * again: its Odoo records carry the capture id, so the new run finds them instead of creating them twice.
 */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { CaptureInput, CaptureResult } from '../../lib/crm/types';
import { IdentityLockTimeout, type IdentityLocks } from './identity-lock';
import type { crmCaptureWorkflow } from '../../workflows/crm-capture';
import { ApiError } from '../errors';
import { captureError } from './errors';

export const CAPTURE_WORKFLOW = 'crmCaptureWorkflow';

export function captureWorkflowId(key: string): string {
  return `crm-capture-${key}`;
}

/** Stable JSON of a request (sorted keys), hashed: the same key with another request is refused. */
export function fingerprint(value: unknown): string {
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
    }
    return JSON.stringify(v ?? null);
  };
  return crypto.createHash('sha256').update(canonical(value)).digest('hex');
}

export interface CaptureRunDeps {
  temporalClient: Client;
  taskQueue: string;
  captureWaitMs: number;
  /** Serializes captures of the same person (./identity-lock.ts); absent: no serialization. */
  locks?: IdentityLocks;
}

/**
 * Runs (or joins) the capture. With `identity` keys, the capture first takes the lock of that person and keeps it
 * until its workflow ends (not only until this request answers: a capture still running after captureWaitMs keeps
 * others of the same person waiting), at most twice captureWaitMs so a capture stuck on a stopped worker cannot
 * block that person for ever.
 */
export async function runCapture(deps: CaptureRunDeps, key: string | null, input: CaptureInput, identity: readonly string[] = []): Promise<CaptureResult> {
  const usedKey = key ?? crypto.randomUUID();
  const workflowId = captureWorkflowId(usedKey);
  let release = () => {};
  if (deps.locks && identity.length > 0) {
    try {
      release = await deps.locks.acquire(identity, deps.captureWaitMs);
    } catch (err) {
      if (!(err instanceof IdentityLockTimeout)) throw err;
      throw new ApiError(503, 'capture_busy', 'Another capture of the same person is still running; repeat the request in a few seconds (same Idempotency-Key).', {
        retry_after_seconds: 5,
      });
    }
  }
  let handle: WorkflowHandle<typeof crmCaptureWorkflow>;
  try {
    handle = await deps.temporalClient.workflow.start<typeof crmCaptureWorkflow>(CAPTURE_WORKFLOW, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      // a capture is short; one that cannot finish in an hour is abandoned (its records are findable by marker)
      workflowExecutionTimeout: '1 hour',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      release();
      throw captureError(err);
    }
    handle = deps.temporalClient.workflow.getHandle<typeof crmCaptureWorkflow>(workflowId);
  }
  const result = handle.result();
  const holdLimit = setTimeout(release, deps.captureWaitMs * 2);
  holdLimit.unref();
  void result.then(
    () => undefined,
    () => undefined,
  ).finally(() => {
    clearTimeout(holdLimit);
    release();
  });
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ApiError(504, 'capture_pending', 'The capture is still running; repeat the request with the same Idempotency-Key to get its result.', {
        capture_id: workflowId, idempotency_key: usedKey,
      })),
      deps.captureWaitMs,
    );
  });
  try {
    const done = await Promise.race([result, waited]).catch((err: unknown) => {
      throw captureError(err);
    });
    if (done.fingerprint !== input.fingerprint) {
      throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with another request; use a new key per capture.');
    }
    return done;
  } finally {
    clearTimeout(timer);
  }
}
