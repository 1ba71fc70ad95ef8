//! Triggers: created, replaced, dropped.

use super::*;

/// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER …` of the spec's trigger; `None` when the
/// specs name no function for it (a trigger body pgparity does not read).
pub(super) fn create_trigger_sql(
    relation: &QualifiedName,
    trigger: &Trigger,
    or_replace: bool,
) -> Option<String> {
    if trigger.function.name.is_empty() {
        return None;
    }
    let mut text = format!(
        "CREATE {}{}TRIGGER {} {} {} ON {}",
        if or_replace { "OR REPLACE " } else { "" },
        if trigger.constraint.is_some() {
            "CONSTRAINT "
        } else {
            ""
        },
        quote_identifier(&trigger.name),
        trigger.timing.to_uppercase(),
        trigger.events.join(" OR "),
        relation.quoted()
    );
    if let Some(deferral) = trigger.constraint {
        text.push(' ');
        text.push_str(deferral.clause());
    }
    text.push_str(if trigger.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(when) = &trigger.when {
        text.push_str(&format!(" WHEN ({})", when.text().trim()));
    }
    let arguments: Vec<String> = trigger
        .arguments
        .iter()
        .map(|argument| literal(argument))
        .collect();
    text.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        trigger.function.quoted(),
        arguments.join(", ")
    ));
    Some(text)
}

/// Creates the spec's trigger (replacing one of the same name when `replace`), with its
/// comment. A constraint trigger cannot be replaced in place: it is dropped first.
pub(crate) fn create_trigger(
    relation: &QualifiedName,
    trigger: &Trigger,
    replace: bool,
) -> Option<Fix> {
    let mut fix = Builder::default();
    let or_replace = replace && trigger.constraint.is_none();
    let create = create_trigger_sql(relation, trigger, or_replace)?;
    if replace && !or_replace {
        fix.push(
            FixStep::Trigger,
            format!(
                "DROP TRIGGER {} ON {}",
                quote_identifier(&trigger.name),
                relation.quoted()
            ),
        );
    }
    fix.push(FixStep::Trigger, create);
    if let Some(comment) = &trigger.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &format!(
                    "TRIGGER {} ON {}",
                    quote_identifier(&trigger.name),
                    relation.quoted()
                ),
                Some(comment),
            ),
        );
    }
    fix.build()
}

/// Drops a trigger the specs do not define: destructive.
pub(crate) fn drop_trigger(relation: &QualifiedName, trigger: &str) -> Fix {
    Fix::destructive(
        FixStep::DropDependent,
        format!(
            "DROP TRIGGER {} ON {}",
            quote_identifier(trigger),
            relation.quoted()
        ),
        "drops the trigger: what it does on each change stops",
    )
}
