use super::*;
use crate::baseline::BaselineOutcome;
use crate::finding::Suppressed;
use crate::model::Location;
use crate::report::ReportContext;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::time::Duration;

fn finding(rule: &str, severity: Severity, object: &str) -> Finding {
    Finding {
        rule: crate::rules::by_id(rule).expect("a known rule"),
        severity,
        object: crate::finding::ObjectPath::other(object),
        message: format!("{rule} on {object}"),
        expected: None,
        actual: None,
        location: Some(Location::new("specs/ledger.sql", 12, 5)),
        diff: None,
        hint: None,
        fix: None,
    }
}

const DIFF: &str = "--- spec\n+++ live\n@@ -1,2 +1,2 @@\n SELECT tenant_id,\n-  sum(revenue_cents)\n+  sum(revenue_cents) / 100.0\n";

fn sample() -> Report {
    let drift = Finding {
        diff: Some(DIFF.into()),
        ..finding(
            "speculative-index",
            Severity::Error,
            "public.mv_realtime_revenue",
        )
    };
    let typed = finding(
        "dto-type-mismatch",
        Severity::Error,
        "public.revenue_ledger.revenue_cents",
    )
    .expected_actual("integer", "text | with `ticks`");
    let warning = finding("redundant-index", Severity::Warning, "public.idx_a_*");
    Report {
        findings: vec![typed, drift, warning],
        suppressed: vec![Suppressed {
            finding: finding("unknown-reference", Severity::Error, "public.t"),
            reason: "legacy".into(),
        }],
        skipped: vec!["drift checks: no --db".into()],
        context: ReportContext {
            target: Some("postgres://app:s3cret@db.example.com:5432/ledger".into()),
            inputs: vec![("specs".into(), vec!["specs".into(), "extra.sql".into()])],
            schemas: vec!["public".into()],
            generated_at: "2026-11-28T02:30:00Z".into(),
            version: "0.1.0".into(),
            duration: Duration::from_millis(1250),
        },
        baseline: Some(BaselineOutcome {
            matched: 4,
            stale: 1,
            stale_entries: Vec::new(),
        }),
        anchor: None,
        probes: None,
    }
}

fn events(markdown: &str) -> Vec<Event<'_>> {
    Parser::new_ext(markdown, Options::ENABLE_TABLES).collect()
}

#[test]
fn parses_into_headings_tables_and_a_diff_block() {
    let markdown = render(&sample());
    let events = events(&markdown);
    let tables = events
        .iter()
        .filter(|event| matches!(event, Event::Start(Tag::Table(_))))
        .count();
    assert_eq!(tables, 2, "header and summary tables:\n{markdown}");
    let headings: Vec<HeadingLevel> = events
        .iter()
        .filter_map(|event| match event {
            Event::Start(Tag::Heading { level, .. }) => Some(*level),
            _ => None,
        })
        .collect();
    assert_eq!(headings[0], HeadingLevel::H1);
    assert_eq!(
        headings
            .iter()
            .filter(|level| **level == HeadingLevel::H3)
            .count(),
        3,
        "one heading per object:\n{markdown}"
    );
    let mut diff_body = None;
    for (position, event) in events.iter().enumerate() {
        if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language))) = event {
            if language.as_ref() == "diff" {
                let mut body = String::new();
                for inner in &events[position + 1..] {
                    match inner {
                        Event::Text(text) => body.push_str(text),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                diff_body = Some(body);
            }
        }
    }
    assert_eq!(diff_body.as_deref(), Some(DIFF), "{markdown}");
}

#[test]
fn summary_table_counts_by_family_with_suppressed() {
    let markdown = render(&sample());
    assert!(
        markdown.contains("| contract | 1 | 0 | 0 | 0 |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| index-plan | 1 | 1 | 0 | 0 |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| spec | 0 | 0 | 0 | 1 |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **Total** | **2** | **1** | **0** | **1** |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("1 suppressed. Baseline: 4 matched, 1 stale."),
        "{markdown}"
    );
}

#[test]
fn header_masks_the_password_and_has_no_escape_codes() {
    let markdown = render(&sample());
    assert!(!markdown.contains("s3cret"), "{markdown}");
    assert!(
        markdown.contains("`postgres://app:***@db.example.com:5432/ledger`"),
        "{markdown}"
    );
    assert!(markdown.contains("| Duration | 1.25 s |"), "{markdown}");
    assert!(
        markdown.contains("| Specs | `specs`, `extra.sql` |"),
        "{markdown}"
    );
    assert!(!markdown.contains('\x1b'));
}

#[test]
fn values_with_pipes_and_backticks_survive_as_code() {
    let markdown = render(&sample());
    let code: Vec<String> = events(&markdown)
        .into_iter()
        .filter_map(|event| match event {
            Event::Code(code) => Some(code.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        code.iter().any(|span| span == "text | with `ticks`"),
        "{code:?}"
    );
    let text: String = events(&markdown)
        .into_iter()
        .filter_map(|event| match event {
            Event::Text(text) => Some(text.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        text.contains("redundant-index on public.idx_a_*"),
        "{markdown}"
    );
}

#[test]
fn long_reports_are_cut_with_a_count_of_what_was_left_out() {
    let findings: Vec<Finding> = (0..2000)
        .map(|number| {
            finding(
                "speculative-index",
                Severity::Error,
                &format!("public.idx_{number:04}"),
            )
            .hint("add a plan entry that names the query path this index serves")
        })
        .collect();
    let report = Report {
        findings,
        ..sample()
    };
    let markdown = render(&report);
    assert!(markdown.len() <= MARKDOWN_BUDGET, "{}", markdown.len());
    let shown = markdown.matches("\n### ").count();
    assert!(shown > 100, "{shown}");
    let left_out = 2000 - shown;
    assert!(
        markdown.contains(&format!(
            "**{left_out} findings in {left_out} objects not shown**"
        )),
        "{}",
        &markdown[markdown.len() - 600..]
    );
    assert!(
        markdown.ends_with("## Skipped checks\n\n- drift checks: no --db\n"),
        "the tail survives the cut"
    );
}

#[test]
fn a_small_budget_keeps_header_and_summary() {
    let markdown = render_with_budget(&sample(), 10);
    assert!(markdown.starts_with("# pgparity report\n"));
    assert!(markdown.contains("## Summary"));
    assert!(
        markdown.contains("**3 findings in 3 objects not shown**"),
        "{markdown}"
    );
}

#[test]
fn a_clean_report_says_so() {
    let report = Report {
        context: sample().context,
        ..Report::default()
    };
    let markdown = render(&report);
    assert!(markdown.contains("**No findings.**"), "{markdown}");
    assert!(!markdown.contains("## Findings"));
    assert!(!markdown.contains("## Summary"));
}

#[test]
fn prose_escapes_only_what_markdown_would_misread() {
    assert_eq!(
        inline_text("tenant_id on public.idx_* is <bad> _x_"),
        "tenant_id on public.idx\\_\\* is \\<bad\\> \\_x\\_"
    );
    let parsed: String = Parser::new(&inline_text("a *b* _c_ `d` [e](f)"))
        .filter_map(|event| match event {
            Event::Text(text) => Some(text.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(parsed, "a *b* _c_ `d` [e](f)");
}

#[test]
fn every_connection_string_form_is_masked_in_the_header() {
    for (target, secret) in [
        (
            "postgresql://app:p%40ss@db:5432/ledger?sslmode=require",
            "p%40ss",
        ),
        (
            "host=db user=app password='two words' dbname=ledger",
            "two words",
        ),
        ("postgres://app@db/ledger?password=hunter2", "hunter2"),
    ] {
        let mut report = sample();
        report.context.target = Some(target.into());
        let markdown = render(&report);
        assert!(!markdown.contains(secret), "{target}:\n{markdown}");
        assert!(markdown.contains("***"), "{target}:\n{markdown}");
    }
}

#[test]
fn multi_line_values_and_diffs_with_fences_stay_inside_their_blocks() {
    let view = "SELECT tenant_id\nFROM revenue_ledger";
    let diff = "@@ -1 +1 @@\n-```\n+~~~\n";
    let report = Report {
        findings: vec![Finding {
            diff: Some(diff.into()),
            ..finding("unknown-reference", Severity::Error, "public.v").expected_actual(view, "x")
        }],
        ..Report::default()
    };
    let markdown = render(&report);
    let blocks: Vec<(String, String)> = {
        let mut blocks = Vec::new();
        let mut current: Option<(String, String)> = None;
        for event in events(&markdown) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language))) => {
                    current = Some((language.to_string(), String::new()));
                }
                Event::Text(text) => {
                    if let Some((_, body)) = current.as_mut() {
                        body.push_str(&text);
                    }
                }
                Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
                _ => {}
            }
        }
        blocks
    };
    assert_eq!(
        blocks,
        [
            ("text".to_string(), format!("{view}\n")),
            ("diff".to_string(), diff.to_string()),
        ],
        "{markdown}"
    );
}
