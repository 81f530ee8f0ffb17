//! The state engine's data: rows of typed values per table, one store per org.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::ids::{Guid, Rng};
use crate::schema::{self, TableDef};

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Guid(Guid),
    /// Sim milliseconds since the Unix epoch.
    Time(i64),
    Lookup(Lookup),
}

/// A lookup value: the target table and row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Lookup {
    pub(crate) table: &'static str,
    pub(crate) id: Guid,
}

impl V {
    pub(crate) fn str(s: impl Into<String>) -> V {
        V::Str(s.into())
    }

    pub(crate) fn lookup(table: &'static str, id: Guid) -> V {
        V::Lookup(Lookup { table, id })
    }

    pub(crate) fn opt_lookup(table: &'static str, id: Option<Guid>) -> V {
        id.map_or(V::Null, |id| V::lookup(table, id))
    }

    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            V::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            V::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_lookup(&self) -> Option<Lookup> {
        match self {
            V::Lookup(l) => Some(*l),
            _ => None,
        }
    }
}

/// FNV-1a: column names are short static strings, and SipHash showed up in profiles of big scans.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A map keyed by column or table name.
pub(crate) type NameMap<T> = HashMap<&'static str, T, BuildHasherDefault<Fnv>>;

/// One row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) id: Guid,
    pub(crate) version: u64,
    pub(crate) fields: NameMap<V>,
}

impl Row {
    pub(crate) fn get(&self, col: &str) -> &V {
        self.fields.get(col).unwrap_or(&V::Null)
    }

    pub(crate) fn int(&self, col: &str) -> i64 {
        self.get(col).as_int().unwrap_or(0)
    }

    pub(crate) fn bool(&self, col: &str) -> bool {
        self.get(col).as_bool().unwrap_or(false)
    }

    pub(crate) fn text(&self, col: &str) -> &str {
        self.get(col).as_str().unwrap_or("")
    }

    pub(crate) fn lookup(&self, col: &str) -> Option<Lookup> {
        self.get(col).as_lookup()
    }

    /// A copy holding only some columns (cheaper than cloning a wide row).
    pub(crate) fn project(&self, cols: &[&'static str]) -> Row {
        let fields = cols.iter().filter_map(|c| self.fields.get(c).map(|v| (*c, v.clone()))).collect();
        Row { id: self.id, version: self.version, fields }
    }
}

/// A table's rows, ordered by primary key (the order Dataverse pages in when no `$orderby` is given).
pub(crate) type Rows = BTreeMap<Guid, Row>;

/// Facts about a mailbox that live outside Dataverse (in Exchange or Entra ID) and decide how
/// Test & Enable ends. Scenarios draw them from the seed; [`crate::Sim::set_exchange_facts`] sets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExchangeFacts {
    /// The owner has no Exchange Online licence (the 0x8005E276-style failure).
    pub no_exchange_licence: bool,
    /// Appointments, contacts and tasks already sync with another org (fails ACT unless
    /// `orgmarkedasprimaryforexchangesync`).
    pub act_synced_elsewhere: bool,
    /// The address is unknown to Exchange ("no user was found with the email address").
    pub unknown_address: bool,
    /// How many transient failures the next tests hit before one succeeds.
    pub transient_failures: u32,
}

/// Tenant (Entra ID) roles of a user, which Dataverse cannot show.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TenantRoles {
    pub(crate) global_admin: bool,
    pub(crate) exchange_admin: bool,
}

/// How one mailbox drifts from healthy to delayed to failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drift {
    /// From this time on, cycles stop (ms).
    pub(crate) delayed_at: i64,
    /// From this time on, cycles fail (ms).
    pub(crate) failing_at: i64,
    /// The error code the failing cycles report.
    pub(crate) code: i64,
}

/// One org's whole state.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub(crate) prefix: String,
    pub(crate) name: String,
    pub(crate) tenant_id: Guid,
    pub(crate) org_id: Guid,
    pub(crate) bu_id: Guid,
    /// The user a browser session signs in as.
    pub(crate) caller: Guid,
    pub(crate) tables: NameMap<Rows>,
    pub(crate) exchange: HashMap<Guid, ExchangeFacts>,
    pub(crate) tenant_roles: HashMap<Guid, TenantRoles>,
    /// systemuser id → role ids.
    pub(crate) user_roles: HashMap<Guid, Vec<Guid>>,
    /// team id → member systemuser ids.
    pub(crate) team_members: HashMap<Guid, HashSet<Guid>>,
    /// systemuser id → team ids (the reverse of `team_members`).
    pub(crate) user_teams: HashMap<Guid, Vec<Guid>>,
    /// team id → role ids.
    pub(crate) team_roles: HashMap<Guid, Vec<Guid>>,
    /// role id → (privilege id, depth).
    pub(crate) role_privileges: HashMap<Guid, Vec<(Guid, &'static str)>>,
    /// Mailboxes with `testemailconfigurationscheduled` = true (the Test & Enable queue).
    pub(crate) scheduled: HashSet<Guid>,
    /// While a change set runs: the rows as they were before their first change, to roll back.
    pub(crate) undo: Option<Vec<(&'static str, Guid, Option<Row>)>>,
    /// mailbox id → its open "Mailbox Test Access" system job (when `Quirks::async_operation_rows`).
    pub(crate) open_jobs: HashMap<Guid, Guid>,
    /// Earliest time a scheduled test may be due (`i64::MIN`: unknown, look again).
    pub(crate) next_due: i64,
    /// (regarding row, trace code) → tracelog id, for merging repeated alerts.
    pub(crate) alert_index: HashMap<(Guid, i64), Guid>,
    pub(crate) next_version: u64,
    pub(crate) rng: Rng,
    /// When the next synchronization cycle runs (ms; `i64::MAX`: never).
    pub(crate) next_cycle: i64,
    /// Mailboxes that drift from healthy to delayed to failing.
    pub(crate) drift: HashMap<Guid, Drift>,
}

impl Org {
    pub(crate) fn new(prefix: &str, name: &str, seed: u64) -> Org {
        let mut rng = Rng::new(seed);
        let tenant_id = rng.guid();
        let org_id = rng.guid();
        let bu_id = rng.guid();
        let mut tables = NameMap::default();
        for t in schema::TABLES {
            tables.insert(t.logical, Rows::new());
        }
        Org {
            prefix: prefix.to_string(),
            name: name.to_string(),
            tenant_id,
            org_id,
            bu_id,
            caller: Guid(0),
            tables,
            exchange: HashMap::new(),
            tenant_roles: HashMap::new(),
            user_roles: HashMap::new(),
            team_members: HashMap::new(),
            user_teams: HashMap::new(),
            team_roles: HashMap::new(),
            role_privileges: HashMap::new(),
            scheduled: HashSet::new(),
            alert_index: HashMap::new(),
            next_due: i64::MIN,
            undo: None,
            open_jobs: HashMap::new(),
            next_version: 1_000_000 + rng.below(9_000_000),
            rng,
            next_cycle: i64::MAX,
            drift: HashMap::new(),
        }
    }

    pub(crate) fn rows(&self, logical: &str) -> &Rows {
        static EMPTY: Rows = BTreeMap::new();
        self.tables.get(logical).unwrap_or(&EMPTY)
    }

    pub(crate) fn rows_mut(&mut self, logical: &'static str) -> &mut Rows {
        self.tables.entry(logical).or_default()
    }

    pub(crate) fn row(&self, logical: &str, id: Guid) -> Option<&Row> {
        self.rows(logical).get(&id)
    }

    /// Remembers a row's current state before its first change inside a change set.
    fn remember(&mut self, logical: &'static str, id: Guid) {
        if self.undo.is_none() {
            return;
        }
        let before = self.rows(logical).get(&id).cloned();
        if let Some(undo) = self.undo.as_mut()
            && !undo.iter().any(|(t, i, _)| *t == logical && *i == id)
        {
            undo.push((logical, id, before));
        }
    }

    /// Starts recording changes (a change set begins). Returns the scheduled set to restore on rollback.
    pub(crate) fn begin(&mut self) -> HashSet<Guid> {
        self.undo = Some(Vec::new());
        self.scheduled.clone()
    }

    /// Keeps the changes made since `begin`.
    pub(crate) fn commit(&mut self) {
        self.undo = None;
    }

    /// Undoes every change made since `begin`.
    pub(crate) fn rollback(&mut self, scheduled: HashSet<Guid>) {
        for (logical, id, before) in self.undo.take().unwrap_or_default().into_iter().rev() {
            match before {
                Some(row) => {
                    self.rows_mut(logical).insert(id, row);
                }
                None => {
                    self.rows_mut(logical).remove(&id);
                }
            }
        }
        self.scheduled = scheduled;
        self.next_due = i64::MIN;
    }

    /// Removes a row.
    pub(crate) fn remove(&mut self, logical: &'static str, id: Guid) {
        self.remember(logical, id);
        self.rows_mut(logical).remove(&id);
        self.scheduled.remove(&id);
    }

    pub(crate) fn bump_version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version
    }

    /// Inserts a row with the given fields, stamping version and times.
    pub(crate) fn insert(
        &mut self,
        table: &'static TableDef,
        id: Guid,
        fields: Vec<(&'static str, V)>,
        now: i64,
    ) {
        let version = self.bump_version();
        let mut map: NameMap<V> = fields.into_iter().collect();
        map.insert(table.pk, V::Guid(id));
        if table.col("createdon").is_some() {
            map.entry("createdon").or_insert(V::Time(now));
        }
        if table.col("modifiedon").is_some() {
            map.entry("modifiedon").or_insert(V::Time(now));
        }
        map.insert("versionnumber", V::Int(version as i64));
        self.remember(table.logical, id);
        self.rows_mut(table.logical).insert(id, Row { id, version, fields: map });
    }

    /// Sets fields on an existing row, bumping its version. Returns false when the row is missing.
    pub(crate) fn update(
        &mut self,
        logical: &'static str,
        id: Guid,
        fields: Vec<(&'static str, V)>,
        now: i64,
    ) -> bool {
        let version = self.bump_version();
        self.remember(logical, id);
        let Some(row) = self.rows_mut(logical).get_mut(&id) else {
            return false;
        };
        for (k, v) in fields {
            row.fields.insert(k, v);
        }
        row.version = version;
        row.fields.insert("versionnumber", V::Int(version as i64));
        if row.fields.contains_key("modifiedon") || logical != "privilege" {
            row.fields.insert("modifiedon", V::Time(now));
        }
        true
    }

    /// Roles a user holds directly and through the teams they belong to (§6).
    pub(crate) fn roles_of(&self, user: Guid) -> Vec<Guid> {
        let mut roles: Vec<Guid> = self.user_roles.get(&user).cloned().unwrap_or_default();
        for team in self.user_teams.get(&user).into_iter().flatten() {
            for r in self.team_roles.get(team).into_iter().flatten() {
                if !roles.contains(r) {
                    roles.push(*r);
                }
            }
        }
        roles
    }

    /// Adds users to a team.
    pub(crate) fn add_members(&mut self, team: Guid, users: &[Guid]) {
        let members = self.team_members.entry(team).or_default();
        for u in users {
            if members.insert(*u) {
                self.user_teams.entry(*u).or_default().push(team);
            }
        }
    }

    /// The primary-name value of a row, for lookup formatted values.
    pub(crate) fn name_of(&self, logical: &str, id: Guid) -> Option<String> {
        let def = schema::by_logical(logical)?;
        let row = self.row(logical, id)?;
        Some(row.text(def.primary_name).to_string())
    }
}
