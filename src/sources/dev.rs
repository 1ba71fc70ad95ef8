//! What a scratch "dev" database adds to the specs: PostgreSQL itself applied them, so
//! view column types are exact and view bodies are printed the way a live server prints
//! them.

use crate::model::{Catalog, QualifiedName};

/// Fills in, from the catalog introspected out of a scratch database the specs were
/// applied to, what the specs alone cannot say: the types of view and materialized-view
/// columns that lineage left unknown, and view bodies as the server prints them (so that
/// comparing them with a live server is exact). Spec locations are kept.
pub fn enrich_from_dev(specs: &mut Catalog, dev: &Catalog) {
    for (name, relation) in specs.relations.iter_mut() {
        let Some(applied) = dev.relations.get(name) else {
            continue;
        };
        if relation.kind.is_table() {
            continue;
        }
        for column in &mut relation.columns {
            let Some(applied_column) = applied.column(&column.name) else {
                continue;
            };
            if column.data_type.is_none() {
                column.data_type = applied_column.data_type.clone();
            }
        }
        if let (Some(view), Some(applied_view)) = (&mut relation.view, &applied.view) {
            view.query = applied_view.query.clone();
        }
    }
}

/// Takes into the specs the relations of the scratch database that no statement the
/// loader modelled defines: statements it does not read (`DO` blocks) created them when
/// the server ran the specs, so they are part of what the specs define. Returns their
/// names, in order.
pub fn adopt_created_relations(specs: &mut Catalog, dev: &Catalog) -> Vec<QualifiedName> {
    let mut adopted = Vec::new();
    for (name, relation) in &dev.relations {
        if !specs.relations.contains_key(name) {
            specs.relations.insert(name.clone(), relation.clone());
            adopted.push(name.clone());
        }
    }
    adopted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, QualifiedName, Relation, RelationKind, SqlType, ViewDefinition};

    fn view(query: &str, total_type: Option<&str>) -> Catalog {
        let name = QualifiedName::new("public", "mv_revenue");
        let mut relation = Relation::new(name.clone(), RelationKind::MaterializedView, None);
        relation
            .columns
            .push(Column::new("total", total_type.map(SqlType::parse), None));
        relation.view = Some(ViewDefinition {
            query: query.into(),
            with_data: true,
        });
        let mut catalog = Catalog::new();
        catalog.relations.insert(name, relation);
        catalog
    }

    #[test]
    fn fills_unknown_view_column_types_and_takes_the_server_printed_body() {
        let mut specs = view("SELECT sum(c) / 100.0 AS total FROM t", None);
        let dev = view(
            " SELECT (sum(t.c) / 100.0) AS total\n   FROM t;",
            Some("numeric"),
        );
        enrich_from_dev(&mut specs, &dev);
        let relation = specs.relations.values().next().unwrap();
        assert_eq!(
            relation.columns[0].data_type,
            Some(SqlType::parse("numeric"))
        );
        assert!(relation
            .view
            .as_ref()
            .unwrap()
            .query
            .contains("(sum(t.c) / 100.0)"));
    }

    #[test]
    fn keeps_what_lineage_already_proved() {
        let mut specs = view("SELECT c::integer AS total FROM t", Some("integer"));
        let dev = view("SELECT (c)::integer AS total FROM t", Some("bigint"));
        enrich_from_dev(&mut specs, &dev);
        let relation = specs.relations.values().next().unwrap();
        assert_eq!(
            relation.columns[0].data_type,
            Some(SqlType::parse("integer"))
        );
    }
}
