//! Configuration: every unconfirmed (\[U\]) behaviour of `shared/reference/dataverse.md` is a switch here,
//! with the reference's suggested default.

use std::time::Duration;

use crate::time::ClockMode;

/// Simulator-wide settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Switches for behaviours the reference marks as unconfirmed.
    pub quirks: Quirks,
    /// How sim time runs (virtual for tests, scaled real time for the binary).
    pub clock: ClockMode,
    /// Service protection limits (§10).
    pub limits: Limits,
    /// Test & Enable timing (§8).
    pub test_enable: TestEnableTiming,
    /// Seed for tokens and ids made at run time (sessions, OAuth codes, new rows).
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            quirks: Quirks::default(),
            clock: ClockMode::default(),
            limits: Limits::default(),
            test_enable: TestEnableTiming::default(),
            seed: 0x005E_ED0F_D365,
        }
    }
}

/// Behaviours the reference does not confirm. Each field names the section it comes from.
#[derive(Debug, Clone)]
pub struct Quirks {
    /// §11 \[U\]: an expired or missing session answers 302 to login.microsoftonline.com instead of 401
    /// with `WWW-Authenticate`. Default false (401).
    pub expired_session_redirect: bool,
    /// §11: the host the expiry redirect points at. Default `login.microsoftonline.com`; tests set a
    /// host that cannot be reached (e.g. `sign-in.invalid`) so that a browser's `fetch`, which follows
    /// the redirect, rejects — the failure seen in the field.
    pub sign_in_host: String,
    /// §9.5 \[U\]: a read-only column in a PATCH or POST body is rejected with 400 (true) or silently
    /// ignored (false). Default true, so tests catch the mistake.
    pub reject_read_only_writes: bool,
    /// §4, §13.3 \[U\]: approval written to `mailbox.emailrouteraccessapproval` is copied to the owning
    /// `systemuser`/`queue` and back. Default true.
    pub sync_approval_with_owner: bool,
    /// §4, §8 \[U\]: scheduling Test & Enable resets the three status columns to 0 "Not Run". Default true.
    pub test_resets_statuses: bool,
    /// §2.2 \[U\]: the stored `emailservertypename` of an Exchange Online profile. Default "Exchange Online".
    pub exchange_online_type_name: String,
    /// §5 \[U\]: use the newer approval-refusal wording ("This email address can only be approved by …")
    /// as the inner message. Default false (the SUP article's wording).
    pub newer_approval_wording: bool,
    /// §5 \[I\]: HTTP status of an approval refusal. Default 403.
    pub approval_denied_status: u16,
    /// §10: send the `x-ms-ratelimit-*` debugging headers. Default true.
    pub ratelimit_headers: bool,
    /// §9.5: wrap unknown-property errors in 0x80048d19 as newer services do (false: the older bare
    /// ODataException text with code 0x80060888). Default true.
    pub wrap_payload_errors: bool,
    /// §4 \[C: EXO\] self-approval during Test & Enable, gated by `RequirePrivilegeToSelfApproveEmailAddress`.
    /// Default true.
    pub self_approval_on_test: bool,
    /// §1.3 \[DISASM, weak\]: changing a user's, queue's or mailbox's address puts approval back to 2 Pending
    /// (0 Empty when cleared), on the record and its mailbox/owner. Default true.
    pub reset_approval_on_address_change: bool,
    /// §7 \[U\]: each scheduled Test & Enable writes an `asyncoperations` row (operation type 52 "Mailbox Test
    /// Access", Waiting → Completed with Succeeded/Failed). Default false.
    pub async_operation_rows: bool,
    /// §9.5: what `"<nav>@odata.bind": null` in a PATCH does. Microsoft's page says it disassociates;
    /// field reports say the service refuses it (MicrosoftDocs/powerapps-docs#2720, rezanid/PSDataverse#27)
    /// or ignores it (#4268). Default [`BindNull::Refused`]. `"<nav>": null` always clears.
    pub odata_bind_null: BindNull,
    /// §12 \[U\]: the Web API's answers to a cross-origin caller (a single-page app's `fetch`) carry
    /// `Access-Control-Allow-Origin` when the request is refused before it is run, too: 401 (no or an
    /// expired token), 403 (not a member of the org), 503 (disabled) and 429 (service protection).
    /// Microsoft's SPA page says CORS "has been done for you" and no page says whether these early
    /// answers carry the header. With false, the browser hides them: `fetch` rejects as if the network
    /// failed, and the client cannot read the status or `Retry-After`. Default true.
    pub cors_on_refusals: bool,
    /// Issue 11 \[U\]: how the service treats `isemailaddressapprovedbyo365admin` ("approved by Microsoft
    /// 365 admin"). Default [`O365Approval::WithApproval`].
    pub o365_approval: O365Approval,
    /// §5, §13.4 \[U\]: where the CrmSecurity code of an approval refusal sits. `false` (default): the
    /// error's `code` is 0x80040256 (SUP, ERRCODES). `true`: the outer `code` is 0x80040216 (−2147220970,
    /// what the UI dialog showed), and "CrmSecurity" with 0x80040256 is only in the message.
    pub crm_security_code_in_message: bool,
    /// §5 \[U\]: whether a user without `prvApproveRejectEmailAddress` may approve their own mailbox with
    /// a direct update. EXO documents self-approval through Test & Enable and hides "Approve Email"
    /// without the privilege, so the cautious default is `false`: refused with 0x80040220 (Test & Enable's
    /// self-approval, `self_approval_on_test`, is unaffected).
    pub self_approval_without_privilege: bool,
}

/// What `"<nav>@odata.bind": null` does (see [`Quirks::odata_bind_null`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindNull {
    /// 400 0x80048d19 "The 'odata.bind' instance or property annotation has a null value." (default).
    Refused,
    /// The annotation is dropped and the lookup keeps its value (204).
    Ignored,
    /// The lookup is cleared, as Microsoft's page documents.
    Clears,
}

/// How `mailbox.isemailaddressapprovedbyo365admin` behaves. Which flag the service requires in which case
/// is undocumented; public client reports show approvals that returned no error but left this flag unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum O365Approval {
    /// Approving (`emailrouteraccessapproval` = 1) sets the flag too, and rejecting clears it (default).
    WithApproval,
    /// As `WithApproval`, except for mailboxes whose address (case-insensitive) is listed: their approval
    /// leaves the flag false, and their Test & Enable then fails with the alert "… requires an approval by
    /// a Microsoft 365 administrator".
    UnsetFor(Vec<String>),
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks {
            expired_session_redirect: false,
            sign_in_host: "login.microsoftonline.com".to_string(),
            reject_read_only_writes: true,
            sync_approval_with_owner: true,
            test_resets_statuses: true,
            exchange_online_type_name: "Exchange Online".to_string(),
            newer_approval_wording: false,
            approval_denied_status: 403,
            ratelimit_headers: true,
            wrap_payload_errors: true,
            self_approval_on_test: true,
            reset_approval_on_address_change: true,
            async_operation_rows: false,
            odata_bind_null: BindNull::Refused,
            cors_on_refusals: true,
            o365_approval: O365Approval::WithApproval,
            crm_security_code_in_message: false,
            self_approval_without_privilege: false,
        }
    }
}

/// Service protection limits (§10). Windows are measured in sim time, so a test can shrink them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Whether limits apply at all. Default true.
    pub enabled: bool,
    /// The sliding window. Default 300 s.
    pub window: Duration,
    /// Requests per user per window. Default 6000.
    pub max_requests: u32,
    /// Combined execution time per user per window. Default 1,200,000 ms.
    pub max_execution: Duration,
    /// Concurrent requests per user. Default 52.
    pub max_concurrent: u32,
    /// Execution cost of operations.
    pub cost: OperationCost,
    /// Whether the execution cost is also spent as real latency (scaled by the clock). Default false.
    pub cost_as_latency: bool,
    /// The `x-ms-dop-hint` response header ("a recommended degree of parallelism for the environment",
    /// <https://learn.microsoft.com/en-us/power-apps/developer/data-platform/send-parallel-requests>),
    /// sent on every admitted API answer; `None` leaves it out. Its value on real environments is not
    /// published (it varies with the resources allocated); default 48, the concurrency that leaves 4 of
    /// the 52 concurrent requests to the user's other tabs.
    pub dop_hint: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            enabled: true,
            window: Duration::from_secs(300),
            max_requests: 6000,
            max_execution: Duration::from_millis(1_200_000),
            max_concurrent: 52,
            cost: OperationCost::default(),
            cost_as_latency: false,
            dop_hint: Some(48),
        }
    }
}

/// Sim-time execution cost per operation, counted against the execution-time limit.
#[derive(Debug, Clone)]
pub struct OperationCost {
    /// A GET of one row or a function call.
    pub read: Duration,
    /// Extra cost per row returned by a query.
    pub per_row: Duration,
    /// A PATCH/POST/DELETE.
    pub write: Duration,
    /// Fixed cost of a `$batch` envelope (its parts add their own cost).
    pub batch: Duration,
}

impl Default for OperationCost {
    fn default() -> Self {
        OperationCost {
            read: Duration::from_millis(20),
            per_row: Duration::from_micros(50),
            write: Duration::from_millis(60),
            batch: Duration::from_millis(10),
        }
    }
}

/// Test & Enable timing (§8; timings \[U\]).
#[derive(Debug, Clone)]
pub struct TestEnableTiming {
    /// Delay between scheduling and the result. Default 90 s.
    pub delay: Duration,
    /// Wait between retries after a transient error. Default 5 minutes (SUP).
    pub retry_interval: Duration,
    /// Retries before a transient error disables the mailbox. Default 10 (SUP).
    pub max_retries: i64,
}

impl Default for TestEnableTiming {
    fn default() -> Self {
        TestEnableTiming {
            delay: Duration::from_secs(90),
            retry_interval: Duration::from_secs(300),
            max_retries: 10,
        }
    }
}
