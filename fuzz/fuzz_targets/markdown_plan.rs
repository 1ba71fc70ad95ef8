//! The Markdown index plan reader (`index_plan_markdown` of a mapping) on one file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pgparity::mapping::parse_markdown_plan;
use pgparity_fuzz::{input_text, on_worker_stack, DEFAULT_SCHEMA};

const SHOWN_PATH: &str = "docs/INDEX_PLAN.md";

fuzz_target!(|data: &[u8]| {
    let Some(text) = input_text(data, SHOWN_PATH, "Markdown index plan") else {
        return;
    };
    on_worker_stack(|| {
        let _ = parse_markdown_plan(SHOWN_PATH, &text, DEFAULT_SCHEMA);
    });
});
