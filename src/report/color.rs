//! Whether the text report gets colour: `--color`, then the environment variables that
//! users set once for every tool (<https://no-color.org>, <https://force-color.org>,
//! <https://bixense.com/clicolors/>), then whether standard output is a terminal.

use super::ColorChoice;
use std::ffi::OsString;

/// Whether text output gets colour. A flag on the command line wins over the
/// environment. Under `auto`, in this order: `FORCE_COLOR` non-empty colours (its
/// standard puts it over `NO_COLOR`, whatever its value); `NO_COLOR` non-empty does not
/// colour; `CLICOLOR_FORCE` non-empty and not `0` colours; `CLICOLOR=0` does not colour;
/// otherwise a terminal is coloured and anything else (a pipe, a file) is not.
///
/// `var` reads an environment variable (`std::env::var_os` in the binary), so the
/// decision can be tested without touching the process environment.
pub fn color_enabled(
    when: ColorChoice,
    stdout_is_terminal: bool,
    var: impl Fn(&str) -> Option<OsString>,
) -> bool {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    match when {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if set("FORCE_COLOR").is_some() {
                true
            } else if set("NO_COLOR").is_some() {
                false
            } else if set("CLICOLOR_FORCE").is_some_and(|value| value != "0") {
                true
            } else if var("CLICOLOR").is_some_and(|value| value == "0") {
                false
            } else {
                stdout_is_terminal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decision under `auto` with exactly these variables set.
    fn auto(terminal: bool, vars: &[(&str, &str)]) -> bool {
        color_enabled(ColorChoice::Auto, terminal, |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    #[test]
    fn auto_colours_a_terminal_unless_no_color_is_set_and_non_empty() {
        assert!(auto(true, &[]));
        assert!(!auto(false, &[]));
        assert!(!auto(true, &[("NO_COLOR", "1")]));
        assert!(!auto(true, &[("NO_COLOR", "0")]));
        assert!(auto(true, &[("NO_COLOR", "")]));
    }

    #[test]
    fn always_and_never_override_the_terminal_and_every_variable() {
        let everything =
            |name: &str| Some(OsString::from(if name == "CLICOLOR" { "0" } else { "1" }));
        assert!(color_enabled(ColorChoice::Always, false, everything));
        assert!(!color_enabled(ColorChoice::Never, true, everything));
        assert!(color_enabled(ColorChoice::Always, false, |_| None));
        assert!(!color_enabled(ColorChoice::Never, true, |_| None));
    }

    #[test]
    fn force_color_colours_a_pipe_whatever_its_value_and_over_no_color() {
        assert!(auto(false, &[("FORCE_COLOR", "1")]));
        assert!(auto(false, &[("FORCE_COLOR", "0")]));
        assert!(auto(false, &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
        assert!(auto(false, &[("FORCE_COLOR", "1"), ("CLICOLOR", "0")]));
        assert!(!auto(false, &[("FORCE_COLOR", "")]));
    }

    #[test]
    fn clicolor_force_colours_a_pipe_unless_no_color_or_zero() {
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(auto(false, &[("CLICOLOR_FORCE", "1"), ("CLICOLOR", "0")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "")]));
        assert!(!auto(true, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    }

    #[test]
    fn clicolor_zero_turns_a_terminal_plain_and_clicolor_one_does_not_colour_a_pipe() {
        assert!(!auto(true, &[("CLICOLOR", "0")]));
        assert!(auto(true, &[("CLICOLOR", "1")]));
        assert!(!auto(false, &[("CLICOLOR", "1")]));
        assert!(auto(true, &[("CLICOLOR", "")]));
    }
}
