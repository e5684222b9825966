/** An event HEC refused, as a line for the run's quarantine file. */
import { QUARANTINE_RAW_LIMIT, type QuarantineItem } from '../../decode/logRecord';
import type { SummaryEnvelope } from '../../rollup/summaryEvent';
import type { HecEventRejection } from './hecDelivery';

/** "rejected by HEC: code 6, Invalid data format (HTTP 400)": built from the reply's code and our table's text. */
export function rejectionReason(rejection: HecEventRejection): string {
  return `rejected by HEC: code ${rejection.code}, ${rejection.text} (HTTP ${rejection.status})`;
}

export function rejectedEventItem(envelope: SummaryEnvelope, rejection: HecEventRejection): QuarantineItem {
  return {
    source: 'hec',
    line: 0,
    reason: rejectionReason(rejection),
    raw: JSON.stringify(envelope).slice(0, QUARANTINE_RAW_LIMIT),
  };
}
