//! `invalid-contract`: a contract document that does not follow OpenAPI 3.0/3.1 or JSON
//! Schema. The contract loader checks each given document against the meta-schemas; this
//! file reports what it found.

use crate::contracts::ContractSet;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `invalid-contract`.
pub static INVALID_CONTRACT: Rule = Rule {
    id: "invalid-contract",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A contract document does not follow OpenAPI 3.0/3.1 or JSON Schema",
    object_kind: ObjectKind::Object,
    needs_live: false,
    docs: "\
## What it does
Checks every contract file given (by the mapping's `contracts:` or `--contracts`) against
what it claims to be. An OpenAPI description (`openapi: 3.0.x` or `3.1.x`) must have its
`info`, paths that start with `/`, operations with `responses` (3.0), response codes that
are codes (`200`, `2XX`, `default`), responses with a `description`, parameters with `name`
and `in`; every schema object in it is checked against the JSON Schema meta-schema of the
version (draft 4 for OpenAPI 3.0, 2020-12 for 3.1). A JSON Schema file is checked against
the meta-schema its `$schema` names (2020-12 when it names none). Other OpenAPI versions
and Swagger 2.0 are reported as not read. At most 20 problems are listed per document.

## Why it matters
A misspelt keyword is read as nothing: `type: objec` makes a DTO without a type, so every
field check on it passes without having checked anything, and a response code written
`20O` hides the endpoint's response schema.

## Example
```yaml
components:
  schemas:
    Order:
      type: objec
```
is reported at the `type` line: \"`type: objec` is not a JSON Schema type (array, boolean,
integer, null, number, object, string) (did you mean object?)\". Fix the spelling.",
};
register_rule!(INVALID_CONTRACT);
crate::checks::contract::document_finder!(find);

fn find(contracts: &ContractSet, findings: &mut Vec<Finding>) {
    for problem in &contracts.document_problems {
        findings.push(
            Finding::new(
                &INVALID_CONTRACT,
                ObjectPath::other(format!("{}#{}", problem.location.path, problem.pointer)),
                problem.message.clone(),
            )
            .at(Some(&problem.location)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::{load_contracts, ContractOptions};

    /// The findings of one contract file with `text`, named `name`.
    fn findings_of(name: &str, text: &str) -> Vec<Finding> {
        let folder = std::env::temp_dir().join(format!(
            "pgparity-invalid-contract-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(name);
        std::fs::write(&path, text).unwrap();
        let options = ContractOptions {
            roots: vec![folder.clone()],
            ..ContractOptions::default()
        };
        let contracts = load_contracts(&[path], &options).unwrap();
        std::fs::remove_dir_all(&folder).ok();
        let mut findings = Vec::new();
        find(&contracts, &mut findings);
        findings
    }

    fn brief(findings: &[Finding]) -> String {
        findings
            .iter()
            .map(|finding| {
                let location = finding.location.as_ref().expect("a location");
                format!(
                    "{}:{}: {}\n",
                    location.line, location.column, finding.message
                )
            })
            .collect()
    }

    const OPENAPI_30: &str = "openapi: 3.0.3
info: {title: Orders, version: \"1\"}
paths:
  /orders/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        \"200\":
          description: one order
          content:
            application/json:
              schema: {$ref: \"#/components/schemas/Order\"}
components:
  schemas:
    Order:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        note: {type: string, nullable: true}
";

    #[test]
    fn a_valid_description_has_no_finding() {
        assert_eq!(brief(&findings_of("ok.yaml", OPENAPI_30)), "");
        let v31 = OPENAPI_30.replace("3.0.3", "3.1.0").replace(
            "{type: string, nullable: true}",
            "{type: [string, \"null\"]}",
        );
        assert_eq!(brief(&findings_of("ok31.yaml", &v31)), "");
        let schema = "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \
                      \"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}}}";
        assert_eq!(brief(&findings_of("ok.schema.json", schema)), "");
    }

    #[test]
    fn typos_are_findings_at_their_line() {
        let broken = OPENAPI_30
            .replace("      type: object", "      type: objec")
            .replace("\"200\":", "\"20O\":")
            .replace("in: path", "in: route");
        insta::assert_snapshot!(brief(&findings_of("broken.yaml", &broken)));
        let v31 = OPENAPI_30
            .replace("3.0.3", "3.1.0")
            .replace("{type: integer}}", "{type: integr}}");
        let found = brief(&findings_of("broken31.yaml", &v31));
        assert!(
            found.contains("`type: integr` is not a JSON Schema type"),
            "{found}"
        );
        let schema = "{\"type\": \"objec\"}";
        let found = brief(&findings_of("broken.schema.json", schema));
        assert!(found.starts_with("1:2: /type: `type: objec`"), "{found}");
    }

    #[test]
    fn other_versions_are_named() {
        let found = brief(&findings_of(
            "swagger.yaml",
            "swagger: \"2.0\"\ninfo: {title: x, version: \"1\"}\n",
        ));
        assert!(found.contains("Swagger 2.0 is not read"), "{found}");
        let found = brief(&findings_of("v2.yaml", "openapi: 2.1.0\n"));
        assert!(
            found.contains("`openapi: \"2.1.0\"` is not a version"),
            "{found}"
        );
    }
}
