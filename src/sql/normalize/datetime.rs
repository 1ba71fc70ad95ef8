//! Date and time literals in one spelling: the server reads `'2000-01-01'::timestamp`
//! into a value when the DDL runs and prints it back in its own form
//! (`'2000-01-01 00:00:00'::timestamp without time zone`), and a `timestamp with time
//! zone` in the session's time zone (`'1970-01-01 01:00:01+01'`). Both texts are read
//! into their value and printed one way: ISO 8601 with a space, seconds always,
//! fractional seconds without trailing zeros, and an instant with a zone at UTC
//! (`+00`).
//!
//! What cannot be decided is said, not guessed: a `timestamp with time zone` written
//! without an offset is read in the time zone of the session that ran the DDL, which
//! the specs do not state; `'now'`, `'today'` and their kin are read when the DDL runs;
//! other spellings (`'Jan 1 2020'`, BC dates) are outside this reader.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

/// The date and time types whose literals are read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimeType {
    /// `date`.
    Date,
    /// `time without time zone`.
    Time,
    /// `timestamp without time zone`.
    Timestamp,
    /// `timestamp with time zone`.
    TimestampTz,
}

impl TimeType {
    /// The type of a canonical type name, when it is one of these.
    pub(super) fn of(base: &str) -> Option<TimeType> {
        match base {
            "date" => Some(TimeType::Date),
            "time without time zone" => Some(TimeType::Time),
            "timestamp without time zone" => Some(TimeType::Timestamp),
            "timestamp with time zone" => Some(TimeType::TimestampTz),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TimeType::Date => "date",
            TimeType::Time => "time",
            TimeType::Timestamp => "timestamp",
            TimeType::TimestampTz => "timestamp with time zone",
        }
    }
}

/// The canonical text of a literal of `kind`, or why its value cannot be known from
/// the text alone.
pub(super) fn canonical_time(text: &str, kind: TimeType) -> Result<String, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    match lower.as_str() {
        "infinity" | "+infinity" | "-infinity" if kind != TimeType::Time => {
            return Ok(lower.trim_start_matches('+').to_string())
        }
        "epoch" if kind != TimeType::Time => {
            return canonical_time("1970-01-01 00:00:00+00", kind);
        }
        "now" | "today" | "tomorrow" | "yesterday" | "allballs" => {
            return Err(format!(
                "the {} literal '{trimmed}' is read when the DDL runs, so its stored value \
                 depends on that moment",
                kind.name()
            ))
        }
        _ => {}
    }
    let unreadable = || {
        format!(
            "the {} literal '{trimmed}' is not in the ISO 8601 form pgparity reads \
             (YYYY-MM-DD HH:MM:SS, with an offset for a timestamp with time zone); write it so",
            kind.name()
        )
    };
    let parsed = parse(trimmed, kind).ok_or_else(unreadable)?;
    Ok(match kind {
        TimeType::Date => parsed.at.date().format("%Y-%m-%d").to_string(),
        TimeType::Time => format_clock(parsed.at.time()),
        TimeType::Timestamp => format_timestamp(parsed.at),
        TimeType::TimestampTz => {
            let Some(offset) = parsed.offset_seconds else {
                return Err(format!(
                    "the timestamp with time zone literal '{trimmed}' has no UTC offset, so the \
                     server read it in the time zone of the session that ran the DDL, which the \
                     specs do not state; write the offset ('{trimmed}+00')"
                ));
            };
            let utc = parsed
                .at
                .checked_sub_signed(TimeDelta::seconds(offset))
                .ok_or_else(unreadable)?;
            format!("{}+00", format_timestamp(utc))
        }
    })
}

/// A literal read: the date and time it names (midnight for a date alone, 1970-01-01
/// for a time alone), and the offset east of UTC in seconds when one was written.
struct Parsed {
    at: NaiveDateTime,
    offset_seconds: Option<i64>,
}

fn parse(text: &str, kind: TimeType) -> Option<Parsed> {
    let (date, rest) = if kind == TimeType::Time {
        (NaiveDate::from_ymd_opt(1970, 1, 1)?, text)
    } else {
        date_part(text)?
    };
    let rest = rest.trim_start_matches(['T', 't', ' ']);
    let (time, offset_seconds, after) = if rest.is_empty() {
        (NaiveTime::MIN, None, rest)
    } else {
        let (time, after) = clock_part(rest)?;
        let (offset, after) = zone_part(after.trim_start())?;
        (time, offset, after)
    };
    if !after.trim().is_empty() {
        return None;
    }
    Some(Parsed {
        at: date.and_time(time),
        // A timestamp without time zone ignores a written zone, as the server does,
        // and a date its time.
        offset_seconds,
    })
}

/// `YYYY-MM-DD` at the start of `text`: the date and what follows.
fn date_part(text: &str) -> Option<(NaiveDate, &str)> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?;
    let month = parts.next()?;
    let rest = parts.next()?;
    let day_len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (day, after) = rest.split_at(day_len);
    if year.len() < 4 || !all_digits(year) || month.len() != 2 || !all_digits(month) {
        return None;
    }
    if day.len() != 2 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)?;
    Some((date, after))
}

/// `HH:MM[:SS[.ffffff]]` at the start of `text`: the time of day and what follows.
/// `24:00:00` is the end of the day, which the server keeps; it is outside this reader.
fn clock_part(text: &str) -> Option<(NaiveTime, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(text.len());
    let (clock, after) = text.split_at(end);
    let mut fields = clock.split(':');
    let hours = digits(fields.next()?, 2)?;
    let minutes = digits(fields.next()?, 2)?;
    let seconds = fields.next().unwrap_or("00");
    if fields.next().is_some() {
        return None;
    }
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let whole = digits(whole, 2)?;
    if fraction.len() > 6 || !all_digits(fraction) {
        return None;
    }
    let micros: u32 = format!("{fraction:0<6}").parse().ok()?;
    let time = NaiveTime::from_hms_micro_opt(
        u32::try_from(hours).ok()?,
        u32::try_from(minutes).ok()?,
        u32::try_from(whole).ok()?,
        micros,
    )?;
    Some((time, after))
}

/// An optional zone: `Z`, `UTC`, `+HH`, `+HH:MM`, `+HHMM` (or `-`): seconds east of UTC.
fn zone_part(text: &str) -> Option<(Option<i64>, &str)> {
    if text.is_empty() {
        return Some((None, text));
    }
    for utc in ["Z", "z", "UTC", "utc"] {
        if let Some(after) = text.strip_prefix(utc) {
            return Some((Some(0), after));
        }
    }
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let body = &text[1..];
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(body.len());
    let (zone, after) = body.split_at(end);
    let (hours, minutes) = match zone.split_once(':') {
        Some((hours, minutes)) => (digits(hours, 2)?, digits(minutes, 2)?),
        None if zone.len() == 4 => (digits(&zone[..2], 2)?, digits(&zone[2..], 2)?),
        None => (digits(zone, 2)?, 0),
    };
    if hours > 15 || minutes > 59 {
        return None;
    }
    Some((Some(sign * (hours * 3600 + minutes * 60)), after))
}

fn all_digits(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_digit())
}

/// A field of one or `width` digits.
fn digits(text: &str, width: usize) -> Option<i64> {
    (!text.is_empty() && text.len() <= width && all_digits(text))
        .then(|| text.parse().ok())
        .flatten()
}

/// A date and time as the server prints it: `YYYY-MM-DD HH:MM:SS`, then the fraction
/// without trailing zeros.
fn format_timestamp(at: NaiveDateTime) -> String {
    format!(
        "{} {}",
        at.date().format("%Y-%m-%d"),
        format_clock(at.time())
    )
}

/// A time of day as the server prints it (see [`format_timestamp`]).
fn format_clock(time: NaiveTime) -> String {
    let clock = time.format("%H:%M:%S").to_string();
    let micros = time.nanosecond() / 1_000;
    if micros == 0 {
        clock
    } else {
        format!("{clock}.{}", format!("{micros:06}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_read_as_the_server_prints_them() {
        let cases = [
            ("2000-01-01", TimeType::Timestamp, "2000-01-01 00:00:00"),
            (
                "2000-01-01T10:20",
                TimeType::Timestamp,
                "2000-01-01 10:20:00",
            ),
            (
                "2000-01-01 10:20:30.500",
                TimeType::Timestamp,
                "2000-01-01 10:20:30.5",
            ),
            (
                "2000-01-01 10:20:30+05",
                TimeType::Timestamp,
                "2000-01-01 10:20:30",
            ),
            (
                "1970-01-01 00:00:01+00:00",
                TimeType::TimestampTz,
                "1970-01-01 00:00:01+00",
            ),
            (
                "1970-01-01 01:00:01+01",
                TimeType::TimestampTz,
                "1970-01-01 00:00:01+00",
            ),
            (
                "2000-01-01 00:30:00+0100",
                TimeType::TimestampTz,
                "1999-12-31 23:30:00+00",
            ),
            (
                "2000-03-01 05:00:00 -05:30",
                TimeType::TimestampTz,
                "2000-03-01 10:30:00+00",
            ),
            (
                "2000-01-01 00:00:00Z",
                TimeType::TimestampTz,
                "2000-01-01 00:00:00+00",
            ),
            ("2024-02-29 10:00", TimeType::Date, "2024-02-29"),
            ("8:05", TimeType::Time, "08:05:00"),
            ("epoch", TimeType::TimestampTz, "1970-01-01 00:00:00+00"),
            ("Infinity", TimeType::Timestamp, "infinity"),
        ];
        for (text, kind, expected) in cases {
            assert_eq!(
                canonical_time(text, kind).as_deref(),
                Ok(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn what_the_text_does_not_fix_is_undecided_with_its_reason() {
        let zoneless = canonical_time("2000-01-01 00:00:00", TimeType::TimestampTz).unwrap_err();
        assert!(zoneless.contains("has no UTC offset"), "{zoneless}");
        let now = canonical_time("now", TimeType::Timestamp).unwrap_err();
        assert!(now.contains("read when the DDL runs"), "{now}");
        for text in [
            "Jan 1 2020",
            "2023-02-29",
            "2000-13-01",
            "2000-01-01 25:00",
            "20000101",
        ] {
            assert!(canonical_time(text, TimeType::Timestamp).is_err(), "{text}");
        }
    }
}
