//! The baseline reader on one file; a baseline it accepts must survive being written and
//! read again unchanged, and is applied to the findings of the bundled example.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pgparity::baseline::Baseline;
use pgparity::checks;
use pgparity::config::Config;
use pgparity::finding::Finding;
use pgparity_fuzz::{example_mapping, example_specs, input_text, inputs, on_worker_stack};
use std::sync::OnceLock;

const SHOWN_PATH: &str = "pgparity-baseline.json";

fuzz_target!(|data: &[u8]| {
    let Some(text) = input_text(data, SHOWN_PATH, "baseline") else {
        return;
    };
    on_worker_stack(|| {
        let Ok(baseline) = Baseline::parse(&text) else {
            return;
        };
        let written = baseline.to_json();
        let reread = Baseline::parse(&written)
            .unwrap_or_else(|error| panic!("a baseline read does not read back: {error:#}"));
        assert_eq!(reread, baseline, "a baseline changes when written and read");
        let _ = baseline.filter(example_findings().to_vec(), &|_| true);
    });
});

/// The findings of the bundled example's specs and mapping, found once.
fn example_findings() -> &'static [Finding] {
    static FINDINGS: OnceLock<Vec<Finding>> = OnceLock::new();
    FINDINGS.get_or_init(|| {
        let config = Config::default();
        let run = inputs(
            Some(example_specs()),
            None,
            Some(example_mapping()),
            None,
            &config,
        );
        checks::run(&run).findings
    })
}
