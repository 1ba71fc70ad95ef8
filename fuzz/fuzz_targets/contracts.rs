//! The contract loader and its `$ref` resolution. The input is split at its first NUL byte
//! into `contracts/api.yaml` (loaded) and `contracts/second.yaml` (reached only through
//! `$ref`s such as `second.yaml#/components/schemas/X`; the whole input again when there
//! is no NUL byte); the bundled example's `contracts/schemas/` sits beside them so that
//! the example's own relative `$ref`s resolve. Every `#/pointer` the input mentions is
//! resolved as a mapping's `file#/pointer` DTO would be, then the checks run with the
//! bundled specs and mapping, and every renderer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pgparity::config::Config;
use pgparity::contracts::load_contracts;
use pgparity_fuzz::{
    check_and_render, contract_options, copy_example_folder, example_mapping, example_specs,
    inputs, on_worker_stack, write_scratch_file,
};

/// More references than this adds time per input but no new paths.
const MAX_REFERENCES: usize = 64;

fuzz_target!(|data: &[u8]| {
    copy_example_folder("contracts/schemas");
    let (api, second) = match data.iter().position(|&byte| byte == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, data),
    };
    let api_path = write_scratch_file("contracts/api.yaml", api);
    write_scratch_file("contracts/second.yaml", second);
    let text = String::from_utf8_lossy(data);
    on_worker_stack(|| {
        let Ok(mut contracts) = load_contracts(&[api_path], &contract_options()) else {
            return;
        };
        for reference in pointer_references(&text).take(MAX_REFERENCES) {
            contracts.resolve_dto(&reference);
        }
        contracts.resolve_dto("second.yaml");
        let config = Config::default();
        let run = inputs(
            Some(example_specs()),
            Some(&contracts),
            Some(example_mapping()),
            None,
            &config,
        );
        check_and_render(&run, &config);
    });
});

/// `file#/pointer` and `#/pointer` references as they appear in the text (a `$ref` value,
/// a mapping's `dto:`), delimited by quotes, whitespace and YAML/JSON punctuation.
fn pointer_references(text: &str) -> impl Iterator<Item = String> + '_ {
    let delimiter = |c: char| c.is_whitespace() || "'\"{}[],".contains(c);
    text.match_indices("#/").map(move |(at, _)| {
        let start = text[..at].rfind(delimiter).map_or(0, |found| found + 1);
        let end = text[at..]
            .find(delimiter)
            .map_or(text.len(), |found| at + found);
        text[start..end].to_string()
    })
}
