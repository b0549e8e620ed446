// Every workflow the session worker registers. Workflow code only: bundled by the worker, replayed by `ivr replay`.
export { sessionWorkflow } from './session';
export { crmCaptureWorkflow } from './crm-capture';
