//! Connection strings — the URL form (`postgres://…`) and the key/value form
//! (`host=… dbname=…`) — parsed into libpq parameters.
//!
//! A malformed string may hold a password anywhere: a `/` or `?` in an unencoded
//! password ends the URL's host part, a space ends an unquoted value, a whole `--db`
//! value may be a password pasted in the wrong place. So errors name the position
//! (character offset, counted from 1) and the problem, and never quote any part of the
//! string; only parameter names pgparity or libpq define are named.

use super::LiveError;
use std::collections::BTreeMap;

/// One parameter's value and where it came from, for messages that must not quote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Parameter {
    /// The value, decoded.
    pub(super) value: String,
    /// Where it was given: `PGPORT`, or `the connection string, character 23 (port)`.
    pub(super) origin: String,
}

/// libpq parameter names and their values.
pub(super) type Parameters = BTreeMap<String, Parameter>;

/// The parameters pgparity uses.
pub(super) const SUPPORTED: [&str; 14] = [
    "host",
    "port",
    "user",
    "password",
    "passfile",
    "dbname",
    "service",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "application_name",
    "connect_timeout",
    "options",
];

/// libpq's other parameter names: fixed words, so a message may name them.
pub(super) const OTHER_LIBPQ: [&str; 28] = [
    "hostaddr",
    "require_auth",
    "channel_binding",
    "client_encoding",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslnegotiation",
    "sslcompression",
    "sslpassword",
    "sslcertmode",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "target_session_attrs",
    "load_balance_hosts",
    "min_protocol_version",
];

/// How to write a value that holds special characters, for URL errors.
const PERCENT_HINT: &str = "percent-encode special characters in a user name or password \
                            (`/` %2F, `?` %3F, `@` %40, `:` %3A, `#` %23, `%` %25, space %20)";

/// Parses `text`, named `label` in messages (`the connection string`, `DATABASE_URL`).
pub(super) fn parse(text: &str, label: &str) -> Result<Parameters, LiveError> {
    let source = Source { text, label };
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    let body = &text[start..end.max(start)];
    let lower = body.to_ascii_lowercase();
    if let Some(scheme) = ["postgresql://", "postgres://"]
        .into_iter()
        .find(|scheme| body.starts_with(scheme))
    {
        parse_url(&source, start + scheme.len(), end)
    } else if body.contains("://") {
        Err(source.error(
            start,
            "a URL must start with postgres:// or postgresql:// (lower case); this one has \
             another scheme",
        ))
    } else if lower.starts_with("postgres") && !lower.starts_with("postgres=") {
        Err(source.error(
            start,
            "this looks like a URL with a mistyped scheme: write postgres://user@host/dbname \
             (or postgresql://…)",
        ))
    } else {
        parse_key_values(&source, start, end)
    }
}

/// The string being parsed, for errors that point into it.
struct Source<'a> {
    text: &'a str,
    label: &'a str,
}

impl Source<'_> {
    /// `the connection string, character 17` for the byte offset `byte`.
    fn at(&self, byte: usize) -> String {
        let character = self.text[..byte].chars().count() + 1;
        format!("{}, character {character}", self.label)
    }

    fn error(&self, byte: usize, problem: &str) -> LiveError {
        LiveError::invalid(format!("{}: {problem}", self.at(byte)))
    }

    /// Records `key = value` given at `byte`: only supported names, each once.
    fn insert(
        &self,
        parameters: &mut Parameters,
        key: &str,
        value: String,
        byte: usize,
    ) -> Result<(), LiveError> {
        if !SUPPORTED.contains(&key) {
            let named = if OTHER_LIBPQ.contains(&key) {
                format!("`{key}` is a libpq parameter that pgparity does not support")
            } else {
                "this is not a connection parameter pgparity knows (its name is not shown: it \
                 might be a misplaced password)"
                    .to_string()
            };
            return Err(self.error(
                byte,
                &format!(
                    "{named}; use host, port, user, password, passfile, dbname, service, \
                     sslmode, sslrootcert, sslcert, sslkey, application_name, \
                     connect_timeout or options"
                ),
            ));
        }
        if let Some(first) = parameters.get(key) {
            return Err(self.error(
                byte,
                &format!(
                    "`{key}` is given a second time (first: {}); give it once",
                    first.origin
                ),
            ));
        }
        if value.contains('\0') {
            return Err(self.error(byte, &format!("the value of `{key}` contains a NUL byte")));
        }
        let origin = format!("{} ({key})", self.at(byte));
        parameters.insert(key.to_string(), Parameter { value, origin });
        Ok(())
    }
}

/// `postgres://[user[:password]@][host[:port][,…]][/dbname][?key=value&…]`, from byte
/// `start` (after the scheme) to `end`.
fn parse_url(source: &Source, start: usize, end: usize) -> Result<Parameters, LiveError> {
    let text = source.text;
    for (offset, c) in text[start..end].char_indices() {
        let problem = match c {
            c if c.is_whitespace() => "a URL cannot contain spaces",
            '#' => "a URL cannot contain an unencoded `#`",
            c if c.is_control() => "a URL cannot contain control characters",
            _ => continue,
        };
        return Err(source.error(start + offset, &format!("{problem}; {PERCENT_HINT}")));
    }
    let authority_end = text[start..end]
        .find(['/', '?'])
        .map_or(end, |offset| start + offset);
    if let Some(offset) = text[authority_end..end].find('@') {
        return Err(source.error(
            authority_end + offset,
            &format!("an `@` after the host part (a `/` or `?` ended it); {PERCENT_HINT}"),
        ));
    }
    let mut parameters = Parameters::new();
    let hosts_start = match text[start..authority_end].find('@') {
        Some(offset) => {
            let at = start + offset;
            if let Some(second) = text[at + 1..authority_end].find('@') {
                return Err(source.error(
                    at + 1 + second,
                    &format!("a second `@` in the user and host part; {PERCENT_HINT}"),
                ));
            }
            match text[start..at].find(':') {
                Some(offset) => {
                    let colon = start + offset;
                    let user = decode(source, start, colon, "the user name")?;
                    if !user.is_empty() {
                        source.insert(&mut parameters, "user", user, start)?;
                    }
                    let password = decode(source, colon + 1, at, "the password")?;
                    source.insert(&mut parameters, "password", password, colon + 1)?;
                }
                None => {
                    let user = decode(source, start, at, "the user name")?;
                    if !user.is_empty() {
                        source.insert(&mut parameters, "user", user, start)?;
                    }
                }
            }
            at + 1
        }
        None => start,
    };
    parse_hosts(source, &mut parameters, hosts_start, authority_end)?;
    let query_start = text[authority_end..end]
        .find('?')
        .map_or(end, |offset| authority_end + offset);
    if authority_end < query_start {
        let dbname = decode(source, authority_end + 1, query_start, "the database name")?;
        if !dbname.is_empty() {
            source.insert(&mut parameters, "dbname", dbname, authority_end + 1)?;
        }
    }
    let mut pair_start = query_start + 1;
    while pair_start <= end {
        let pair_end = text[pair_start..end]
            .find('&')
            .map_or(end, |offset| pair_start + offset);
        if pair_start < pair_end {
            let Some(offset) = text[pair_start..pair_end].find('=') else {
                return Err(source.error(
                    pair_start,
                    &format!("a URL parameter without `=value`; {PERCENT_HINT}"),
                ));
            };
            let equals = pair_start + offset;
            if equals == pair_start {
                return Err(source.error(pair_start, "a URL parameter without a name before `=`"));
            }
            let key = decode(source, pair_start, equals, "a parameter name")?;
            let value = decode(source, equals + 1, pair_end, "a parameter value")?;
            let key = match key.as_str() {
                "ssl" => "sslmode",
                "database" => "dbname",
                other => other,
            };
            source.insert(&mut parameters, key, value, pair_start)?;
        }
        pair_start = pair_end + 1;
    }
    Ok(parameters)
}

/// `host[:port]` or `[ipv6][:port]` entries separated by commas.
fn parse_hosts(
    source: &Source,
    parameters: &mut Parameters,
    start: usize,
    end: usize,
) -> Result<(), LiveError> {
    let text = source.text;
    if start == end {
        return Ok(());
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    let mut entry_start = start;
    for number in 1.. {
        let entry_end = text[entry_start..end]
            .find(',')
            .map_or(end, |offset| entry_start + offset);
        let entry = &text[entry_start..entry_end];
        let (host_end, port_start) = if let Some(inside) = entry.strip_prefix('[') {
            let Some(close) = inside.find(']') else {
                return Err(source.error(
                    entry_start,
                    "the `[` of an IPv6 address is not closed with `]`",
                ));
            };
            let close = entry_start + 1 + close;
            match &text[close + 1..entry_end] {
                "" => (close, None),
                after if after.starts_with(':') => (close, Some(close + 2)),
                _ => {
                    return Err(source.error(
                        close + 1,
                        "after the `]` of an IPv6 address only `:port` may follow",
                    ))
                }
            }
        } else {
            match entry
                .match_indices(':')
                .map(|(offset, _)| offset)
                .collect::<Vec<_>>()[..]
            {
                [] => (entry_end, None),
                [colon] => (entry_start + colon, Some(entry_start + colon + 1)),
                _ => {
                    return Err(source.error(
                        entry_start,
                        &format!(
                            "host {number} has more than one `:`: write an IPv6 address in \
                             brackets ([::1]:5432); {PERCENT_HINT}"
                        ),
                    ))
                }
            }
        };
        let host_start = if entry.starts_with('[') {
            entry_start + 1
        } else {
            entry_start
        };
        let host = decode(source, host_start, host_end, "a host name")?;
        if host.is_empty() {
            return Err(source.error(
                entry_start,
                &format!("host {number} is empty: give a host name or address"),
            ));
        }
        hosts.push(host);
        if let Some(port_start) = port_start {
            let port = &text[port_start..entry_end];
            if port.is_empty() || !port.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(source.error(
                    port_start,
                    &format!(
                        "the port of host {number} is not a number from 1 to 65535 (a password \
                         goes between `:` and `@`: user:password@host); {PERCENT_HINT}"
                    ),
                ));
            }
            ports.push(port.to_string());
        }
        if entry_end == end {
            break;
        }
        entry_start = entry_end + 1;
    }
    source.insert(parameters, "host", hosts.join(","), start)?;
    if !ports.is_empty() {
        source.insert(parameters, "port", ports.join(","), start)?;
    }
    Ok(())
}

/// Percent-decodes `text[start..end]`, `what` naming the part in errors.
fn decode(source: &Source, start: usize, end: usize, what: &str) -> Result<String, LiveError> {
    let bytes = &source.text.as_bytes()[start..end];
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| {
                    source.error(
                        start + index,
                        &format!(
                            "a `%` in {what} is not followed by two hex digits; write a \
                             literal `%` as %25"
                        ),
                    )
                })?;
            out.push(hex);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| source.error(start, &format!("{what} is not UTF-8 once percent-decoded")))
}

/// `key=value` pairs separated by whitespace; values may be quoted with `'` and use `\`
/// escapes, as libpq reads them.
fn parse_key_values(source: &Source, start: usize, end: usize) -> Result<Parameters, LiveError> {
    let text = &source.text[..end];
    let mut parameters = Parameters::new();
    let mut chars = text[start..]
        .char_indices()
        .map(|(offset, c)| (start + offset, c))
        .peekable();
    let skip_whitespace = |chars: &mut std::iter::Peekable<_>| {
        while chars
            .next_if(|(_, c): &(usize, char)| c.is_whitespace())
            .is_some()
        {}
    };
    loop {
        skip_whitespace(&mut chars);
        let Some(&(key_start, _)) = chars.peek() else {
            break;
        };
        let mut key = String::new();
        while let Some((_, c)) = chars.next_if(|(_, c)| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        skip_whitespace(&mut chars);
        if chars.next_if(|(_, c)| *c == '=').is_none() {
            return Err(source.error(
                key_start,
                "a word without `=value`: write key=value pairs separated by spaces, put a \
                 value that contains spaces in single quotes ('a b'), or write a postgres:// \
                 URL",
            ));
        }
        if key.is_empty() {
            return Err(source.error(key_start, "a `=` without a parameter name before it"));
        }
        skip_whitespace(&mut chars);
        let mut value = String::new();
        if let Some((quote, _)) = chars.next_if(|(_, c)| *c == '\'') {
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    '\'' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(source.error(
                    quote,
                    "the quoted value that starts here is not closed with `'` (write `\\'` \
                     for a quote inside it)",
                ));
            }
        } else {
            while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next().map(|(_, c)| c));
                } else {
                    value.push(c);
                }
            }
        }
        source.insert(&mut parameters, &key, value, key_start)?;
    }
    Ok(parameters)
}
