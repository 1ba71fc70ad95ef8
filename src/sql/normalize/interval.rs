//! Interval literals in one spelling: the server stores `interval '1 hour'` as months,
//! days and microseconds and prints it back as `'01:00:00'::interval`, so both texts
//! are read into those three numbers and printed the way PostgreSQL's default
//! `IntervalStyle` (`postgres`) does.

/// The canonical text of an interval literal, or `None` when the text uses a form this
/// reader does not know (ISO 8601, `ago`, fractional days or months, …): then the text
/// is compared as written.
pub(super) fn canonical_interval(text: &str) -> Option<String> {
    let mut months: i64 = 0;
    let mut days: i64 = 0;
    let mut micros: i64 = 0;
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let mut index = 0;
    while index < words.len() {
        let word = words[index];
        if word.contains(':') {
            micros = micros.checked_add(clock_micros(word)?)?;
            index += 1;
            continue;
        }
        let (number, attached) = split_number(word);
        let unit = if attached.is_empty() {
            index += 1;
            *words.get(index)?
        } else {
            attached
        };
        index += 1;
        match unit_of(unit)? {
            Unit::Micros(per_unit) => {
                let value: f64 = number.parse().ok()?;
                let amount = (value * per_unit as f64).round();
                if !amount.is_finite() || amount.abs() > i64::MAX as f64 / 2.0 {
                    return None;
                }
                micros = micros.checked_add(amount as i64)?;
            }
            Unit::Days(per_unit) => {
                let value: i64 = number.parse().ok()?;
                days = days.checked_add(value.checked_mul(per_unit)?)?;
            }
            Unit::Months(per_unit) => {
                let value: i64 = number.parse().ok()?;
                months = months.checked_add(value.checked_mul(per_unit)?)?;
            }
        }
    }
    Some(print(months, days, micros))
}

enum Unit {
    Micros(i64),
    Days(i64),
    Months(i64),
}

fn unit_of(word: &str) -> Option<Unit> {
    const SECOND: i64 = 1_000_000;
    let unit = match word.to_ascii_lowercase().trim_end_matches(',') {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" => Unit::Micros(1),
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => Unit::Micros(1_000),
        "second" | "seconds" | "s" | "sec" | "secs" => Unit::Micros(SECOND),
        "minute" | "minutes" | "m" | "min" | "mins" => Unit::Micros(60 * SECOND),
        "hour" | "hours" | "h" | "hr" | "hrs" => Unit::Micros(3_600 * SECOND),
        "day" | "days" | "d" => Unit::Days(1),
        "week" | "weeks" | "w" => Unit::Days(7),
        "mon" | "mons" | "month" | "months" => Unit::Months(1),
        "year" | "years" | "y" | "yr" | "yrs" => Unit::Months(12),
        "decade" | "decades" => Unit::Months(120),
        "century" | "centuries" => Unit::Months(1_200),
        "millennium" | "millennia" | "millenniums" => Unit::Months(12_000),
        _ => return None,
    };
    Some(unit)
}

/// `3days` → (`3`, `days`); `3` → (`3`, ``).
fn split_number(word: &str) -> (&str, &str) {
    let end = word
        .char_indices()
        .find(|(offset, c)| {
            !(c.is_ascii_digit() || *c == '.' || (*offset == 0 && matches!(c, '-' | '+')))
        })
        .map_or(word.len(), |(offset, _)| offset);
    (&word[..end], &word[end..])
}

/// `[-]HH:MM[:SS[.ffffff]]` in microseconds.
fn clock_micros(word: &str) -> Option<i64> {
    let (negative, clock) = match word.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, word.strip_prefix('+').unwrap_or(word)),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [hours, minutes] => (*hours, *minutes, "0"),
        [hours, minutes, seconds] => (*hours, *minutes, *seconds),
        _ => return None,
    };
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.parse().ok()?;
    let seconds: f64 = seconds.parse().ok()?;
    if !(0..60).contains(&minutes) || !(0.0..60.0).contains(&seconds) {
        return None;
    }
    let total = hours
        .checked_mul(3_600_000_000)?
        .checked_add(minutes * 60_000_000)?
        .checked_add((seconds * 1_000_000.0).round() as i64)?;
    Some(if negative { -total } else { total })
}

/// As PostgreSQL prints with `IntervalStyle = postgres`: `1 year 2 mons 3 days 04:05:06`.
fn print(months: i64, days: i64, micros: i64) -> String {
    let mut parts = Vec::new();
    let plural = |count: i64, one: &str, many: &str| {
        format!("{count} {}", if count.abs() == 1 { one } else { many })
    };
    let (years, months) = (months / 12, months % 12);
    if years != 0 {
        parts.push(plural(years, "year", "years"));
    }
    if months != 0 {
        parts.push(plural(months, "mon", "mons"));
    }
    if days != 0 {
        parts.push(plural(days, "day", "days"));
    }
    if micros != 0 || parts.is_empty() {
        let sign = if micros < 0 { "-" } else { "" };
        let magnitude = micros.unsigned_abs();
        let seconds = magnitude / 1_000_000;
        let fraction = magnitude % 1_000_000;
        let mut clock = format!(
            "{sign}{:02}:{:02}:{:02}",
            seconds / 3_600,
            seconds / 60 % 60,
            seconds % 60
        );
        if fraction != 0 {
            let digits = format!("{fraction:06}");
            clock.push('.');
            clock.push_str(digits.trim_end_matches('0'));
        }
        parts.push(clock);
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::canonical_interval;

    #[test]
    fn spellings_of_one_interval_print_alike() {
        for (written, printed) in [
            ("1 hour", "01:00:00"),
            ("90 minutes", "01:30:00"),
            ("1.5 hours", "01:30:00"),
            ("30 days", "30 days"),
            ("2 weeks", "14 days"),
            ("1 day 2 hours", "1 day 02:00:00"),
            ("14 months", "1 year 2 mons"),
            ("1 year", "1 year"),
            ("500 ms", "00:00:00.5"),
            ("-1 hour", "-01:00:00"),
            ("00:00:00", "00:00:00"),
        ] {
            assert_eq!(
                canonical_interval(written).as_deref(),
                Some(printed),
                "{written}"
            );
            assert_eq!(
                canonical_interval(printed).as_deref(),
                Some(printed),
                "{printed}"
            );
        }
    }

    #[test]
    fn unknown_forms_are_left_alone() {
        assert_eq!(canonical_interval("P1D"), None);
        assert_eq!(canonical_interval("1 day ago"), None);
        assert_eq!(canonical_interval("1.5 days"), None);
        assert_eq!(canonical_interval(""), None);
        assert_eq!(canonical_interval("1 fortnight"), None);
    }
}
