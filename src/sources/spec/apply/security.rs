//! Row-level security policies and grants.

use super::{fold, name_parts, Loader};
use crate::model::{Grant, Location, Policy, PolicyCommand, QualifiedName, TABLE_PRIVILEGES};
use sqlparser::ast::{
    Action, AlterPolicy, AlterPolicyOperation, CreatePolicy, CreatePolicyCommand, CreatePolicyType,
    DropPolicy, Grant as GrantStatement, GrantObjects, Grantee, GranteesType, Owner, Privileges,
    Revoke,
};

impl Loader {
    /// `CREATE POLICY name ON t [AS …] [FOR …] [TO …] [USING (…)] [WITH CHECK (…)]`.
    pub(super) fn create_policy(&mut self, create: &CreatePolicy, location: &Location) {
        let table = self.qualified(&create.table_name);
        let name = fold(&create.name);
        let object = table.child(&name);
        let Some(relation) = self.relation_or_note(&table, &object, location) else {
            return;
        };
        if let Some(existing) = relation.policies.get(&name) {
            let first = existing.location.clone();
            self.duplicate(object, "policy", first, location);
            return;
        }
        let policy = Policy {
            name: name.clone(),
            permissive: !matches!(create.policy_type, Some(CreatePolicyType::Restrictive)),
            command: match create.command {
                None | Some(CreatePolicyCommand::All) => PolicyCommand::All,
                Some(CreatePolicyCommand::Select) => PolicyCommand::Select,
                Some(CreatePolicyCommand::Insert) => PolicyCommand::Insert,
                Some(CreatePolicyCommand::Update) => PolicyCommand::Update,
                Some(CreatePolicyCommand::Delete) => PolicyCommand::Delete,
            },
            roles: roles(create.to.as_deref()),
            using: create.using.as_ref().map(|expr| expr.to_string().into()),
            with_check: create
                .with_check
                .as_ref()
                .map(|expr| expr.to_string().into()),
            comment: None,
            location: Some(location.clone()),
        };
        relation.policies.insert(name, Box::new(policy));
    }

    /// `ALTER POLICY name ON t RENAME TO … | [TO …] [USING (…)] [WITH CHECK (…)]`.
    pub(super) fn alter_policy(&mut self, alter: &AlterPolicy, location: &Location) {
        let table = self.qualified(&alter.table_name);
        let name = fold(&alter.name);
        let object = table.child(&name);
        let Some(relation) = self.relation_or_note(&table, &object, location) else {
            return;
        };
        let Some(mut policy) = relation.policies.remove(&name) else {
            self.problem(
                crate::sources::spec::SpecProblemKind::UnknownReference {
                    object: object.clone(),
                    missing: format!("policy {object}"),
                },
                location,
            );
            return;
        };
        match &alter.operation {
            AlterPolicyOperation::Rename { new_name } => policy.name = fold(new_name),
            AlterPolicyOperation::Apply {
                to,
                using,
                with_check,
            } => {
                if let Some(to) = to {
                    policy.roles = roles(Some(to));
                }
                if let Some(using) = using {
                    policy.using = Some(using.to_string().into());
                }
                if let Some(with_check) = with_check {
                    policy.with_check = Some(with_check.to_string().into());
                }
            }
        }
        relation.policies.insert(policy.name.clone(), policy);
    }

    /// `DROP POLICY [IF EXISTS] name ON t`.
    pub(super) fn drop_policy(&mut self, drop: &DropPolicy, location: &Location) {
        let table = self.qualified(&drop.table_name);
        let name = fold(&drop.name);
        let removed = self
            .catalog
            .relations
            .get_mut(&table)
            .and_then(|relation| relation.policies.remove(&name));
        if removed.is_none() && !drop.if_exists {
            let object = table.child(&name);
            self.problem(
                crate::sources::spec::SpecProblemKind::UnknownReference {
                    missing: format!("policy {object}"),
                    object,
                },
                location,
            );
        }
    }

    /// `GRANT privileges ON [TABLE] t, … TO roles` and `ON ALL TABLES IN SCHEMA s`.
    pub(super) fn grant(&mut self, grant: &GrantStatement, location: &Location) {
        let privileges = privileges(&grant.privileges);
        let grantees = grantees(&grant.grantees);
        for table in self.granted_tables(grant.objects.as_ref(), location) {
            let Some(relation) = self.catalog.relations.get_mut(&table) else {
                continue;
            };
            for grantee in &grantees {
                for privilege in &privileges {
                    let exists = relation
                        .grants
                        .iter()
                        .any(|g| &g.grantee == grantee && &g.privilege == privilege);
                    if !exists {
                        relation.grants.push(Grant {
                            grantee: grantee.clone(),
                            privilege: privilege.clone(),
                            location: Some(location.clone()),
                        });
                    }
                }
            }
            relation
                .grants
                .sort_by(|a, b| (&a.grantee, &a.privilege).cmp(&(&b.grantee, &b.privilege)));
        }
    }

    /// `REVOKE privileges ON … FROM roles`: the grants go, and the revocation is kept
    /// (`Relation::revoked`), since for the relation's owner, who holds every privilege
    /// without a grant, it is what the specs say about the owner's privileges.
    pub(super) fn revoke(&mut self, revoke: &Revoke, location: &Location) {
        if revoke.grant_option_for {
            // Only the right to grant further is revoked; the privilege stays.
            return;
        }
        let privileges = privileges(&revoke.privileges);
        let grantees = grantees(&revoke.grantees);
        for table in self.granted_tables(revoke.objects.as_ref(), location) {
            if let Some(relation) = self.catalog.relations.get_mut(&table) {
                relation.grants.retain(|grant| {
                    !(grantees.contains(&grant.grantee) && privileges.contains(&grant.privilege))
                });
                for grantee in &grantees {
                    for privilege in &privileges {
                        let known = relation
                            .revoked
                            .iter()
                            .any(|r| &r.grantee == grantee && &r.privilege == privilege);
                        if !known {
                            relation.revoked.push(Grant {
                                grantee: grantee.clone(),
                                privilege: privilege.clone(),
                                location: Some(location.clone()),
                            });
                        }
                    }
                }
                relation
                    .revoked
                    .sort_by(|a, b| (&a.grantee, &a.privilege).cmp(&(&b.grantee, &b.privilege)));
            }
        }
    }

    /// The relations a GRANT or REVOKE names; unknown single relations are noted,
    /// non-relation objects (sequences, functions, schemas) yield nothing.
    fn granted_tables(
        &mut self,
        objects: Option<&GrantObjects>,
        location: &Location,
    ) -> Vec<QualifiedName> {
        match objects {
            Some(GrantObjects::Tables(tables) | GrantObjects::Views(tables)) => {
                let names: Vec<QualifiedName> =
                    tables.iter().map(|table| self.qualified(table)).collect();
                for name in &names {
                    self.relation_or_note(name, &name.to_string(), location);
                }
                names
            }
            Some(GrantObjects::AllTablesInSchema { schemas }) => {
                let schemas: Vec<String> = schemas
                    .iter()
                    .filter_map(|schema| name_parts(schema).pop())
                    .collect();
                self.catalog
                    .relations
                    .keys()
                    .filter(|name| schemas.contains(&name.schema))
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Policy roles, sorted; `public` when none are written.
fn roles(owners: Option<&[Owner]>) -> Vec<String> {
    let mut roles: Vec<String> = owners
        .unwrap_or_default()
        .iter()
        .map(|owner| match owner {
            Owner::Ident(ident) => fold(ident),
            other => other.to_string().to_lowercase(),
        })
        .collect();
    if roles.is_empty() {
        roles.push("public".into());
    }
    roles.sort();
    roles.dedup();
    roles
}

/// Table privileges, upper-case; `ALL` expands to the seven. Column privileges
/// (`GRANT UPDATE (name) ON t`) are not table privileges — PostgreSQL keeps them per
/// column — and the model does not hold them, so they are left out.
pub(super) fn privileges(privileges: &Privileges) -> Vec<String> {
    match privileges {
        Privileges::All { .. } => TABLE_PRIVILEGES.iter().map(|p| p.to_string()).collect(),
        Privileges::Actions(actions) => actions
            .iter()
            .filter_map(|action| match action {
                Action::Select { columns: None } => Some("SELECT"),
                Action::Insert { columns: None } => Some("INSERT"),
                Action::Update { columns: None } => Some("UPDATE"),
                Action::Delete => Some("DELETE"),
                Action::Truncate => Some("TRUNCATE"),
                Action::References { columns: None } => Some("REFERENCES"),
                Action::Trigger => Some("TRIGGER"),
                _ => None,
            })
            .map(str::to_string)
            .collect(),
    }
}

/// Grantee role names, folded; `PUBLIC` is `public`.
pub(super) fn grantees(grantees: &[Grantee]) -> Vec<String> {
    grantees
        .iter()
        .filter_map(|grantee| match (&grantee.grantee_type, &grantee.name) {
            (GranteesType::Public, _) => Some("public".to_string()),
            (_, Some(sqlparser::ast::GranteeName::ObjectName(name))) => name_parts(name).pop(),
            (_, Some(other)) => Some(other.to_string()),
            (_, None) => None,
        })
        .collect()
}
