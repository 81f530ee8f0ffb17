//! Scenario builders: one org's data as a seeded recipe.
//!
//! A [`Scenario`] is plain data; [`Scenario::build`] turns it into an org store deterministically (same
//! seed, same GUIDs, same mixture of mailbox states).

use crate::config::{Config, Quirks};
use crate::ids::{Guid, Rng};
use crate::ops::{sync, test_enable};
use crate::schema;
use crate::store::{ExchangeFacts, Org, TenantRoles, V};

/// System Administrator role template id (§6).
pub(crate) const SYSADMIN_TEMPLATE: &str = "627090ff-40a3-4053-8790-584edc5be201";
/// System Customizer role template id.
const CUSTOMIZER_TEMPLATE: &str = "119f245c-3cc8-4b62-b31c-d1a046ced15d";

/// Roles of the signed-in caller (the first user of the org).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerRoles {
    /// Dynamics 365 System Administrator security role.
    pub system_administrator: bool,
    /// Microsoft 365 Global admin (tenant role; Dataverse cannot see it).
    pub global_admin: bool,
    /// Exchange admin (tenant role).
    pub exchange_admin: bool,
    /// The "Delegated Mailbox Approver" security role.
    pub delegated_mailbox_approver: bool,
}

impl Default for CallerRoles {
    fn default() -> Self {
        CallerRoles {
            system_administrator: true,
            global_admin: true,
            exchange_admin: false,
            delegated_mailbox_approver: false,
        }
    }
}

/// The state of the mailboxes a scenario creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mix {
    /// Everything approved, on SSS and tested OK.
    Healthy,
    /// A realistic mixture of problems.
    Demo,
    /// A new org: pending approval, nothing tested.
    Fresh,
}

/// How the Exchange Online profile is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExoProfile {
    Missing,
    Present { active: bool, default: bool },
}

/// A builder of one org's data.
#[derive(Debug, Clone)]
pub struct Scenario {
    name: String,
    seed: u64,
    mix: Mix,
    users: usize,
    queues: usize,
    forward: usize,
    exo: ExoProfile,
    org_defaults_sss: bool,
    require_approval: bool,
    caller: CallerRoles,
    roles_via_team: bool,
    /// How many user mailboxes drift from healthy to delayed to failing (issue 17).
    drifting: usize,
}

impl Scenario {
    fn base(name: &str, mix: Mix) -> Scenario {
        Scenario {
            name: name.to_string(),
            seed: 42,
            mix,
            users: 20,
            queues: 4,
            forward: 0,
            exo: ExoProfile::Present { active: true, default: true },
            org_defaults_sss: true,
            require_approval: true,
            caller: CallerRoles::default(),
            roles_via_team: false,
            drifting: 0,
        }
    }

    /// "Contoso": about 300 mailboxes (users, queues and two forward mailboxes) in mixed states, with the
    /// Exchange Online profile active and default.
    pub fn demo() -> Scenario {
        Scenario { users: 270, queues: 28, forward: 2, ..Scenario::base("Contoso", Mix::Demo) }
    }

    /// Everything set up correctly: profile active and default, org defaults SSS, mailboxes approved and
    /// tested OK.
    pub fn healthy(name: &str) -> Scenario {
        Scenario::base(name, Mix::Healthy)
    }

    /// No Exchange Online profile: only a POP3/SMTP profile, which is the default. Mailboxes are pending
    /// approval and untested.
    pub fn missing_profile(name: &str) -> Scenario {
        Scenario { exo: ExoProfile::Missing, ..Scenario::base(name, Mix::Fresh) }
    }

    /// A new org: Exchange Online profile present, nothing approved or tested yet.
    pub fn fresh(name: &str) -> Scenario {
        Scenario::base(name, Mix::Fresh)
    }

    /// Queue mailboxes only (plus the caller's own user mailbox).
    pub fn queues_only(name: &str) -> Scenario {
        Scenario { users: 1, queues: 12, ..Scenario::base(name, Mix::Demo) }
    }

    /// A large mixed org of `mailboxes` mailboxes (e.g. 50,000), generated from the seed.
    pub fn large(name: &str, mailboxes: usize) -> Scenario {
        Scenario::base(name, Mix::Demo).mailboxes(mailboxes)
    }

    /// A healthy org whose first `n` user mailboxes (after the caller's) drift over virtual time: they
    /// synchronise normally, stop 30 minutes after the start (delayed), fail every cycle from two hours
    /// after the start (401 Unauthorized, with item failures and an alert), and are disabled after an
    /// hour of failures.
    pub fn drifting(name: &str, n: usize) -> Scenario {
        Scenario { drifting: n, ..Scenario::base(name, Mix::Healthy) }
    }

    /// Makes the first `n` user mailboxes drift (see [`Scenario::drifting`]).
    pub fn drift(mut self, n: usize) -> Self {
        self.drifting = n;
        self
    }

    /// Sets the total number of mailboxes; about one in ten is a queue's.
    pub fn mailboxes(mut self, n: usize) -> Self {
        let n = n.max(1);
        self.forward = self.forward.min(n.saturating_sub(1));
        let rest = n - self.forward;
        self.queues = if rest > 1 { rest / 10 } else { 0 };
        self.users = rest - self.queues;
        self
    }

    /// Sets the number of user mailboxes (at least 1: the caller).
    pub fn users(mut self, n: usize) -> Self {
        self.users = n.max(1);
        self
    }

    /// Sets the number of queue mailboxes.
    pub fn queues(mut self, n: usize) -> Self {
        self.queues = n;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The Exchange Online profile exists but is inactive.
    pub fn inactive_profile(mut self) -> Self {
        if let ExoProfile::Present { default, .. } = self.exo {
            self.exo = ExoProfile::Present { active: false, default };
        }
        self
    }

    /// The Exchange Online profile exists but a POP3/SMTP profile is the org default.
    pub fn profile_not_default(mut self) -> Self {
        if let ExoProfile::Present { active, .. } = self.exo {
            self.exo = ExoProfile::Present { active, default: false };
        }
        self
    }

    /// The org's default email settings are not server-side synchronization (Outlook instead).
    pub fn org_defaults_not_sss(mut self) -> Self {
        self.org_defaults_sss = false;
        self
    }

    /// "Process emails only for approved users/queues" turned off.
    pub fn approval_not_required(mut self) -> Self {
        self.require_approval = false;
        self
    }

    /// Sets the caller's roles.
    pub fn caller(mut self, roles: CallerRoles) -> Self {
        self.caller = roles;
        self
    }

    /// The caller is a System Administrator but neither Global nor Exchange admin nor Delegated Mailbox
    /// Approver, so approvals fail with 0x80040256.
    pub fn approval_hostile(self) -> Self {
        self.caller(CallerRoles {
            system_administrator: true,
            global_admin: false,
            exchange_admin: false,
            delegated_mailbox_approver: false,
        })
    }

    /// The caller's System Administrator and Delegated Mailbox Approver roles come through membership of
    /// a team ("Mailbox Admins") instead of being assigned directly (§6: privileges include team roles).
    pub fn caller_roles_through_team(mut self) -> Self {
        self.roles_via_team = true;
        self
    }

    /// The org's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Builds the org store.
    pub(crate) fn build(&self, prefix: &str, now: i64, config: &Config) -> Org {
        let quirks = &config.quirks;
        let seed = self.seed
            ^ prefix
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let mut org = Org::new(prefix, &self.name, seed);
        let mut rng = Rng::new(seed.rotate_left(17));
        let domain = format!("{prefix}.onmicrosoft.com");
        let bu = org.bu_id;
        let t = |logical| schema::by_logical(logical).ok_or(logical);
        let (Ok(bu_t), Ok(org_t), Ok(prof_t), Ok(role_t), Ok(priv_t), Ok(user_t), Ok(queue_t), Ok(mbx_t)) = (
            t("businessunit"),
            t("organization"),
            t("emailserverprofile"),
            t("role"),
            t("privilege"),
            t("systemuser"),
            t("queue"),
            t("mailbox"),
        ) else {
            return org;
        };
        let created = now - 400 * 86_400_000;

        org.insert(bu_t, bu, vec![("name", V::str(prefix))], created);

        // Users first, so the caller exists as an owner.
        let caller = rng.guid();
        org.caller = caller;

        // Profiles.
        let exo_id = rng.guid();
        let pop_id = rng.guid();
        let (exo_present, exo_active, exo_default) = match self.exo {
            ExoProfile::Missing => (false, false, false),
            ExoProfile::Present { active, default } => (true, active, default),
        };
        if exo_present {
            org.insert(
                prof_t,
                exo_id,
                exo_profile_fields(&self.name, exo_active, caller, bu, quirks),
                created,
            );
        }
        let pop_needed = !exo_present || !exo_default;
        if pop_needed {
            org.insert(prof_t, pop_id, pop_profile_fields(&domain, caller, bu), created);
        }
        let default_profile = if exo_present && exo_default { exo_id } else { pop_id };

        // Organization row.
        let (i, o, a) = if self.org_defaults_sss { (2, 2, 1) } else { (1, 1, 0) };
        org.insert(
            org_t,
            org.org_id,
            org_fields(&self.name, default_profile, (i, o, a), self.require_approval),
            created,
        );

        // Privileges and roles.
        let privs: Vec<(Guid, &str)> = PRIVILEGES.iter().map(|p| (rng.guid(), *p)).collect();
        for (id, name) in &privs {
            org.insert(
                priv_t,
                *id,
                vec![
                    ("name", V::str(*name)),
                    ("accessright", V::Int(0)),
                    ("canbebasic", V::Bool(true)),
                    ("canbelocal", V::Bool(true)),
                    ("canbedeep", V::Bool(true)),
                    ("canbeglobal", V::Bool(true)),
                ],
                created,
            );
        }
        let priv_id = |name: &str| privs.iter().find(|(_, n)| *n == name).map(|(id, _)| *id);
        let sysadmin = rng.guid();
        let customizer = rng.guid();
        let dma = rng.guid();
        let sales = rng.guid();
        for (id, name, template) in [
            (sysadmin, "System Administrator", Some(SYSADMIN_TEMPLATE)),
            (customizer, "System Customizer", Some(CUSTOMIZER_TEMPLATE)),
            (dma, "Delegated Mailbox Approver", None),
            (sales, "Salesperson", None),
        ] {
            org.insert(
                role_t,
                id,
                vec![
                    ("name", V::str(name)),
                    ("roletemplateid", V::opt_lookup("roletemplate", template.map(Guid::from_literal))),
                    ("businessunitid", V::lookup("businessunit", bu)),
                    ("ismanaged", V::Bool(true)),
                ],
                created,
            );
        }
        org.role_privileges.insert(sysadmin, privs.iter().map(|(id, _)| (*id, "Global")).collect());
        org.role_privileges.insert(
            customizer,
            privs.iter().filter(|(_, n)| n.starts_with("prvRead")).map(|(id, _)| (*id, "Global")).collect(),
        );
        org.role_privileges.insert(
            dma,
            [
                "prvApproveRejectEmailAddress",
                "prvReadMailbox",
                "prvWriteMailbox",
                "prvReadUser",
                "prvReadQueue",
            ]
            .iter()
            .filter_map(|n| priv_id(n))
            .map(|id| (id, "Global"))
            .collect(),
        );
        org.role_privileges.insert(
            sales,
            ["prvReadMailbox", "prvWriteMailbox", "prvReadUser", "prvReadQueue", "prvReadOrganization"]
                .iter()
                .filter_map(|n| priv_id(n))
                .map(|id| (id, "Basic"))
                .collect(),
        );

        // Bulk messages (BULK): UpdateMultiple/CreateMultiple exist, but have no filter for mailbox (§1.1).
        // A separate stream, so these rows do not reshuffle the mailbox mixture.
        let mut rng_meta = Rng::new(seed ^ 0x5D4_3E55_A6E5);
        if let (Some(msg_t), Some(filter_t)) =
            (schema::by_logical("sdkmessage"), schema::by_logical("sdkmessagefilter"))
        {
            for message in ["CreateMultiple", "UpdateMultiple", "UpsertMultiple"] {
                let mid = rng_meta.guid();
                org.insert(msg_t, mid, vec![("name", V::str(message))], created);
                for table in ["account", "contact", "email", "systemuser", "queue"] {
                    org.insert(
                        filter_t,
                        rng_meta.guid(),
                        vec![
                            ("name", V::str(format!("{message} {table}"))),
                            ("sdkmessageid", V::lookup("sdkmessage", mid)),
                            ("primaryobjecttypecode", V::str(table)),
                            ("isvisible", V::Bool(true)),
                        ],
                        created,
                    );
                }
            }
        }

        // The caller.
        let mut caller_roles = Vec::new();
        if self.caller.system_administrator {
            caller_roles.push(sysadmin);
        } else {
            caller_roles.push(sales);
        }
        if self.caller.delegated_mailbox_approver {
            caller_roles.push(dma);
        }
        if self.roles_via_team {
            let team = rng_meta.guid();
            if let Some(team_t) = schema::by_logical("team") {
                org.insert(
                    team_t,
                    team,
                    vec![
                        ("name", V::str("Mailbox Admins")),
                        ("teamtype", V::Int(0)),
                        ("isdefault", V::Bool(false)),
                        ("businessunitid", V::lookup("businessunit", bu)),
                    ],
                    created,
                );
            }
            org.add_members(team, &[caller]);
            org.team_roles.insert(team, caller_roles);
            org.user_roles.insert(caller, vec![sales]);
        } else {
            org.user_roles.insert(caller, caller_roles);
        }
        org.tenant_roles.insert(
            caller,
            TenantRoles {
                global_admin: self.caller.global_admin,
                exchange_admin: self.caller.exchange_admin,
            },
        );

        let approved_profile = |rng: &mut Rng, mix: Mix| -> Option<Guid> {
            match mix {
                Mix::Healthy => Some(if exo_present { exo_id } else { pop_id }),
                Mix::Fresh => Some(default_profile).filter(|_| rng.chance(80)),
                Mix::Demo => {
                    let r = rng.below(100);
                    if r < 86 {
                        Some(if exo_present { exo_id } else { pop_id })
                    } else if r < 92 {
                        Some(pop_id).filter(|_| pop_needed)
                    } else {
                        None
                    }
                }
            }
        };

        let mut plans = Vec::new();
        let mut used_names = std::collections::HashSet::new();
        for n in 0..self.users {
            let id = if n == 0 { caller } else { rng.guid() };
            let (first, last, full) = if n == 0 {
                ("Megan".to_string(), "Bowen".to_string(), "Megan Bowen".to_string())
            } else {
                let f = (*rng.pick(FIRST)).to_string();
                let l = (*rng.pick(LAST)).to_string();
                let mut full = format!("{f} {l}");
                if !used_names.insert(full.clone()) {
                    full = format!("{f} {l} {n}");
                }
                (f, l, full)
            };
            let local = full.to_lowercase().replace(' ', ".");
            let email = format!("{local}@{domain}");
            let licensed = !(self.mix == Mix::Demo && rng.chance(4));
            let state = MailboxPlan::draw(&mut rng, self.mix, n == 0, false);
            let profile = approved_profile(&mut rng, self.mix);
            if n > 0 {
                org.user_roles.insert(id, vec![sales]);
            }
            org.insert(
                user_t,
                id,
                vec![
                    ("fullname", V::str(&full)),
                    ("firstname", V::str(first)),
                    ("lastname", V::str(last)),
                    ("domainname", V::str(&email)),
                    ("internalemailaddress", V::str(&email)),
                    ("emailrouteraccessapproval", V::Int(state.approval)),
                    ("isdisabled", V::Bool(false)),
                    ("accessmode", V::Int(0)),
                    ("islicensed", V::Bool(true)),
                    ("azureactivedirectoryobjectid", V::Guid(rng.guid())),
                    ("businessunitid", V::lookup("businessunit", bu)),
                ],
                created,
            );
            let facts = ExchangeFacts {
                no_exchange_licence: !licensed,
                act_synced_elsewhere: self.mix == Mix::Demo && rng.chance(4),
                unknown_address: self.mix == Mix::Demo && rng.chance(2),
                transient_failures: if self.mix == Mix::Demo && rng.chance(3) { 2 } else { 0 },
            };
            plans.push((id, "systemuser", full, email, id, state, profile, facts));
        }
        for n in 0..self.queues {
            let id = rng.guid();
            let name = format!("{} {}", rng.pick(QUEUES), n + 1);
            let email = format!("{}@{domain}", name.to_lowercase().replace(' ', "."));
            let state = MailboxPlan::draw(&mut rng, self.mix, false, true);
            let profile = approved_profile(&mut rng, self.mix);
            org.insert(
                queue_t,
                id,
                vec![
                    ("name", V::str(&name)),
                    ("emailaddress", V::str(&email)),
                    ("emailrouteraccessapproval", V::Int(state.approval)),
                    ("queueviewtype", V::Int(0)),
                    ("incomingemaildeliverymethod", V::Int(state.incoming)),
                    ("outgoingemaildeliverymethod", V::Int(state.outgoing)),
                    ("statecode", V::Int(0)),
                    ("statuscode", V::Int(1)),
                    ("ownerid", V::lookup("systemuser", caller)),
                    ("owningbusinessunit", V::lookup("businessunit", bu)),
                ],
                created,
            );
            let facts = ExchangeFacts {
                unknown_address: self.mix == Mix::Demo && rng.chance(3),
                transient_failures: if self.mix == Mix::Demo && rng.chance(3) { 1 } else { 0 },
                ..ExchangeFacts::default()
            };
            plans.push((id, "queue", name, email, caller, state, profile, facts));
        }

        // The business unit's default team holds every user and no roles, as in a new org.
        let default_team = rng_meta.guid();
        if let Some(team_t) = schema::by_logical("team") {
            org.insert(
                team_t,
                default_team,
                vec![
                    ("name", V::str(prefix)),
                    ("teamtype", V::Int(0)),
                    ("isdefault", V::Bool(true)),
                    ("businessunitid", V::lookup("businessunit", bu)),
                ],
                created,
            );
            let members: Vec<Guid> = org.rows("systemuser").keys().copied().collect();
            org.add_members(default_team, &members);
        }

        let mut mailboxes = Vec::new();
        for (regarding, kind, name, email, owner, state, profile, facts) in plans {
            let mid = rng.guid();
            let fields = mailbox_fields(&MailboxSeed {
                name: &name,
                email: &email,
                regarding: Some((kind, regarding)),
                owner,
                bu,
                profile,
                state: &state,
                forward: false,
            });
            org.insert(mbx_t, mid, fields, created);
            org.exchange.insert(mid, facts);
            let table: &'static str = if kind == "queue" { "queue" } else { "systemuser" };
            org.update(table, regarding, vec![("defaultmailbox", V::lookup("mailbox", mid))], created);
            mailboxes.push((mid, state));
        }
        for n in 0..self.forward {
            let mid = rng.guid();
            let name = format!("Forward Mailbox {}", n + 1);
            let email = format!("forward{}@{domain}", n + 1);
            let state =
                MailboxPlan { approval: 1, incoming: 2, outgoing: 0, act: 2, ..MailboxPlan::healthy(true) };
            let fields = mailbox_fields(&MailboxSeed {
                name: &name,
                email: &email,
                regarding: None,
                owner: caller,
                bu,
                profile: exo_present.then_some(exo_id),
                state: &state,
                forward: true,
            });
            org.insert(mbx_t, mid, fields, created);
            org.exchange.insert(mid, ExchangeFacts::default());
            mailboxes.push((mid, state));
        }

        // Results of past tests are computed by the same rules the Test & Enable job uses, so the seeded
        // state is consistent with what re-running the test would give.
        for (mid, state) in mailboxes {
            match state.test {
                TestPlan::NeverRun => {}
                TestPlan::Scheduled => {
                    let due = now + 30_000 + (rng.below(60) as i64) * 1000;
                    org.update(
                        "mailbox",
                        mid,
                        vec![
                            ("testemailconfigurationscheduled", V::Bool(true)),
                            ("postponetestemailconfigurationuntil", V::Time(due)),
                            ("testandenablelastattemptedby", V::lookup("systemuser", caller)),
                            ("testandenablelastattemptedon", V::Time(now - 60_000)),
                        ],
                        now - 60_000,
                    );
                    org.scheduled.insert(mid);
                    org.next_due = i64::MIN;
                }
                TestPlan::Tested => {
                    let when = now - (1 + rng.below(24 * 14) as i64) * 3_600_000;
                    test_enable::run_test(&mut org, mid, when, config);
                }
            }
            if state.inactive {
                org.update(
                    "mailbox",
                    mid,
                    vec![("statecode", V::Int(1)), ("statuscode", V::Int(2))],
                    created,
                );
            }
        }
        // Live mailboxes have been synchronising all along: their last cycle ran within the last five
        // minutes, and cycles continue as the clock moves (issue 17).
        let live: Vec<Guid> = org
            .rows("mailbox")
            .iter()
            .filter(|(_, m)| {
                m.int("statecode") == 0 && m.int("mailboxstatus") == 1 && m.bool("enabledforincomingemail")
            })
            .map(|(id, _)| *id)
            .collect();
        for id in &live {
            let at = now - (rng.below(sync::CYCLE_MS as u64) as i64);
            sync::succeed(&mut org, *id, at);
        }
        let drifting = live
            .iter()
            .copied()
            .filter(|id| {
                org.row("mailbox", *id)
                    .and_then(|m| m.lookup("regardingobjectid"))
                    .is_some_and(|l| l.table == "systemuser" && l.id != caller)
            })
            .take(self.drifting);
        let drifts: Vec<Guid> = drifting.collect();
        for id in drifts {
            org.drift.insert(
                id,
                sync::Drift {
                    delayed_at: now + 30 * 60_000,
                    failing_at: now + 2 * 3_600_000,
                    code: sync::UNAUTHORIZED,
                },
            );
        }
        org.next_cycle = now + sync::CYCLE_MS;
        org
    }
}

/// What happened to a mailbox before the scenario starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestPlan {
    NeverRun,
    Scheduled,
    Tested,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct MailboxPlan {
    pub(crate) approval: i64,
    pub(crate) incoming: i64,
    pub(crate) outgoing: i64,
    pub(crate) act: i64,
    inactive: bool,
    test: TestPlan,
}

impl MailboxPlan {
    /// A mailbox created now: the org's default methods, untested.
    pub(crate) fn new_mailbox(approval: i64, incoming: i64, outgoing: i64, act: i64) -> Self {
        MailboxPlan { approval, incoming, outgoing, act, inactive: false, test: TestPlan::NeverRun }
    }
}

impl MailboxPlan {
    fn healthy(queue: bool) -> Self {
        MailboxPlan {
            approval: 1,
            incoming: 2,
            outgoing: 2,
            act: if queue { 2 } else { 1 },
            inactive: false,
            test: TestPlan::Tested,
        }
    }

    fn draw(rng: &mut Rng, mix: Mix, is_caller: bool, queue: bool) -> Self {
        match mix {
            Mix::Healthy => MailboxPlan::healthy(queue),
            Mix::Fresh => MailboxPlan {
                approval: 2,
                incoming: 2,
                outgoing: 2,
                act: if queue { 2 } else { 1 },
                inactive: false,
                test: TestPlan::NeverRun,
            },
            Mix::Demo if is_caller => MailboxPlan::healthy(queue),
            Mix::Demo => {
                let approval = match rng.below(100) {
                    0..72 => 1,
                    72..85 => 2,
                    85..93 => 0,
                    _ => 3,
                };
                let (incoming, outgoing, act) = match rng.below(100) {
                    0..80 => (2, 2, 1),
                    80..88 => (1, 1, 0),
                    88..93 => (0, 0, 2),
                    93..97 => (2, 2, 0),
                    _ => (3, 2, 1),
                };
                let act = if queue { 2 } else { act };
                let incoming = if queue && incoming == 3 { 2 } else { incoming };
                let test = match rng.below(100) {
                    0..78 => TestPlan::Tested,
                    78..95 => TestPlan::NeverRun,
                    _ => TestPlan::Scheduled,
                };
                MailboxPlan { approval, incoming, outgoing, act, inactive: rng.chance(3), test }
            }
        }
    }
}

pub(crate) struct MailboxSeed<'a> {
    pub(crate) name: &'a str,
    pub(crate) email: &'a str,
    pub(crate) regarding: Option<(&'static str, Guid)>,
    pub(crate) owner: Guid,
    pub(crate) bu: Guid,
    pub(crate) profile: Option<Guid>,
    pub(crate) state: &'a MailboxPlan,
    pub(crate) forward: bool,
}

/// Every SSS column of §1.2 with the value a fresh mailbox has.
pub(crate) fn mailbox_fields(s: &MailboxSeed<'_>) -> Vec<(&'static str, V)> {
    let (regarding, regarding_type) = match s.regarding {
        Some((table, id)) => (V::lookup(table, id), V::str(table)),
        None => (V::Null, V::Null),
    };
    vec![
        ("name", V::str(s.name)),
        ("emailaddress", V::str(s.email)),
        ("emailserverprofile", V::opt_lookup("emailserverprofile", s.profile)),
        ("regardingobjectid", regarding),
        ("regardingobjecttypecode", regarding_type),
        ("incomingemaildeliverymethod", V::Int(s.state.incoming)),
        ("outgoingemaildeliverymethod", V::Int(s.state.outgoing)),
        ("actdeliverymethod", V::Int(s.state.act)),
        ("incomingemailstatus", V::Int(0)),
        ("outgoingemailstatus", V::Int(0)),
        ("actstatus", V::Int(0)),
        ("mailboxstatus", V::Int(0)),
        ("acsoutgoingemailstatus", V::Null),
        ("acsenabledforoutgoingemail", V::Bool(false)),
        ("emailrouteraccessapproval", V::Int(s.state.approval)),
        // Both flags set together by default (`Quirks::o365_approval`).
        ("isemailaddressapprovedbyo365admin", V::Bool(s.state.approval == 1)),
        ("emailaddressapprovedby", V::Null),
        ("emailaddressapprovedon", V::Null),
        ("enabledforincomingemail", V::Bool(true)),
        ("enabledforoutgoingemail", V::Bool(true)),
        ("enabledforact", V::Bool(true)),
        ("isforwardmailbox", V::Bool(s.forward)),
        ("orgmarkedasprimaryforexchangesync", V::Bool(false)),
        ("isactsyncorgflagset", V::Bool(false)),
        ("testemailconfigurationscheduled", V::Bool(false)),
        ("testemailconfigurationretrycount", V::Int(0)),
        ("postponetestemailconfigurationuntil", V::Null),
        ("testmailboxaccesscompletedon", V::Null),
        ("testandenablelastattemptedby", V::Null),
        ("testandenablelastattemptedon", V::Null),
        ("processingstatecode", V::Int(0)),
        ("lastsuccessfulsynccompletedon", V::Null),
        ("lastsyncstartedon", V::Null),
        ("processinglastattemptedon", V::Null),
        ("processemailreceivedafter", V::Null),
        ("receivingpostponeduntil", V::Null),
        ("receivingpostponeduntilforact", V::Null),
        ("postponemailboxprocessinguntil", V::Time(0)),
        ("undeliverablefolder", V::Null),
        ("verboseloggingenabled", V::Int(0)),
        ("ewsurl", V::Null),
        ("username", V::Null),
        ("password", V::Null),
        ("allowemailconnectortousecredentials", V::Bool(false)),
        ("processanddeleteemails", V::Bool(false)),
        ("tagemailsafter", V::Null),
        ("ispasswordset", V::Bool(false)),
        ("isserviceaccount", V::Bool(false)),
        ("hostid", V::Null),
        ("itemsprocessedforlastsync", V::Null),
        ("itemsfailedforlastsync", V::Null),
        ("averagetotalduration", V::Null),
        ("lastduration", V::Null),
        ("processedtimes", V::Int(0)),
        ("lastsyncerror", V::Null),
        ("lastsyncerrorcode", V::Null),
        ("lastsyncerrorcount", V::Int(0)),
        ("lastsyncerroroccurredon", V::Null),
        ("lastsyncerrormachinename", V::Null),
        ("transientfailurecount", V::Int(0)),
        ("forcedunlockcount", V::Int(0)),
        ("statecode", V::Int(0)),
        ("statuscode", V::Int(1)),
        ("ownerid", V::lookup("systemuser", s.owner)),
        ("owninguser", V::lookup("systemuser", s.owner)),
        ("owningbusinessunit", V::lookup("businessunit", s.bu)),
    ]
}

fn exo_profile_fields(
    org: &str,
    active: bool,
    owner: Guid,
    bu: Guid,
    quirks: &Quirks,
) -> Vec<(&'static str, V)> {
    vec![
        ("name", V::str("Microsoft Exchange Online")),
        ("description", V::str(format!("Default Exchange Online profile created for {org}."))),
        ("servertype", V::Int(0)),
        ("emailservertypename", V::str(&quirks.exchange_online_type_name)),
        ("incomingcredentialretrieval", V::Int(2)),
        ("outgoingcredentialretrieval", V::Int(2)),
        ("incomingauthenticationprotocol", V::Int(0)),
        ("outgoingauthenticationprotocol", V::Int(0)),
        ("useautodiscover", V::Bool(true)),
        ("incomingserverlocation", V::Null),
        ("outgoingserverlocation", V::Null),
        ("defaultserverlocation", V::Null),
        ("incomingportnumber", V::Int(443)),
        ("outgoingportnumber", V::Int(443)),
        ("incomingusessl", V::Bool(true)),
        ("outgoingusessl", V::Bool(true)),
        ("usesamesettingsforoutgoingconnections", V::Bool(true)),
        ("incominguseimpersonation", V::Bool(false)),
        ("outgoinguseimpersonation", V::Bool(false)),
        ("outgoingautograntdelegateaccess", V::Bool(false)),
        ("moveundeliveredemails", V::Bool(false)),
        ("usedefaulttenantid", V::Bool(true)),
        ("exchangeonlinetenantid", V::Null),
        ("aadresourceid", V::Null),
        ("oauthclientid", V::Null),
        ("oauthclientsecret", V::Null),
        ("maxconcurrentconnections", V::Int(10)),
        ("minpollingintervalinminutes", V::Int(0)),
        ("timeoutmailboxconnection", V::Bool(false)),
        ("timeoutmailboxconnectionafteramount", V::Int(0)),
        ("processemailsreceivedafter", V::Null),
        ("sendemailalert", V::Bool(true)),
        ("owneremailaddress", V::Null),
        ("lastauthorizationstatus", V::Int(1)),
        ("lasttestexecutionstatus", V::Int(1)),
        ("lasttestvalidationstatus", V::Int(1)),
        ("lastteststarttime", V::Null),
        ("lasttesttotalexecutiontime", V::Null),
        ("lasttestrequest", V::Null),
        ("lasttestresponse", V::Null),
        ("lastcrmmessage", V::Null),
        ("statecode", V::Int(if active { 0 } else { 1 })),
        ("statuscode", V::Int(if active { 1 } else { 2 })),
        ("ownerid", V::lookup("systemuser", owner)),
        ("owningbusinessunit", V::lookup("businessunit", bu)),
    ]
}

fn pop_profile_fields(domain: &str, owner: Guid, bu: Guid) -> Vec<(&'static str, V)> {
    vec![
        ("name", V::str("POP3/SMTP Profile")),
        ("description", V::Null),
        ("servertype", V::Int(1)),
        ("emailservertypename", V::str("Other")),
        ("incomingcredentialretrieval", V::Int(1)),
        ("outgoingcredentialretrieval", V::Int(1)),
        ("incomingauthenticationprotocol", V::Int(3)),
        ("outgoingauthenticationprotocol", V::Int(3)),
        ("useautodiscover", V::Bool(false)),
        ("incomingserverlocation", V::str(format!("pop.{domain}"))),
        ("outgoingserverlocation", V::str(format!("smtp.{domain}"))),
        ("defaultserverlocation", V::Null),
        ("incomingportnumber", V::Int(995)),
        ("outgoingportnumber", V::Int(465)),
        ("incomingusessl", V::Bool(true)),
        ("outgoingusessl", V::Bool(true)),
        ("usesamesettingsforoutgoingconnections", V::Bool(true)),
        ("incominguseimpersonation", V::Bool(false)),
        ("outgoinguseimpersonation", V::Bool(false)),
        ("outgoingautograntdelegateaccess", V::Bool(false)),
        ("moveundeliveredemails", V::Bool(false)),
        ("usedefaulttenantid", V::Bool(true)),
        ("maxconcurrentconnections", V::Int(10)),
        ("minpollingintervalinminutes", V::Int(0)),
        ("timeoutmailboxconnection", V::Bool(false)),
        ("timeoutmailboxconnectionafteramount", V::Int(0)),
        ("sendemailalert", V::Bool(true)),
        ("statecode", V::Int(0)),
        ("statuscode", V::Int(1)),
        ("ownerid", V::lookup("systemuser", owner)),
        ("owningbusinessunit", V::lookup("businessunit", bu)),
    ]
}

/// Reads one element of the `defaultemailsettings` XML.
pub(crate) fn email_setting(xml: &str, element: &str) -> Option<i64> {
    let open = format!("<{element}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find('<')? + start;
    xml[start..end].trim().parse().ok()
}

/// The `defaultemailsettings` XML (§3.2).
pub(crate) fn email_settings_xml(incoming: i64, outgoing: i64, act: i64) -> String {
    format!(
        "<EmailSettings><IncomingEmailDeliveryMethod>{incoming}</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>{outgoing}</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>{act}</ACTDeliveryMethod></EmailSettings>"
    )
}

fn org_fields(
    name: &str,
    profile: Guid,
    (i, o, a): (i64, i64, i64),
    approval: bool,
) -> Vec<(&'static str, V)> {
    vec![
        ("name", V::str(name)),
        ("defaultemailserverprofileid", V::lookup("emailserverprofile", profile)),
        ("defaultemailsettings", V::str(email_settings_xml(i, o, a))),
        ("emailconnectionchannel", V::Int(0)),
        ("requireapprovalforuseremail", V::Bool(approval)),
        ("requireapprovalforqueueemail", V::Bool(approval)),
        ("generatealertsforerrors", V::Bool(true)),
        ("generatealertsforwarnings", V::Bool(true)),
        ("generatealertsforinformation", V::Bool(true)),
        ("notifymailboxownerofemailserverlevelalerts", V::Bool(false)),
        ("maxuploadfilesize", V::Int(5_242_880)),
        ("ignoreinternalemail", V::Bool(false)),
        ("emailcorrelationenabled", V::Bool(true)),
        ("isfolderbasedtrackingenabled", V::Bool(false)),
        ("trackingprefix", V::str("CRM")),
        ("trackingtokenidbase", V::Int(0)),
        ("trackingtokeniddigits", V::Int(3)),
        ("maximumtrackingnumber", V::Int(999)),
        ("enablesmartmatching", V::Bool(false)),
        ("hashfilterkeywords", V::Null),
        ("hashmaxcount", V::Int(20)),
        ("hashdeltasubjectcount", V::Int(0)),
        ("hashminaddresscount", V::Int(2)),
        ("rendersecureiframeforemail", V::Bool(true)),
        ("allowunresolvedpartiesonemailsend", V::Bool(false)),
        ("unresolveemailaddressifmultiplematch", V::Bool(true)),
        ("resolvesimilarunresolvedemailaddress", V::Bool(false)),
        ("isemailmonitoringallowed", V::Bool(true)),
        (
            "blockedattachments",
            V::str(
                "ade;adp;app;asa;ashx;asmx;asp;bas;bat;cdx;cer;chm;class;cmd;com;config;cpl;crt;csh;dll;exe;fxp;hlp;hta;htr;htw;ida;idc;idq;inf;ins;isp;its;jar;js;jse;ksh;lnk;mad;maf;mag;mam;maq;mar;mas;mat;mau;mav;maw;mda;mdb;mde;mdt;mdw;mdz;msc;msh;msh1;msh1xml;msh2;msh2xml;mshxml;msi;msp;mst;ops;pcd;pif;prf;prg;printer;pst;reg;rem;scf;scr;sct;shb;shs;shtm;shtml;soap;stm;tmp;url;vb;vbe;vbs;vsmacro;vss;vst;vsw;ws;wsc;wsf;wsh",
            ),
        ),
        ("emailsendpollingperiod", V::Int(60)),
        ("incomingemailexchangeemailretrievalbatchsize", V::Int(5)),
        ("ismailboxforcedunlockingenabled", V::Bool(false)),
        ("ismailboxinactivebackoffenabled", V::Bool(true)),
        ("isemailserverprofilecontentfilteringenabled", V::Bool(false)),
        ("maxverboseloggingmailbox", V::Int(25)),
        (
            "orgdborgsettings",
            V::str(
                "<OrgSettings><RequirePrivilegeToSelfApproveEmailAddress>false</RequirePrivilegeToSelfApproveEmailAddress><HideNewForwardMailboxButton>false</HideNewForwardMailboxButton></OrgSettings>",
            ),
        ),
    ]
}

/// Privileges the simulator knows (names follow the `prv<Verb><Table>` convention).
const PRIVILEGES: &[&str] = &[
    "prvApproveRejectEmailAddress",
    "prvReadMailbox",
    "prvWriteMailbox",
    "prvCreateMailbox",
    "prvReadEmailServerProfile",
    "prvWriteEmailServerProfile",
    "prvReadOrganization",
    "prvWriteOrganization",
    "prvReadUser",
    "prvWriteUser",
    "prvReadQueue",
    "prvWriteQueue",
    "prvReadRole",
    "prvReadTraceLog",
];

const FIRST: &[&str] = &[
    "Adele",
    "Alex",
    "Allan",
    "Ben",
    "Christie",
    "Debra",
    "Diego",
    "Emily",
    "Grady",
    "Henrietta",
    "Irvin",
    "Isaiah",
    "Johanna",
    "Joni",
    "Lee",
    "Lidia",
    "Lynne",
    "Miriam",
    "Nestor",
    "Patti",
    "Pradeep",
    "Raul",
    "Sakura",
    "Tomas",
    "Wanda",
    "Yuki",
    "Zoe",
    "Ola",
    "Nina",
    "Omar",
];
const LAST: &[&str] = &[
    "Vance",
    "Wilber",
    "Deyoung",
    "Walters",
    "Cline",
    "Berger",
    "Siciliani",
    "Braun",
    "Archie",
    "Mueller",
    "Sink",
    "Langer",
    "Lauer",
    "Sherman",
    "Gu",
    "Holloway",
    "Valdes",
    "Graham",
    "Wilke",
    "Fernandez",
    "Gupta",
    "Razon",
    "Okafor",
    "Nakamura",
    "Silva",
    "Novak",
    "Haddad",
    "Larsen",
    "Kowalski",
    "Moreau",
];
const QUEUES: &[&str] =
    &["Support", "Sales", "Billing", "Info", "Careers", "Partners", "Returns", "Escalations"];
