/**
 * Every log event type code Auth0 is known to emit. A code outside this set is reported as "unknown"
 * (it is still counted and summarized: new codes keep appearing, so nothing is dropped).
 * Source: the project's research notes on Auth0 log event types (auth0-logs.md §1.2–§1.4), which cite the
 * Auth0 docs table, Auth0's log schemas and the log-export extensions' `logTypes.js`.
 * A code may appear in more than one table; the Set keeps it once.
 */

/** §1.2 — Auth0 docs table `log-event-type-codes` (docs-v2, 2026-08-20). */
const DOCS_TABLE_CODES = [
  'acls_summary', 'actions_execution_failed', 'acul_sdk_notice', 'api_limit', 'api_limit_warning', 'appi',
  'ciba_exchange_failed', 'ciba_exchange_succeeded', 'ciba_start_failed', 'ciba_start_succeeded', 'cls',
  'connected_accounts_connection_failed', 'connected_accounts_connection_succeeded',
  'connected_accounts_delete_failed', 'connected_accounts_delete_succeeded', 'cs',
  'custom_domain_verification_failed', 'depnote', 'directory_sync_completed', 'directory_sync_failed',
  'directory_sync_started', 'f', 'failed_on_behalf_of_token_exchange', 'fc', 'fce', 'fco', 'fcoa', 'fcp', 'fcph',
  'fcpn', 'fcpr', 'fcpro', 'fcu', 'fd', 'fdeac', 'fdeaz', 'fdecc', 'fdu', 'feacft', 'feccft', 'fecte', 'fede',
  'federated_logout_failed', 'fens', 'feoobft', 'feotpft', 'fepft', 'fepotpft', 'fercft', 'ferrt', 'fertft',
  'feta', 'fi', 'flo', 'flows_execution_completed', 'flows_execution_failed', 'fn', 'forms_submission_failed',
  'forms_submission_succeeded', 'fp', 'fpar', 'fpurh', 'fs', 'fsa', 'fu', 'fui', 'fv', 'fvr',
  'gd_auth_email_verification', 'gd_auth_fail_email_verification', 'gd_auth_failed', 'gd_auth_rejected',
  'gd_auth_succeed', 'gd_enrollment_complete', 'gd_otp_rate_limit_exceed', 'gd_recovery_failed',
  'gd_recovery_rate_limit_exceed', 'gd_recovery_succeed', 'gd_send_email', 'gd_send_email_verification',
  'gd_send_email_verification_failure', 'gd_send_pn', 'gd_send_pn_failure', 'gd_send_sms', 'gd_send_sms_failure',
  'gd_send_voice', 'gd_send_voice_failure', 'gd_start_auth', 'gd_start_enroll', 'gd_start_enroll_failed',
  'gd_tenant_update', 'gd_unenroll', 'gd_update_device_account', 'gd_webauthn_challenge_failed',
  'gd_webauthn_enrollment_failed', 'idjag_exchange_failed', 'idjag_exchange_succeeded',
  'jwt_bearer_exchange_failed', 'kms_key_management_failure', 'kms_key_management_success',
  'kms_key_state_changed', 'limit_delegation', 'limit_mu', 'limit_sul', 'limit_wc', 'mfar', 'mgmt_api_read',
  'my_account_authentication_method_failed', 'my_account_authentication_method_succeeded',
  'oidc_backchannel_logout_failed', 'oidc_backchannel_logout_succeeded', 'organization_member_added',
  'passkey_challenge_failed', 'passkey_challenge_started', 'pla', 'pwd_leak', 'reset_pwd_leak',
  'resource_cleanup', 'rich_consents_access_error', 's', 'sapi', 'sce', 'scoa', 'scp', 'scpn', 'scpr', 'scu',
  'scv', 'sd', 'sdu', 'seacft', 'seccft', 'secte', 'sede', 'sens', 'seoobft', 'seotpft', 'sepft', 'sepkoobft',
  'sepkotpft', 'sepkrcft', 'sercft', 'sertft', 'seta', 'si', 'signup_pwd_leak', 'slo', 'srrt', 'ss',
  'ss_sso_failure', 'ss_sso_info', 'ss_sso_success', 'ssa', 'sscim', 'success_on_behalf_of_token_exchange',
  'sui', 'sv', 'svr', 'too_many_records', 'ublkdu', 'universal_logout_failed', 'universal_logout_succeeded', 'w',
  'wn', 'wum',
] as const;

/** §1.3 — codes that exist (Auth0 log schemas, legacy docs, stream filters) but are missing from the docs table. */
const UNDOCUMENTED_CODES = [
  'sdel', 'sdelsa', 'fdelsa', 'sdeleacft', 'fdeleacft', 'fscim', 'limit_phone', 'token_quota_consumption_warning',
  'admin_update_launch', 'sys_os_update_start', 'sys_os_update_end', 'sys_update_start', 'sys_update_end', 'con',
  'coff', 'du', 'fapi', 'scph', 'limit_ui', 'gd_module_switch', 'gd_user_delete',
] as const;

/** §1.4 — the older `logTypes.js` table of auth0-extensions/auth0-log-extension-tools. */
const LOG_TYPES_JS_CODES = [
  's', 'ssa', 'fsa', 'seacft', 'feacft', 'seccft', 'feccft', 'sepft', 'fepft', 'sertft', 'fertft', 'ferrt',
  'seoobft', 'feoobft', 'seotpft', 'feotpft', 'sercft', 'fercft', 'f', 'w', 'depnote', 'du', 'fu', 'fp', 'fc',
  'fco', 'con', 'coff', 'fcpro', 'ss', 'fs', 'cs', 'cls', 'sv', 'fv', 'scp', 'fcp', 'scph', 'fcph', 'sce', 'fce',
  'scu', 'fcu', 'scpn', 'fcpn', 'svr', 'fvr', 'scpr', 'fcpr', 'fn', 'sapi', 'fapi', 'limit_wc', 'limit_mu',
  'limit_ui', 'api_limit', 'limit_delegation', 'sdu', 'fdu', 'admin_update_launch', 'sys_os_update_start',
  'sys_os_update_end', 'sys_update_start', 'sys_update_end', 'slo', 'flo', 'sd', 'fd', 'gd_unenroll',
  'gd_update_device_account', 'gd_module_switch', 'gd_tenant_update', 'gd_start_auth', 'gd_start_enroll',
  'gd_start_enroll_failed', 'gd_user_delete', 'gd_auth_succeed', 'gd_auth_failed', 'gd_send_pn',
  'gd_send_pn_failure', 'gd_auth_rejected', 'gd_recovery_succeed', 'gd_recovery_failed', 'gd_send_sms',
  'gd_send_sms_failure', 'gd_otp_rate_limit_exceed', 'gd_recovery_rate_limit_exceed', 'gd_enrollment_complete',
  'fui', 'sui', 'pwd_leak', 'fcoa', 'scoa', 'ublkdu', 'sens', 'fens',
] as const;

export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set<string>([
  ...DOCS_TABLE_CODES,
  ...UNDOCUMENTED_CODES,
  ...LOG_TYPES_JS_CODES,
]);

export function isKnownEventType(type: string): boolean {
  return KNOWN_EVENT_TYPES.has(type);
}
