/** The HEC sink's public surface. */
export { HecSink, DEFAULT_BATCH_BYTES, DEFAULT_TIMEOUT_MS, type HecSinkOptions, type HecSinkDeps } from './hecSink';
export { HecError, HecUsageError, HecRejectedError, HecTlsError, HecSpoolError, type HecRejectionKind } from './hecErrors';
export { resolveHecToken, redactToken, HEC_TOKEN_ENV_VARS } from './hecToken';
export { hecRunFields, HEC_RUN_FIELDS, type HecRunFields, type HecStats } from './hecStats';
export { checkHec, HEC_CHECK_SUMMARY, type HecCheckReport, type HecCheckStep } from './hecCheck';
export type { HecEventRejection, RejectedEventHandler } from './hecDelivery';
export { rejectedEventItem } from './rejectedEventItem';
export type { HecTransport, HecResponse } from './hecTransport';
export { SplunkLoggingTransport } from './splunkLoggingTransport';
export { defaultSpoolDir, DEFAULT_SPOOL_DESCRIPTION } from './hecConfig';
export type { HecLog } from './hecLog';
