/**
 * Worker entry of one benchmark case: receives a {@link StepCaseRequest},
 * runs it with a tfjs instance of its own and posts the result back.
 *
 * @module
 */

import { runStepCase, type StepCaseRequest } from "./step_case.ts";

interface _WorkerScope {
  onmessage: ((event: MessageEvent<StepCaseRequest>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as _WorkerScope;
scope.onmessage = async (event) => {
  scope.postMessage(await runStepCase(event.data));
};
