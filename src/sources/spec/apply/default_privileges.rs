//! `ALTER DEFAULT PRIVILEGES … ON TABLES`: the grants every table, view and materialized
//! view created afterwards receives.

use super::security::{grantees, privileges};
use super::{name_parts, Loader};
use crate::model::{Grant, Location, QualifiedName};
use sqlparser::ast::{
    AlterDefaultPrivileges, AlterDefaultPrivilegesOperation, DefaultPrivilegesObjectType,
    DefaultPrivilegesOption,
};

/// One privilege a default grant gives on relations created afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DefaultGrant {
    /// `IN SCHEMA s`; `None`: every schema.
    schema: Option<String>,
    grantee: String,
    privilege: String,
    location: Location,
}

impl Loader {
    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE … ON TABLES …`.
    /// `FOR ROLE` is not followed: the specs do not say which role applies them, and
    /// pg_dump writes these statements after every table, where they change nothing the
    /// specs define. Privileges on other kinds of object are not compared.
    pub(super) fn alter_default_privileges(
        &mut self,
        alter: &AlterDefaultPrivileges,
        location: &Location,
    ) {
        let (grant, privileges_given, object_type, grantees_given) = match &alter.operation {
            AlterDefaultPrivilegesOperation::Grant {
                privileges,
                object_type,
                grantees,
                ..
            } => (true, privileges, object_type, grantees),
            AlterDefaultPrivilegesOperation::Revoke {
                grant_option_for: false,
                privileges,
                object_type,
                grantees,
                ..
            } => (false, privileges, object_type, grantees),
            AlterDefaultPrivilegesOperation::Revoke { .. } => return,
        };
        if *object_type != DefaultPrivilegesObjectType::Tables {
            return;
        }
        let schemas: Vec<Option<String>> = alter
            .options
            .iter()
            .find_map(|option| match option {
                DefaultPrivilegesOption::InSchema(schemas) => Some(
                    schemas
                        .iter()
                        .filter_map(|schema| name_parts(schema).pop())
                        .map(Some)
                        .collect(),
                ),
                DefaultPrivilegesOption::ForRole(_) => None,
            })
            .unwrap_or_else(|| vec![None]);
        for schema in schemas {
            for grantee in grantees(grantees_given) {
                for privilege in privileges(privileges_given) {
                    let entry = DefaultGrant {
                        schema: schema.clone(),
                        grantee: grantee.clone(),
                        privilege,
                        location: location.clone(),
                    };
                    let same = |other: &DefaultGrant| {
                        other.schema == entry.schema
                            && other.grantee == entry.grantee
                            && other.privilege == entry.privilege
                    };
                    self.default_grants.retain(|other| !same(other));
                    if grant {
                        self.default_grants.push(entry);
                    }
                }
            }
        }
    }

    /// The relation `name` was just created: it receives the default grants of its
    /// schema and of every schema, as in PostgreSQL.
    pub(super) fn apply_default_grants(&mut self, name: &QualifiedName) {
        if self.default_grants.is_empty() {
            return;
        }
        let Some(relation) = self.catalog.relations.get_mut(name) else {
            return;
        };
        for entry in &self.default_grants {
            if entry
                .schema
                .as_ref()
                .is_some_and(|schema| schema != &name.schema)
            {
                continue;
            }
            let exists = relation
                .grants
                .iter()
                .any(|grant| grant.grantee == entry.grantee && grant.privilege == entry.privilege);
            if !exists {
                relation.grants.push(Grant {
                    grantee: entry.grantee.clone(),
                    privilege: entry.privilege.clone(),
                    location: Some(entry.location.clone()),
                });
            }
        }
        relation
            .grants
            .sort_by(|a, b| (&a.grantee, &a.privilege).cmp(&(&b.grantee, &b.privilege)));
    }
}
