/** An event HEC refused, as a line for the run's quarantine file. */
import { QUARANTINE_RAW_LIMIT, type QuarantineItem } from '../../decode/logRecord';
import type { SummaryEnvelope } from '../../rollup/summaryEvent';
import type { HecEventRejection } from './hecDelivery';

export function rejectedEventItem(envelope: SummaryEnvelope, rejection: HecEventRejection): QuarantineItem {
  return {
    source: 'hec',
    line: 0,
    reason: `rejected by HEC: code ${rejection.code}, ${rejection.text} (HTTP ${rejection.status})`,
    raw: JSON.stringify(envelope).slice(0, QUARANTINE_RAW_LIMIT),
  };
}
