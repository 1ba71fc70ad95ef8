//! CREATE [OR REPLACE] [MATERIALIZED] VIEW and ALTER VIEW … ALTER COLUMN.

use super::{fold, name_parts, name_span, span_location, Loader};
use crate::model::{Catalog, Location, QualifiedName, Relation, RelationKind, ViewDefinition};
use crate::sources::spec::lineage;
use crate::sources::spec::statements::Extras;
use sqlparser::ast::{
    AlterView, AlterViewOperation, CreateView, Expr, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor,
};

impl Loader {
    /// A view or materialized view, its columns by lineage.
    pub(super) fn create_view(
        &mut self,
        create: &CreateView,
        extras: &Extras,
        statement: &Location,
    ) {
        let name = self.qualified(&create.name);
        let location = span_location(name_span(&create.name), statement);
        let existing = self.catalog.relations.get(&name);
        if let Some(existing) = existing {
            if create.if_not_exists {
                return;
            }
            if !create.or_replace {
                let first = existing.location.clone();
                self.duplicate(name.to_string(), existing.kind.describe(), first, &location);
                return;
            }
        }
        let column_names = if create.columns.is_empty() {
            output_names(&create.query, &self.catalog, self.scope())
        } else {
            create
                .columns
                .iter()
                .map(|column| fold(&column.name))
                .collect()
        };
        let mut columns =
            lineage::view_columns(&create.query, &column_names, &self.catalog, self.scope());
        for column in &mut columns {
            if column.location.is_none() {
                column.location = Some(location.clone());
            }
        }
        let kind = if create.materialized {
            RelationKind::MaterializedView
        } else {
            RelationKind::View
        };
        let definition = ViewDefinition {
            query: create.query.to_string().into(),
            with_data: extras.with_data.unwrap_or(true),
        };
        self.note_written_in(&name);
        let relation = self
            .catalog
            .relations
            .entry(name.clone())
            .or_insert_with(|| Relation::new(name, kind, Some(location)));
        relation.columns = columns;
        relation.view = Some(definition);
    }
}

impl Loader {
    /// `ALTER [MATERIALIZED] VIEW v ALTER [COLUMN] c SET DEFAULT expr | DROP DEFAULT`
    /// (a view column's default, used by inserts through the view) and the settings
    /// that do not change the contract (`SET (…)`, `RESET (…)`, `OWNER TO`); other
    /// forms are outside the model.
    pub(super) fn alter_view(&mut self, alter: &AlterView, location: &Location, first_words: &str) {
        let name = self.qualified(&alter.name);
        if alter.if_exists && !self.catalog.relations.contains_key(&name) {
            return;
        }
        match &alter.operation {
            AlterViewOperation::AlterColumn { column_name, op } => {
                self.alter_column(&name, &fold(column_name), op, location)
            }
            AlterViewOperation::OwnerTo(_)
            | AlterViewOperation::SetOptions { .. }
            | AlterViewOperation::ResetOptions { .. } => {}
            _ => self.skipped(first_words, location),
        }
    }
}

/// The output column names of a query as PostgreSQL derives them: the alias, the
/// column's own name, the function's name, or `?column?`; `*` expands to the columns
/// the catalog knows.
pub(super) fn output_names(query: &Query, catalog: &Catalog, default_schema: &str) -> Vec<String> {
    if let SetExpr::Table(table) = query.body.as_ref() {
        let parts: Vec<String> = table
            .schema_name
            .iter()
            .chain(&table.table_name)
            .map(fold)
            .collect();
        let name = super::qualify(&parts, default_schema);
        return catalog
            .relations
            .get(&name)
            .map(|relation| relation.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
    }
    match first_select(&query.body) {
        Some(select) => select_names(select, catalog, default_schema),
        None => Vec::new(),
    }
}

fn first_select(body: &SetExpr) -> Option<&Select> {
    match body {
        SetExpr::Select(select) => Some(select),
        SetExpr::Query(query) => first_select(&query.body),
        SetExpr::SetOperation { left, .. } => first_select(left),
        _ => None,
    }
}

fn select_names(select: &Select, catalog: &Catalog, default_schema: &str) -> Vec<String> {
    let sources: Vec<(Option<String>, QualifiedName)> = select
        .from
        .iter()
        .flat_map(|from| {
            std::iter::once(&from.relation).chain(from.joins.iter().map(|j| &j.relation))
        })
        .filter_map(|factor| match factor {
            TableFactor::Table { name, alias, .. } => Some((
                alias.as_ref().map(|alias| fold(&alias.name)),
                super::qualify(&name_parts(name), default_schema),
            )),
            _ => None,
        })
        .collect();
    let columns_of = |relation: &QualifiedName| -> Vec<String> {
        catalog
            .relations
            .get(relation)
            .map(|relation| relation.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    };
    let mut names = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(expr) => names.push(expr_name(expr)),
            SelectItem::ExprWithAlias { alias, .. } => names.push(fold(alias)),
            SelectItem::ExprWithAliases { aliases, .. } => names.extend(aliases.iter().map(fold)),
            SelectItem::Wildcard(_) => {
                for (_, relation) in &sources {
                    names.extend(columns_of(relation));
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                let parts = name_parts(name);
                let wanted = parts.last().cloned().unwrap_or_default();
                let matched = sources.iter().find(|(alias, relation)| {
                    alias.as_deref() == Some(wanted.as_str())
                        || (alias.is_none() && relation.name == wanted)
                });
                if let Some((_, relation)) = matched {
                    names.extend(columns_of(relation));
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::Expr(_), _) => {}
        }
    }
    names
}

/// PostgreSQL's `FigureColname`: the name an unaliased select item gets.
fn expr_name(expr: &Expr) -> String {
    match expr {
        Expr::Identifier(ident) => fold(ident),
        Expr::CompoundIdentifier(parts) => parts.last().map(fold).unwrap_or_default(),
        Expr::Function(function) => name_parts(&function.name).pop().unwrap_or_default(),
        Expr::Nested(inner) => expr_name(inner),
        Expr::Cast {
            expr, data_type, ..
        } => match expr_name(expr).as_str() {
            "?column?" => data_type
                .to_string()
                .split(['(', ' '])
                .next()
                .unwrap_or_default()
                .to_lowercase(),
            name => name.to_string(),
        },
        Expr::Case { .. } => "case".into(),
        Expr::Exists { .. } => "exists".into(),
        Expr::Array(_) => "array".into(),
        _ => "?column?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn names(select: &str) -> Vec<String> {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, select).unwrap_or_default();
        match statements.first() {
            Some(sqlparser::ast::Statement::Query(query)) => {
                output_names(query, &Catalog::new(), "public")
            }
            _ => Vec::new(),
        }
    }

    #[test]
    fn output_names_follow_postgresql() {
        assert_eq!(
            names("SELECT t.A, b AS \"Bee\", count(*), 1 + 1, x::text, 'a'::text, CASE WHEN true THEN 1 END FROM t"),
            ["a", "Bee", "count", "?column?", "x", "text", "case"]
        );
    }
}
