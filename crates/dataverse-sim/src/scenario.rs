//! Scenario builders: one org's data as a seeded recipe.
//!
//! A [`Scenario`] is plain data; [`Scenario::build`] turns it into an org store deterministically (same
//! seed, same GUIDs, same mixture of mailbox states), one table at a time (`Seeder`, one method per
//! table, called in a fixed order).

use crate::config::{Config, Quirks};
use crate::ids::{Guid, Rng};
use crate::ops::{sync, test_enable};
use crate::schema::{self, TableDef};
use crate::store::{Drift, ExchangeFacts, Org, TenantRoles, V};

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

    /// Builds the org store, one table after another (see [`Seeder`]).
    pub(crate) fn build(&self, prefix: &str, now: i64, config: &Config) -> Org {
        let seed = self.seed
            ^ prefix
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let org = Org::new(prefix, &self.name, seed);
        let Some(tables) = Tables::resolve() else {
            return org;
        };
        let mut s = Seeder::new(self, config, org, tables, seed, prefix, now);
        s.business_unit();
        let profiles = s.email_server_profiles();
        s.organization(&profiles);
        let roles = s.privileges_and_roles();
        s.sdk_messages();
        s.caller_roles(&roles);
        let mut owners = s.users(&profiles, &roles);
        owners.extend(s.queues(&profiles));
        s.default_team();
        let mut mailboxes = s.mailboxes(owners);
        mailboxes.extend(s.forward_mailboxes(&profiles));
        s.past_tests(mailboxes);
        s.synchronization(&mailboxes_live(&s.org));
        s.org
    }
}

/// The table definitions a build writes to.
struct Tables {
    business_unit: &'static TableDef,
    organization: &'static TableDef,
    profile: &'static TableDef,
    role: &'static TableDef,
    privilege: &'static TableDef,
    user: &'static TableDef,
    queue: &'static TableDef,
    mailbox: &'static TableDef,
}

impl Tables {
    fn resolve() -> Option<Tables> {
        let t = schema::by_logical;
        Some(Tables {
            business_unit: t("businessunit")?,
            organization: t("organization")?,
            profile: t("emailserverprofile")?,
            role: t("role")?,
            privilege: t("privilege")?,
            user: t("systemuser")?,
            queue: t("queue")?,
            mailbox: t("mailbox")?,
        })
    }
}

/// The server profiles a build made, and which one mailboxes are approved for.
struct Profiles {
    exo_id: Guid,
    pop_id: Guid,
    exo_present: bool,
    /// The POP3/SMTP profile exists (no Exchange Online profile, or not the default one).
    pop_needed: bool,
    /// The org's default profile.
    default: Guid,
}

impl Profiles {
    /// The profile a mailbox's address was approved for, drawn for the mixture.
    fn approved(&self, rng: &mut Rng, mix: Mix) -> Option<Guid> {
        let main = if self.exo_present { self.exo_id } else { self.pop_id };
        match mix {
            Mix::Healthy => Some(main),
            Mix::Fresh => Some(self.default).filter(|_| rng.chance(80)),
            Mix::Demo => {
                let r = rng.below(100);
                if r < 86 {
                    Some(main)
                } else if r < 92 {
                    Some(self.pop_id).filter(|_| self.pop_needed)
                } else {
                    None
                }
            }
        }
    }
}

/// The four security roles every org has.
struct Roles {
    sysadmin: Guid,
    dma: Guid,
    sales: Guid,
}

/// A user or queue that gets a mailbox.
struct MailboxOwner {
    regarding: Guid,
    table: &'static str,
    name: String,
    email: String,
    owner: Guid,
    state: MailboxPlan,
    profile: Option<Guid>,
    facts: ExchangeFacts,
}

/// One build in progress: the org, its two random streams, and what every table needs.
///
/// Each method seeds one table (or one kind of row). They run in a fixed order and draw from `rng` in
/// that order: moving a draw changes every GUID and state after it, so a reordering is a change of
/// every scenario.
struct Seeder<'a> {
    scenario: &'a Scenario,
    config: &'a Config,
    org: Org,
    tables: Tables,
    /// Ids and states of the main rows.
    rng: Rng,
    /// A separate stream for rows added later (SDK messages, teams), so they do not reshuffle the
    /// mailbox mixture.
    rng_meta: Rng,
    prefix: &'a str,
    domain: String,
    now: i64,
    /// `createdon` of the seeded rows.
    created: i64,
    bu: Guid,
    caller: Guid,
}

impl<'a> Seeder<'a> {
    fn new(
        scenario: &'a Scenario,
        config: &'a Config,
        org: Org,
        tables: Tables,
        seed: u64,
        prefix: &'a str,
        now: i64,
    ) -> Seeder<'a> {
        let bu = org.bu_id;
        Seeder {
            scenario,
            config,
            org,
            tables,
            rng: Rng::new(seed.rotate_left(17)),
            rng_meta: Rng::new(seed ^ 0x5D4_3E55_A6E5),
            prefix,
            domain: format!("{prefix}.onmicrosoft.com"),
            now,
            created: now - 400 * 86_400_000,
            bu,
            caller: Guid(0),
        }
    }

    /// The root business unit; and the caller's id, drawn first so every later row can name its owner.
    fn business_unit(&mut self) {
        self.org.insert(
            self.tables.business_unit,
            self.bu,
            vec![("name", V::str(self.prefix))],
            self.created,
        );
        self.caller = self.rng.guid();
        self.org.caller = self.caller;
    }

    /// The Exchange Online profile as the scenario says, and a POP3/SMTP one when Exchange Online is
    /// missing or not the default.
    fn email_server_profiles(&mut self) -> Profiles {
        let exo_id = self.rng.guid();
        let pop_id = self.rng.guid();
        let (exo_present, exo_active, exo_default) = match self.scenario.exo {
            ExoProfile::Missing => (false, false, false),
            ExoProfile::Present { active, default } => (true, active, default),
        };
        if exo_present {
            let fields = exo_profile_fields(
                &self.scenario.name,
                exo_active,
                self.caller,
                self.bu,
                &self.config.quirks,
            );
            self.org.insert(self.tables.profile, exo_id, fields, self.created);
        }
        let pop_needed = !exo_present || !exo_default;
        if pop_needed {
            let fields = pop_profile_fields(&self.domain, self.caller, self.bu);
            self.org.insert(self.tables.profile, pop_id, fields, self.created);
        }
        let default = if exo_present && exo_default { exo_id } else { pop_id };
        Profiles { exo_id, pop_id, exo_present, pop_needed, default }
    }

    /// The `organization` row with its email defaults.
    fn organization(&mut self, profiles: &Profiles) {
        let s = self.scenario;
        let methods = if s.org_defaults_sss { (2, 2, 1) } else { (1, 1, 0) };
        let fields = org_fields(&s.name, profiles.default, methods, s.require_approval);
        self.org.insert(self.tables.organization, self.org.org_id, fields, self.created);
    }

    /// Every privilege the simulator knows, and the four roles with theirs.
    fn privileges_and_roles(&mut self) -> Roles {
        let privs: Vec<(Guid, &str)> = PRIVILEGES.iter().map(|p| (self.rng.guid(), *p)).collect();
        for (id, name) in &privs {
            self.org.insert(
                self.tables.privilege,
                *id,
                vec![
                    ("name", V::str(*name)),
                    ("accessright", V::Int(0)),
                    ("canbebasic", V::Bool(true)),
                    ("canbelocal", V::Bool(true)),
                    ("canbedeep", V::Bool(true)),
                    ("canbeglobal", V::Bool(true)),
                ],
                self.created,
            );
        }
        let priv_id = |name: &str| privs.iter().find(|(_, n)| *n == name).map(|(id, _)| *id);
        let sysadmin = self.rng.guid();
        let customizer = self.rng.guid();
        let dma = self.rng.guid();
        let sales = self.rng.guid();
        for (id, name, template) in [
            (sysadmin, "System Administrator", Some(SYSADMIN_TEMPLATE)),
            (customizer, "System Customizer", Some(CUSTOMIZER_TEMPLATE)),
            (dma, "Delegated Mailbox Approver", None),
            (sales, "Salesperson", None),
        ] {
            self.org.insert(
                self.tables.role,
                id,
                vec![
                    ("name", V::str(name)),
                    ("roletemplateid", V::opt_lookup("roletemplate", template.map(Guid::from_literal))),
                    ("businessunitid", V::lookup("businessunit", self.bu)),
                    ("ismanaged", V::Bool(true)),
                ],
                self.created,
            );
        }
        let org = &mut self.org;
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
        Roles { sysadmin, dma, sales }
    }

    /// Bulk messages (BULK): UpdateMultiple/CreateMultiple exist, but have no filter for mailbox (§1.1).
    fn sdk_messages(&mut self) {
        let (Some(msg_t), Some(filter_t)) =
            (schema::by_logical("sdkmessage"), schema::by_logical("sdkmessagefilter"))
        else {
            return;
        };
        for message in ["CreateMultiple", "UpdateMultiple", "UpsertMultiple"] {
            let mid = self.rng_meta.guid();
            self.org.insert(msg_t, mid, vec![("name", V::str(message))], self.created);
            for table in ["account", "contact", "email", "systemuser", "queue"] {
                self.org.insert(
                    filter_t,
                    self.rng_meta.guid(),
                    vec![
                        ("name", V::str(format!("{message} {table}"))),
                        ("sdkmessageid", V::lookup("sdkmessage", mid)),
                        ("primaryobjecttypecode", V::str(table)),
                        ("isvisible", V::Bool(true)),
                    ],
                    self.created,
                );
            }
        }
    }

    /// The caller's security roles (directly, or through a team) and tenant roles.
    fn caller_roles(&mut self, roles: &Roles) {
        let s = self.scenario;
        let caller = self.caller;
        let mut caller_roles = Vec::new();
        if s.caller.system_administrator {
            caller_roles.push(roles.sysadmin);
        } else {
            caller_roles.push(roles.sales);
        }
        if s.caller.delegated_mailbox_approver {
            caller_roles.push(roles.dma);
        }
        if s.roles_via_team {
            let team = self.rng_meta.guid();
            if let Some(team_t) = schema::by_logical("team") {
                self.org.insert(
                    team_t,
                    team,
                    vec![
                        ("name", V::str("Mailbox Admins")),
                        ("teamtype", V::Int(0)),
                        ("isdefault", V::Bool(false)),
                        ("businessunitid", V::lookup("businessunit", self.bu)),
                    ],
                    self.created,
                );
            }
            self.org.add_members(team, &[caller]);
            self.org.team_roles.insert(team, caller_roles);
            self.org.user_roles.insert(caller, vec![roles.sales]);
        } else {
            self.org.user_roles.insert(caller, caller_roles);
        }
        self.org.tenant_roles.insert(
            caller,
            TenantRoles { global_admin: s.caller.global_admin, exchange_admin: s.caller.exchange_admin },
        );
    }

    /// `systemuser` rows: the caller (Megan Bowen) first, then users with drawn names; each will get a
    /// mailbox.
    fn users(&mut self, profiles: &Profiles, roles: &Roles) -> Vec<MailboxOwner> {
        let mix = self.scenario.mix;
        let rng = &mut self.rng;
        let mut owners = Vec::new();
        let mut used_names = std::collections::HashSet::new();
        for n in 0..self.scenario.users {
            let id = if n == 0 { self.caller } else { rng.guid() };
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
            let email = format!("{local}@{}", self.domain);
            let licensed = !(mix == Mix::Demo && rng.chance(4));
            let state = MailboxPlan::draw(rng, mix, n == 0, false);
            let profile = profiles.approved(rng, mix);
            if n > 0 {
                self.org.user_roles.insert(id, vec![roles.sales]);
            }
            self.org.insert(
                self.tables.user,
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
                    ("businessunitid", V::lookup("businessunit", self.bu)),
                ],
                self.created,
            );
            let facts = ExchangeFacts {
                no_exchange_licence: !licensed,
                act_synced_elsewhere: mix == Mix::Demo && rng.chance(4),
                unknown_address: mix == Mix::Demo && rng.chance(2),
                transient_failures: if mix == Mix::Demo && rng.chance(3) { 2 } else { 0 },
            };
            owners.push(MailboxOwner {
                regarding: id,
                table: "systemuser",
                name: full,
                email,
                owner: id,
                state,
                profile,
                facts,
            });
        }
        owners
    }

    /// `queue` rows, owned by the caller; each will get a mailbox.
    fn queues(&mut self, profiles: &Profiles) -> Vec<MailboxOwner> {
        let mix = self.scenario.mix;
        let rng = &mut self.rng;
        let mut owners = Vec::new();
        for n in 0..self.scenario.queues {
            let id = rng.guid();
            let name = format!("{} {}", rng.pick(QUEUES), n + 1);
            let email = format!("{}@{}", name.to_lowercase().replace(' ', "."), self.domain);
            let state = MailboxPlan::draw(rng, mix, false, true);
            let profile = profiles.approved(rng, mix);
            self.org.insert(
                self.tables.queue,
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
                    ("ownerid", V::lookup("systemuser", self.caller)),
                    ("owningbusinessunit", V::lookup("businessunit", self.bu)),
                ],
                self.created,
            );
            let facts = ExchangeFacts {
                unknown_address: mix == Mix::Demo && rng.chance(3),
                transient_failures: if mix == Mix::Demo && rng.chance(3) { 1 } else { 0 },
                ..ExchangeFacts::default()
            };
            owners.push(MailboxOwner {
                regarding: id,
                table: "queue",
                name,
                email,
                owner: self.caller,
                state,
                profile,
                facts,
            });
        }
        owners
    }

    /// The business unit's default team holds every user and no roles, as in a new org.
    fn default_team(&mut self) {
        let default_team = self.rng_meta.guid();
        if let Some(team_t) = schema::by_logical("team") {
            self.org.insert(
                team_t,
                default_team,
                vec![
                    ("name", V::str(self.prefix)),
                    ("teamtype", V::Int(0)),
                    ("isdefault", V::Bool(true)),
                    ("businessunitid", V::lookup("businessunit", self.bu)),
                ],
                self.created,
            );
            let members: Vec<Guid> = self.org.rows("systemuser").keys().copied().collect();
            self.org.add_members(default_team, &members);
        }
    }

    /// One `mailbox` row per user and queue, set as its owner's default mailbox.
    fn mailboxes(&mut self, owners: Vec<MailboxOwner>) -> Vec<(Guid, MailboxPlan)> {
        let mut mailboxes = Vec::new();
        for o in owners {
            let mid = self.rng.guid();
            let fields = mailbox_fields(&MailboxSeed {
                name: &o.name,
                email: &o.email,
                regarding: Some((o.table, o.regarding)),
                owner: o.owner,
                bu: self.bu,
                profile: o.profile,
                state: &o.state,
                forward: false,
            });
            self.org.insert(self.tables.mailbox, mid, fields, self.created);
            self.org.exchange.insert(mid, o.facts);
            self.org.update(
                o.table,
                o.regarding,
                vec![("defaultmailbox", V::lookup("mailbox", mid))],
                self.created,
            );
            mailboxes.push((mid, o.state));
        }
        mailboxes
    }

    /// Forward mailboxes: no user or queue behind them, incoming email only.
    fn forward_mailboxes(&mut self, profiles: &Profiles) -> Vec<(Guid, MailboxPlan)> {
        let mut mailboxes = Vec::new();
        for n in 0..self.scenario.forward {
            let mid = self.rng.guid();
            let name = format!("Forward Mailbox {}", n + 1);
            let email = format!("forward{}@{}", n + 1, self.domain);
            let state =
                MailboxPlan { approval: 1, incoming: 2, outgoing: 0, act: 2, ..MailboxPlan::healthy(true) };
            let fields = mailbox_fields(&MailboxSeed {
                name: &name,
                email: &email,
                regarding: None,
                owner: self.caller,
                bu: self.bu,
                profile: profiles.exo_present.then_some(profiles.exo_id),
                state: &state,
                forward: true,
            });
            self.org.insert(self.tables.mailbox, mid, fields, self.created);
            self.org.exchange.insert(mid, ExchangeFacts::default());
            mailboxes.push((mid, state));
        }
        mailboxes
    }

    /// Results of past tests, computed by the same rules the Test & Enable job uses, so the seeded
    /// state is consistent with what re-running the test would give; then deactivations.
    fn past_tests(&mut self, mailboxes: Vec<(Guid, MailboxPlan)>) {
        let (now, caller) = (self.now, self.caller);
        for (mid, state) in mailboxes {
            match state.test {
                TestPlan::NeverRun => {}
                TestPlan::Scheduled => {
                    let due = now + 30_000 + (self.rng.below(60) as i64) * 1000;
                    self.org.update(
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
                    self.org.scheduled.insert(mid);
                    self.org.next_due = i64::MIN;
                }
                TestPlan::Tested => {
                    let when = now - (1 + self.rng.below(24 * 14) as i64) * 3_600_000;
                    test_enable::run_test(&mut self.org, mid, when, self.config);
                }
            }
            if state.inactive {
                self.org.update(
                    "mailbox",
                    mid,
                    vec![("statecode", V::Int(1)), ("statuscode", V::Int(2))],
                    self.created,
                );
            }
        }
    }

    /// Live mailboxes have been synchronising all along: their last cycle ran within the last five
    /// minutes, and cycles continue as the clock moves (issue 17). The scenario's drifting user
    /// mailboxes go from healthy to delayed to failing.
    fn synchronization(&mut self, live: &[Guid]) {
        let now = self.now;
        for id in live {
            let at = now - (self.rng.below(sync::CYCLE_MS as u64) as i64);
            sync::succeed(&mut self.org, *id, at);
        }
        let drifting: Vec<Guid> = live
            .iter()
            .copied()
            .filter(|id| {
                self.org
                    .row("mailbox", *id)
                    .and_then(|m| m.lookup("regardingobjectid"))
                    .is_some_and(|l| l.table == "systemuser" && l.id != self.caller)
            })
            .take(self.scenario.drifting)
            .collect();
        for id in drifting {
            self.org.drift.insert(
                id,
                Drift {
                    delayed_at: now + 30 * 60_000,
                    failing_at: now + 2 * 3_600_000,
                    code: sync::UNAUTHORIZED,
                },
            );
        }
        self.org.next_cycle = now + sync::CYCLE_MS;
    }
}

/// The mailboxes that synchronise: active, status "success" and receiving email.
fn mailboxes_live(org: &Org) -> Vec<Guid> {
    org.rows("mailbox")
        .iter()
        .filter(|(_, m)| {
            m.int("statecode") == 0 && m.int("mailboxstatus") == 1 && m.bool("enabledforincomingemail")
        })
        .map(|(id, _)| *id)
        .collect()
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
