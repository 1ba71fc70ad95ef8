//! The probes tried as another role: UPDATE and DELETE of an `immutable:` table as each
//! of its roles, and tenant isolation of every tenant-scoped table as a role that is
//! not the owner. The admin makes the scratch role a member of those roles for the run
//! (dropping the scratch role ends it), after checking that none of them could do more
//! than the probes need: a superuser, a role that may create databases or roles or
//! replicate, or one in a predefined `pg_` role is refused.

use super::plan::{Expect, Header, NoRows, Planned, Step};
use super::sql::{quote_identifier, quote_literal, relation_sql};
use super::synth::{primary_key, Chain, Row, Synth, Wanted};
use super::{ProbeRequest, Sessions, ValidRows};
use crate::mapping::{Mapping, Tenancy};
use crate::model::{ProbeKind, Relation};
use crate::sources::live::scratch::unless_interrupted;
use std::collections::BTreeMap;

/// The suffix of the role pgparity creates for isolation probes: `<scratch>_tenant`.
pub(in crate::sources::live) const TENANT_ROLE_SUFFIX: &str = "_tenant";

/// Whether each role may be taken on, and why not.
struct RoleGrants<'s, 'a> {
    sessions: &'s mut Sessions<'a>,
    checked: BTreeMap<String, Result<(), String>>,
}

impl RoleGrants<'_, '_> {
    /// Checks `role` on the server and makes the scratch role a member of it (once).
    fn take_on(&mut self, role: &str) -> Result<(), String> {
        if let Some(known) = self.checked.get(role) {
            return known.clone();
        }
        let outcome = self.check_and_grant(role);
        self.checked.insert(role.to_string(), outcome.clone());
        outcome
    }

    fn check_and_grant(&mut self, role: &str) -> Result<(), String> {
        let rows = self
            .sessions
            .admin
            .query(
                "WITH RECURSIVE closure(oid) AS ( \
                     SELECT oid FROM pg_roles WHERE rolname = $1 \
                     UNION SELECT m.roleid FROM pg_auth_members m JOIN closure c ON m.member = c.oid) \
                 SELECT r.rolname::text, r.rolsuper OR r.rolcreatedb OR r.rolcreaterole \
                        OR r.rolreplication, r.rolbypassrls \
                 FROM closure JOIN pg_roles r USING (oid)",
                &[&role],
            )
            .map_err(|error| format!("cannot read the role {role}: {error}"))?;
        if rows.is_empty() {
            return Err(format!(
                "the role {role} does not exist on the --dev-db server: create it there once \
                 (CREATE ROLE {role})"
            ));
        }
        for row in &rows {
            let name: String = row.get(0);
            let powerful: bool = row.get(1);
            if powerful || name.starts_with("pg_") {
                return Err(format!(
                    "pgparity does not take on the role {role} on the --dev-db server: {} \
                     {name} is a superuser, may create databases or roles or replicate, or is \
                     a predefined role, and the probes' statements (and the triggers they \
                     fire) would run with that power",
                    if name == role { "it" } else { "it is in" }
                ));
            }
        }
        self.sessions
            .admin
            .batch_execute(&format!(
                "GRANT {} TO {}",
                quote_identifier(role),
                quote_identifier(self.sessions.scratch)
            ))
            .map_err(|error| {
                format!(
                    "the --dev-db role could not let the scratch role use {role} ({}); it \
                     needs CREATEROLE (or ADMIN OPTION on {role})",
                    error
                        .as_db_error()
                        .map_or_else(|| error.to_string(), |db| db.message().to_string())
                )
            })
    }

    /// Whether `role` bypasses row-level security on the server.
    fn bypasses_rls(&mut self, role: &str) -> bool {
        self.sessions
            .admin
            .query_opt(
                "SELECT rolbypassrls FROM pg_roles WHERE rolname = $1",
                &[&role],
            )
            .ok()
            .flatten()
            .is_some_and(|row| row.get(0))
    }

    /// The role pgparity creates for isolation probes, made once.
    fn tenant_role(&mut self) -> Result<String, String> {
        let name = format!("{}{TENANT_ROLE_SUFFIX}", self.sessions.scratch);
        if let Some(known) = self.checked.get(&name) {
            return known.clone().map(|()| name);
        }
        let admin = &mut *self.sessions.admin;
        let create = format!(
            "CREATE ROLE {0} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT \
             NOREPLICATION NOBYPASSRLS; GRANT {0} TO {1}",
            quote_identifier(&name),
            quote_identifier(self.sessions.scratch)
        );
        let created = unless_interrupted(|| {
            admin
                .batch_execute(&create)
                .map_err(|error| error.to_string())
        })
        .map_err(|error| {
            format!("cannot create the role {name} for the isolation probes: {error}")
        });
        self.checked.insert(name.clone(), created.clone());
        created.map(|()| name)
    }
}

/// The immutable and isolation probes of `mapping`.
pub(super) fn role_probes(
    sessions: &mut Sessions,
    synth: &mut Synth,
    request: &ProbeRequest,
    mapping: &Mapping,
    valid: &ValidRows,
) -> Vec<Planned> {
    let mut grants = RoleGrants {
        sessions,
        checked: BTreeMap::new(),
    };
    let mut probes = Vec::new();
    for entry in &mapping.immutable {
        let Some(relation) = request.specs.relations.get(&entry.table) else {
            continue;
        };
        for role in &entry.roles {
            for verb in ["UPDATE", "DELETE"] {
                let header = Header {
                    kind: ProbeKind::Immutable,
                    relation: &relation.name,
                    member: None,
                    location: entry.location.as_ref(),
                };
                let description = format!("{verb} of a row as {role} is refused");
                let planned = grants.take_on(role).and_then(|()| {
                    immutable_probe(synth, relation, mapping.tenancy.as_ref(), role, verb, valid)
                });
                probes.push(match planned {
                    Ok((steps, _)) => {
                        let mut planned = header.planned(
                            description,
                            steps,
                            Expect::Refused {
                                sqlstate: None,
                                constraint: None,
                            },
                        );
                        planned.no_rows = NoRows::Skips;
                        planned
                    }
                    Err(reason) => header.skipped(description, reason),
                });
            }
        }
    }
    if let Some(tenancy) = &mapping.tenancy {
        for relation in request.specs.relations.values() {
            let scoped = relation.kind.is_table()
                && relation.partition_of.is_none()
                && !tenancy.exempt.contains(&relation.name)
                && relation.column(&tenancy.column).is_some();
            if scoped {
                isolation_probes(&mut grants, synth, relation, tenancy, valid, &mut probes);
            }
        }
    }
    probes
}

/// The columns a synthesized row of `relation` is found by: its primary key, else every
/// column it has a value for.
fn identity(relation: &Relation, row: &Row) -> Vec<String> {
    match primary_key(relation) {
        Some(columns) => columns.to_vec(),
        None => row
            .values
            .iter()
            .filter(|(_, value)| value.is_some())
            .map(|(column, _)| column.clone())
            .collect(),
    }
}

/// The setting the policies of `relation` read the tenant from: `tenancy.setting`, else
/// the first `current_setting('…')` in a policy.
fn tenant_setting(relation: &Relation, tenancy: &Tenancy) -> Option<String> {
    if let Some(setting) = &tenancy.setting {
        return Some(setting.clone());
    }
    relation
        .policies
        .values()
        .flat_map(|policy| [&policy.using, &policy.with_check])
        .flatten()
        .find_map(|expression| current_setting(expression.text()))
}

/// The name in the first `current_setting('name'` of `text`.
fn current_setting(text: &str) -> Option<String> {
    let lowered = text.to_ascii_lowercase();
    let start = lowered.find("current_setting")?;
    let rest = text[start + "current_setting".len()..].trim_start();
    let rest = rest.strip_prefix('(')?.trim_start();
    let rest = rest.strip_prefix('\'')?;
    let end = rest.find('\'')?;
    Some(rest[..end].to_string()).filter(|name| !name.is_empty())
}

/// `SELECT set_config('setting', value::text, true)`.
fn set_tenant(setting: &str, value: &str) -> Step {
    Step::setup(format!(
        "SELECT set_config({}, ({value})::text, true)",
        quote_literal(setting)
    ))
}

fn set_role(role: &str) -> Step {
    Step::setup(format!("SET LOCAL ROLE {}", quote_identifier(role)))
}

fn immutable_probe(
    synth: &mut Synth,
    relation: &Relation,
    tenancy: Option<&Tenancy>,
    role: &str,
    verb: &str,
    valid: &ValidRows,
) -> Result<(Vec<Step>, Row), String> {
    if let Some(Err(reason)) = valid.get(&relation.name) {
        return Err(reason.clone());
    }
    let mut chain = Chain::default();
    let row = synth.row(&relation.name, &Wanted::default(), &mut chain)?;
    let mut steps: Vec<Step> = chain.inserts().into_iter().map(Step::setup).collect();
    steps.push(set_role(role));
    if let Some(tenancy) = tenancy {
        if let (Some(setting), Some(Some(value))) = (
            tenant_setting(relation, tenancy),
            row.values.get(&tenancy.column),
        ) {
            steps.push(set_tenant(&setting, value));
        }
    }
    let condition = row.condition(&identity(relation, &row));
    let first = relation
        .columns
        .iter()
        .find(|column| column.generated.is_none() && column.identity.is_none())
        .ok_or_else(|| format!("{} has no column an UPDATE can set", relation.name))?;
    let column = quote_identifier(&first.name);
    steps.push(Step::probe(match verb {
        "UPDATE" => format!(
            "UPDATE {} SET {column} = {column} WHERE {condition}",
            relation_sql(&relation.name)
        ),
        _ => format!(
            "DELETE FROM {} WHERE {condition}",
            relation_sql(&relation.name)
        ),
    }));
    Ok((steps, row))
}

/// The position of the probe moving a row to another tenant among the isolation probes.
const MOVE: usize = 2;

fn isolation_probes(
    grants: &mut RoleGrants,
    synth: &mut Synth,
    relation: &Relation,
    tenancy: &Tenancy,
    valid: &ValidRows,
    probes: &mut Vec<Planned>,
) {
    let header = Header {
        kind: ProbeKind::TenantIsolation,
        relation: &relation.name,
        member: None,
        location: tenancy.location.as_ref(),
    };
    let descriptions = [
        "tenant A's row is invisible to tenant B",
        "tenant B cannot insert a row with tenant A's id",
        "tenant B cannot move its row to tenant A",
        "with the tenant setting empty, no row is visible",
    ];
    let planned = (|| {
        if let Some(Err(reason)) = valid.get(&relation.name) {
            return Err(reason.clone());
        }
        let setting = tenant_setting(relation, tenancy).ok_or_else(|| {
            format!(
                "no policy of {} reads a setting with current_setting('…'): name it with \
                 tenancy.setting",
                relation.name
            )
        })?;
        let role = match &tenancy.role {
            Some(role) => {
                grants.take_on(role)?;
                if grants.bypasses_rls(role) {
                    return Err(format!(
                        "the role {role} bypasses row-level security on the --dev-db server, \
                         so isolation cannot be tried as it"
                    ));
                }
                role.clone()
            }
            None => grants.tenant_role()?,
        };
        let column = &tenancy.column;
        let mut chain = Chain::default();
        let explicit = Wanted {
            explicit: [column.clone()].into(),
            ..Wanted::default()
        };
        let a = synth.row(&relation.name, &explicit, &mut chain)?;
        let b = synth.row(&relation.name, &explicit, &mut chain)?;
        let (Some(Some(tenant_a)), Some(Some(tenant_b))) =
            (a.values.get(column), b.values.get(column))
        else {
            return Err(format!(
                "the synthesized rows of {} have no tenant",
                relation.name
            ));
        };
        // A new row of tenant A, which tenant B tries to insert.
        synth.row(
            &relation.name,
            &Wanted::fixed([(column.clone(), Some(tenant_a.clone()))].into()),
            &mut chain,
        )?;
        let inserts = chain.inserts();
        let (new_row, existing) = inserts.split_last().ok_or("no rows")?;
        let table = relation_sql(&relation.name);
        let mut setup: Vec<Step> = existing.iter().cloned().map(Step::setup).collect();
        if tenancy.role.is_none() {
            setup.push(Step::setup(format!(
                "GRANT USAGE ON SCHEMA {} TO {}",
                quote_identifier(&relation.name.schema),
                quote_identifier(&role)
            )));
            setup.push(Step::setup(format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {}",
                quote_identifier(&role)
            )));
        }
        setup.push(set_role(&role));
        let a_where = a.condition(&identity(relation, &a));
        let b_where = b.condition(&identity(relation, &b));
        let sees =
            |condition: &str| format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {condition})");
        let mut invisible = setup.clone();
        invisible.push(set_tenant(&setting, tenant_a));
        invisible.push(Step::require(
            sees(&a_where),
            &format!("tenant A does not see its own row as {role} with {setting} set: the policy reads something else"),
        ));
        invisible.push(set_tenant(&setting, tenant_b));
        invisible.push(Step::probe(format!(
            "SELECT * FROM {table} WHERE {a_where}"
        )));
        invisible.push(Step::assert(
            format!("SELECT NOT {}", &sees(&a_where)["SELECT ".len()..]),
            &format!("tenant B sees tenant A's row (as {role}, {setting} = B)"),
        ));
        // A role without the privilege is refused with 42501 too: either way tenant B
        // cannot write tenant A's rows.
        let mut insert = setup.clone();
        insert.push(set_tenant(&setting, tenant_b));
        insert.push(Step::probe(new_row.clone()));
        let mut update = setup.clone();
        update.push(set_tenant(&setting, tenant_b));
        update.push(Step::require(
            sees(&b_where),
            &format!("tenant B does not see its own row as {role}"),
        ));
        update.push(Step::probe(format!(
            "UPDATE {table} SET {} = {tenant_a} WHERE {b_where}",
            quote_identifier(column)
        )));
        let mut unset = setup;
        unset.push(set_tenant(&setting, "''"));
        unset.push(Step::quiet(
            format!("SELECT NOT EXISTS (SELECT 1 FROM {table})"),
            &format!("rows are visible with {setting} empty"),
        ));
        Ok(vec![
            (invisible, Expect::Accepted { constraint: None }),
            (
                insert,
                Expect::Refused {
                    sqlstate: Some("42501".into()),
                    constraint: None,
                },
            ),
            (
                update,
                Expect::Refused {
                    sqlstate: Some("42501".into()),
                    constraint: None,
                },
            ),
            (unset, Expect::Accepted { constraint: None }),
        ])
    })();
    match planned {
        Ok(list) => {
            for (index, ((steps, expect), description)) in
                list.into_iter().zip(descriptions).enumerate()
            {
                let mut planned = header.planned(description.to_string(), steps, expect);
                if index == MOVE {
                    // The UPDATE found tenant B's row (checked before it) and changed
                    // nothing: no policy let it, which is as good as a refusal.
                    planned.no_rows = NoRows::Passes;
                }
                if planned.sql.is_empty() {
                    // The empty-setting probe has no statement of its own: its assertion
                    // is the query a connection that forgot the tenant would run.
                    planned.sql = format!("SELECT * FROM {}", relation_sql(&relation.name));
                }
                probes.push(planned);
            }
        }
        Err(reason) => {
            for description in descriptions {
                probes.push(header.skipped(description.to_string(), reason.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_setting_is_read_from_the_policy() {
        assert_eq!(
            current_setting("(tenant_id = (current_setting('app.current_tenant_id'::text))::uuid)"),
            Some("app.current_tenant_id".into())
        );
        assert_eq!(
            current_setting("tenant_id = CURRENT_SETTING( 'app.t', true)::uuid"),
            Some("app.t".into())
        );
        assert_eq!(current_setting("tenant_id = 1"), None);
    }
}
