import { unwrapEnvelope } from '../../../src/decode/envelope';

const RECORD = { date: '2021-01-16T12:12:30.147Z', type: 's', log_id: '80020210116121232560015923748216455316604749397232713763' };

describe('unwrapEnvelope', () => {
  it('takes a bare record (Management API shape) as it is', () => {
    const bare = { ...RECORD, _id: RECORD.log_id, id: RECORD.log_id, data: { unrelated: true } };
    expect(unwrapEnvelope(bare)).toEqual({ record: bare, outerLogId: undefined });
  });

  it('unwraps a custom webhook item and carries its log_id', () => {
    const inner = { date: RECORD.date, type: 's' };
    expect(unwrapEnvelope({ log_id: 'outer-1', data: inner })).toEqual({ record: inner, outerLogId: 'outer-1' });
    expect(unwrapEnvelope({ data: inner })).toEqual({ record: inner, outerLogId: undefined });
  });

  it('does not unwrap `data` that is not an object', () => {
    const item = { log_id: 'x', data: 'text' };
    expect(unwrapEnvelope(item)).toEqual({ record: item, outerLogId: undefined });
    const listData = { log_id: 'x', data: [RECORD] };
    expect(unwrapEnvelope(listData)).toEqual({ record: listData, outerLogId: undefined });
  });

  it('unwraps a captured EventBridge event: detail.data with detail.log_id', () => {
    const event = {
      version: '0',
      id: '6b4bc671-0217-46ca-8ee0-e663c94abd91',
      'detail-type': 'Auth0 log',
      source: 'aws.partner/auth0.com/thiscovery-2308531e/auth0.logs',
      time: '2021-01-16T12:12:43Z',
      detail: { log_id: 'detail-log-id', data: RECORD },
    };
    expect(unwrapEnvelope(event)).toEqual({ record: RECORD, outerLogId: 'detail-log-id' });
  });

  it('takes the record directly under detail when there is no data, with detail-type as a one-element array', () => {
    const event = { 'detail-type': ['Auth0 log'], source: 'custom.test', detail: RECORD };
    expect(unwrapEnvelope(event)).toEqual({ record: RECORD, outerLogId: undefined });
  });

  it('recognises an EventBridge event by its Auth0 partner source alone', () => {
    const event = { source: 'aws.partner/auth0.com/tenant-uuid/auth0.logs', detail: { log_id: 'L', data: RECORD } };
    expect(unwrapEnvelope(event)).toEqual({ record: RECORD, outerLogId: 'L' });
  });

  it('leaves other events with a detail object alone', () => {
    const notAuth0 = { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: RECORD };
    expect(unwrapEnvelope(notAuth0)).toEqual({ record: notAuth0, outerLogId: undefined });
    const twoTypes = { 'detail-type': ['Auth0 log', 'Other'], detail: RECORD };
    expect(unwrapEnvelope(twoTypes)).toEqual({ record: twoTypes, outerLogId: undefined });
  });
});
