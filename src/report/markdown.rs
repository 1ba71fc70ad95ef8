//! `--format markdown`: the nightly drift report a person reads in a minute. A header
//! (target with the password masked, inputs, schemas, time, version, duration), a summary
//! table by family and severity, then per object its findings with expected/actual and a
//! fenced `diff` block for definitions. Long reports are cut at a size budget with a count
//! of what was left out, because GitHub refuses PR comments past 65,536 characters.

use super::Report;
use crate::finding::{Finding, Severity};
use crate::redact::mask_password;
use crate::rules::Family;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The default size budget in bytes (never fewer than characters), leaving room under
/// GitHub's 65,536-character limit for a comment's own wrapping.
pub const MARKDOWN_BUDGET: usize = 60_000;

pub(super) fn render(report: &Report) -> String {
    render_with_budget(report, MARKDOWN_BUDGET)
}

/// The Markdown report, cut to at most about `budget` bytes: the header and summary are
/// always shown; object sections are added, worst first, while they fit, and a closing
/// note counts the findings and objects left out.
pub fn render_with_budget(report: &Report, budget: usize) -> String {
    let mut out = String::new();
    write_header(&mut out, report);
    write_summary(&mut out, report);
    let tail = tail(report);
    let sections = object_sections(report);
    if !sections.is_empty() {
        out.push_str("\n## Findings\n");
    }
    let mut omitted_findings = 0;
    let mut omitted_objects = 0;
    for (section, findings) in &sections {
        let room_for_note = if omitted_objects == 0 {
            OMISSION_NOTE_ROOM
        } else {
            0
        };
        if omitted_objects == 0 && out.len() + section.len() + tail.len() + room_for_note <= budget
        {
            out.push_str(section);
        } else {
            omitted_findings += findings;
            omitted_objects += 1;
        }
    }
    if omitted_objects > 0 {
        let _ = write!(
            out,
            "\n> **{} in {} not shown**: the report reached its size limit ({budget} bytes). \
             `pgparity check --format json` lists every finding.\n",
            count(omitted_findings, "finding"),
            count(omitted_objects, "object"),
        );
    }
    out.push_str(&tail);
    out
}

/// Stale baseline entries listed at most: the tail is never cut, so it must stay small
/// beside the report's budget.
const STALE_ENTRIES_SHOWN: usize = 50;

/// Room kept for the omission note, so that adding it never pushes past the budget.
const OMISSION_NOTE_ROOM: usize = 200;

fn count(number: usize, word: &str) -> String {
    if number == 1 {
        format!("{number} {word}")
    } else {
        format!("{number} {word}s")
    }
}

fn write_header(out: &mut String, report: &Report) {
    let context = &report.context;
    out.push_str("# pgparity report\n\n| | |\n|---|---|\n");
    let target = match &context.target {
        Some(target) => code_span(&mask_password(target)),
        None => "no database (static check)".to_string(),
    };
    let _ = writeln!(out, "| Target | {} |", table_cell(&target));
    for (kind, paths) in &context.inputs {
        let paths: Vec<String> = paths.iter().map(|path| code_span(path)).collect();
        let _ = writeln!(
            out,
            "| {} | {} |",
            capitalized(kind),
            table_cell(&paths.join(", "))
        );
    }
    if !context.schemas.is_empty() {
        let schemas: Vec<String> = context
            .schemas
            .iter()
            .map(|schema| code_span(schema))
            .collect();
        let _ = writeln!(out, "| Schemas | {} |", table_cell(&schemas.join(", ")));
    }
    if !context.generated_at.is_empty() {
        let _ = writeln!(out, "| Generated | {} |", context.generated_at);
    }
    if !context.version.is_empty() {
        let _ = writeln!(out, "| pgparity | {} |", context.version);
    }
    let _ = writeln!(
        out,
        "| Duration | {:.2} s |",
        context.duration.as_secs_f64()
    );
}

fn capitalized(word: &str) -> String {
    let mut characters = word.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

fn family_of(finding: &Finding) -> Option<Family> {
    Some(finding.rule.family)
}

/// One summary row: counts by severity plus suppressed.
#[derive(Default)]
struct Row {
    error: usize,
    warning: usize,
    info: usize,
    suppressed: usize,
}

impl Row {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }
}

fn write_summary(out: &mut String, report: &Report) {
    let summary = report.summary();
    out.push('\n');
    if report.findings.is_empty() {
        out.push_str("**No findings.**");
    } else {
        let _ = write!(
            out,
            "**{}, {}, {} info.**",
            count(summary.error, "error"),
            count(summary.warning, "warning"),
            summary.info
        );
    }
    if !report.suppressed.is_empty() {
        let _ = write!(out, " {} suppressed.", report.suppressed.len());
    }
    if let Some(baseline) = &report.baseline {
        let _ = write!(
            out,
            " Baseline: {} matched, {} stale.",
            baseline.matched, baseline.stale
        );
    }
    out.push('\n');
    if let Some(results) = &report.probes {
        write_probes(out, results);
    }
    if report.findings.is_empty() && report.suppressed.is_empty() {
        return;
    }
    let mut rows: BTreeMap<Option<Family>, Row> = BTreeMap::new();
    for finding in &report.findings {
        rows.entry(family_of(finding))
            .or_default()
            .add(finding.severity);
    }
    for suppressed in &report.suppressed {
        rows.entry(family_of(&suppressed.finding))
            .or_default()
            .suppressed += 1;
    }
    out.push_str(
        "\n## Summary\n\n| Family | Error | Warning | Info | Suppressed |\n|---|---:|---:|---:|---:|\n",
    );
    let mut total = Row::default();
    for (family, row) in &rows {
        let name = family.map_or("other", Family::as_str);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            row.error, row.warning, row.info, row.suppressed
        );
        total.error += row.error;
        total.warning += row.warning;
        total.info += row.info;
        total.suppressed += row.suppressed;
    }
    let _ = writeln!(
        out,
        "| **Total** | **{}** | **{}** | **{}** | **{}** |",
        total.error, total.warning, total.info, total.suppressed
    );
}

/// The probes of `--probe`: one row per kind with passed, failed and skipped counts
/// (each failure is a finding below).
fn write_probes(out: &mut String, results: &crate::model::ProbeResults) {
    let tally = results.tally();
    let _ = write!(
        out,
        "\n## Probes\n\n{} passed, {} failed, {} skipped.\n\n| Probe | Passed | Failed | Skipped |\n|---|---:|---:|---:|\n",
        tally.passed, tally.failed, tally.skipped
    );
    for (kind, counts) in super::probes::by_kind(results) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            kind.as_str(),
            counts.passed,
            counts.failed,
            counts.skipped
        );
    }
    let settled = super::probes::settled_lines(results);
    if !settled.is_empty() {
        let _ = writeln!(
            out,
            "\nUndecided drift settled by behaviour in the scratch database:\n"
        );
        for line in settled {
            let _ = writeln!(out, "- {}", line.trim_start_matches("settled: "));
        }
    }
}

/// Each object's section with its number of findings, worst objects first.
fn object_sections(report: &Report) -> Vec<(String, usize)> {
    let ordered = super::findings_by_object(report);
    ordered
        .into_iter()
        .map(|(object, findings)| {
            let mut section = format!("\n### {}\n", code_span(object));
            for finding in &findings {
                write_finding(&mut section, finding);
            }
            (section, findings.len())
        })
        .collect()
}

fn write_finding(out: &mut String, finding: &Finding) {
    let _ = writeln!(
        out,
        "\n- **{}** {}: {}",
        finding.severity,
        code_span(finding.rule.id),
        inline_text(&finding.message)
    );
    if let Some(location) = &finding.location {
        let _ = writeln!(out, "  - at {}", code_span(&location.to_string()));
    }
    for (label, value) in [("expected", &finding.expected), ("actual", &finding.actual)] {
        let Some(value) = value else { continue };
        if value.contains('\n') {
            let _ = writeln!(out, "  - {label}:\n\n{}", indent(&fenced("text", value)));
        } else {
            let _ = writeln!(out, "  - {label}: {}", code_span(value));
        }
    }
    if let Some(hint) = &finding.hint {
        let _ = writeln!(out, "  - hint: {}", inline_text(hint));
    }
    if let Some(diff) = &finding.diff {
        let _ = writeln!(out, "\n{}", indent(&fenced("diff", diff)));
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(out, "  - fix:\n\n{}", indent(&fenced("sql", &fix.sql())));
    }
}

fn tail(report: &Report) -> String {
    let mut tail = String::new();
    if !report.skipped.is_empty() {
        tail.push_str("\n## Skipped checks\n\n");
        for skipped in &report.skipped {
            let _ = writeln!(tail, "- {}", inline_text(skipped));
        }
    }
    if let Some(baseline) = report
        .baseline
        .as_ref()
        .filter(|baseline| !baseline.stale_entries.is_empty())
    {
        tail.push_str(
            "\n## Stale baseline entries\n\nNo longer found: `--prune-baseline` removes them.\n\n",
        );
        let shown = baseline.stale_entries.len().min(STALE_ENTRIES_SHOWN);
        for entry in &baseline.stale_entries[..shown] {
            let _ = writeln!(
                tail,
                "- {} {} ({}): {}",
                code_span(&entry.rule),
                code_span(&entry.object),
                code_span(&entry.fingerprint),
                inline_text(&entry.message)
            );
        }
        if baseline.stale_entries.len() > shown {
            let _ = writeln!(
                tail,
                "- and {} more (`pgparity check --format json` lists them)",
                baseline.stale_entries.len() - shown
            );
        }
    }
    tail
}

/// Indents a block by two spaces so it belongs to the list item above it.
fn indent(block: &str) -> String {
    let mut out = String::new();
    for line in block.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

/// A fenced code block whose fence is longer than any backtick run inside it.
fn fenced(language: &str, body: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(body).max(2) + 1);
    let body = body.trim_end_matches('\n');
    format!("{fence}{language}\n{body}\n{fence}\n")
}

/// An inline code span that survives backticks in `text` (CommonMark: a longer
/// delimiter, padded with spaces); newlines become spaces.
fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let run = longest_backtick_run(&text);
    if run == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(run + 1);
    format!("{fence} {text} {fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for character in text.chars() {
        if character == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// Prose on one line with Markdown's meaningful characters escaped, so an object name
/// like `public.idx_*` or a message quoting `<tenant>` prints as written. An underscore
/// between two letters or digits cannot start emphasis in CommonMark, so `tenant_id`
/// stays readable in the raw text.
fn inline_text(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (position, &character) in characters.iter().enumerate() {
        let intraword = || {
            let before = position
                .checked_sub(1)
                .and_then(|previous| characters.get(previous));
            let after = characters.get(position + 1);
            before.is_some_and(|c| c.is_alphanumeric())
                && after.is_some_and(|c| c.is_alphanumeric())
        };
        match character {
            '\n' | '\r' => out.push(' '),
            '_' if intraword() => out.push('_'),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(character);
            }
            other => out.push(other),
        }
    }
    out
}

/// A table cell: a `|` inside a code span still splits a GFM table cell unless escaped.
fn table_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests;
