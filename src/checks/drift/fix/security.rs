//! Row-level security switches, policies and privileges.

use super::*;

pub(super) fn policy_roles(policy: &Policy) -> String {
    policy
        .roles
        .iter()
        .map(|role| {
            if role == "public" {
                "PUBLIC".to_string()
            } else {
                quote_identifier(role)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn grantee(role: &str) -> String {
    if role == "public" {
        "PUBLIC".into()
    } else {
        quote_identifier(role)
    }
}

/// `CREATE POLICY …` of the spec's policy.
pub(super) fn create_policy_sql(relation: &QualifiedName, policy: &Policy) -> String {
    let mut text = format!(
        "CREATE POLICY {} ON {}",
        quote_identifier(&policy.name),
        relation.quoted()
    );
    if !policy.permissive {
        text.push_str(" AS RESTRICTIVE");
    }
    let command = match policy.command {
        PolicyCommand::All => None,
        PolicyCommand::Select => Some("SELECT"),
        PolicyCommand::Insert => Some("INSERT"),
        PolicyCommand::Update => Some("UPDATE"),
        PolicyCommand::Delete => Some("DELETE"),
    };
    if let Some(command) = command {
        text.push_str(&format!(" FOR {command}"));
    }
    text.push_str(&format!(" TO {}", policy_roles(policy)));
    if let Some(using) = &policy.using {
        text.push_str(&format!(" USING ({})", using.text().trim()));
    }
    if let Some(with_check) = &policy.with_check {
        text.push_str(&format!(" WITH CHECK ({})", with_check.text().trim()));
    }
    text
}

/// The row-level security switches that take the table from `actual` to `expected`.
pub(crate) fn rls(relation: &QualifiedName, expected: RlsState, actual: RlsState) -> Option<Fix> {
    let mut actions = Vec::new();
    if expected.enabled != actual.enabled {
        actions.push(if expected.enabled {
            "ENABLE ROW LEVEL SECURITY"
        } else {
            "DISABLE ROW LEVEL SECURITY"
        });
    }
    if expected.forced != actual.forced {
        actions.push(if expected.forced {
            "FORCE ROW LEVEL SECURITY"
        } else {
            "NO FORCE ROW LEVEL SECURITY"
        });
    }
    (!actions.is_empty()).then(|| {
        Fix::one(
            FixStep::Security,
            format!("{} {}", alter_table(relation), actions.join(", ")),
        )
    })
}

/// Creates the spec's policy, with its comment.
pub(crate) fn create_policy(relation: &QualifiedName, policy: &Policy) -> Fix {
    let mut fix = Builder::default();
    fix.push(FixStep::Policy, create_policy_sql(relation, policy));
    policy_comment(relation, policy, &mut fix);
    Fix {
        statements: fix.statements,
    }
}

pub(super) fn policy_comment(relation: &QualifiedName, policy: &Policy, fix: &mut Builder) {
    if let Some(comment) = &policy.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &format!(
                    "POLICY {} ON {}",
                    quote_identifier(&policy.name),
                    relation.quoted()
                ),
                Some(comment),
            ),
        );
    }
}

/// Drops a policy the specs do not define: destructive.
pub(crate) fn drop_policy(relation: &QualifiedName, policy: &str) -> Fix {
    Fix::destructive(
        FixStep::DropDependent,
        format!(
            "DROP POLICY {} ON {}",
            quote_identifier(policy),
            relation.quoted()
        ),
        "drops the policy: the rows it let roles see or write are no longer reachable through it",
    )
}

/// Changes a policy to the spec's definition: `ALTER POLICY` when only its roles and
/// clauses differ (and no clause must go), else dropped and created again.
pub(crate) fn change_policy(relation: &QualifiedName, wanted: &Policy, found: &Policy) -> Fix {
    let alterable = wanted.permissive == found.permissive
        && wanted.command == found.command
        && (wanted.using.is_some() || found.using.is_none())
        && (wanted.with_check.is_some() || found.with_check.is_none());
    if alterable {
        let mut sql = format!(
            "ALTER POLICY {} ON {} TO {}",
            quote_identifier(&wanted.name),
            relation.quoted(),
            policy_roles(wanted)
        );
        if let Some(using) = &wanted.using {
            sql.push_str(&format!(" USING ({})", using.text().trim()));
        }
        if let Some(with_check) = &wanted.with_check {
            sql.push_str(&format!(" WITH CHECK ({})", with_check.text().trim()));
        }
        return Fix::one(FixStep::Policy, sql);
    }
    let mut fix = Builder::default();
    fix.push(
        FixStep::Policy,
        format!(
            "DROP POLICY {} ON {}",
            quote_identifier(&wanted.name),
            relation.quoted()
        ),
    );
    fix.push(FixStep::Policy, create_policy_sql(relation, wanted));
    policy_comment(relation, wanted, &mut fix);
    Fix {
        statements: fix.statements,
    }
}

/// `GRANT privilege ON relation TO role`.
pub(crate) fn grant(relation: &QualifiedName, privilege: &str, role: &str) -> Fix {
    Fix::one(
        FixStep::Grant,
        format!(
            "GRANT {privilege} ON {} TO {}",
            relation.quoted(),
            grantee(role)
        ),
    )
}

/// `REVOKE privilege ON relation FROM role`.
pub(crate) fn revoke(relation: &QualifiedName, privilege: &str, role: &str) -> Fix {
    Fix::one(
        FixStep::Grant,
        format!(
            "REVOKE {privilege} ON {} FROM {}",
            relation.quoted(),
            grantee(role)
        ),
    )
}
