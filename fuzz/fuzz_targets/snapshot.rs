//! The snapshot reader on one file; a snapshot it accepts is then the live side of a run
//! with the bundled specs and mapping (`pgparity check --snapshot`): drift, which parses
//! the snapshot's view bodies and expressions, every other check, and every renderer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pgparity::config::Config;
use pgparity::sources::snapshot::Snapshot;
use pgparity_fuzz::{
    check_and_render, example_mapping, example_specs, input_text, inputs, on_worker_stack,
};

const SHOWN_PATH: &str = "snapshot.json";

fuzz_target!(|data: &[u8]| {
    let Some(text) = input_text(data, SHOWN_PATH, "snapshot") else {
        return;
    };
    on_worker_stack(|| {
        let Ok(snapshot) = Snapshot::parse(SHOWN_PATH, &text, pgparity_fuzz::DEFAULT_SCHEMA) else {
            return;
        };
        let config = Config::default();
        let run = inputs(
            Some(example_specs()),
            None,
            Some(example_mapping()),
            Some(&snapshot.catalog),
            &config,
        );
        check_and_render(&run, &config);
    });
});
