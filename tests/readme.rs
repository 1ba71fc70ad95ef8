//! The README's rule table is generated from the rule registry; this test fails when it is
//! stale. `PGPARITY_UPDATE_README=1 cargo test --test readme` rewrites it.

use pgparity::rules;

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

fn rule_table() -> String {
    let mut table =
        String::from("| rule | family | default | what it checks |\n|---|---|---|---|\n");
    for rule in rules::all() {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.id,
            rule.family.as_str(),
            rule.default_severity,
            rule.summary
        ));
    }
    table
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md is readable");
    let start = readme
        .find(START)
        .expect("README has the rules:start marker")
        + START.len();
    let end = readme.find(END).expect("README has the rules:end marker");
    let expected = rule_table();
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("PGPARITY_UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
        std::fs::write(path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "the README rule table is stale; run `PGPARITY_UPDATE_README=1 cargo test --test readme`.\nExpected:\n{expected}"
    );
}

#[test]
fn every_rule_is_documented_with_the_three_sections() {
    for rule in rules::all() {
        for section in ["## What it does", "## Why it matters", "## Example"] {
            assert!(
                rule.docs.contains(section),
                "rule {} lacks the section {section:?}",
                rule.id
            );
        }
        assert!(
            rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "rule id {} is not kebab-case",
            rule.id
        );
    }
}
