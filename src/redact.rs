//! Passwords never reach a message, an error or a report: every connection string that is
//! shown goes through [`mask_password`].

/// Replaces the password in a connection string with `***`: the URL forms
/// `postgres://user:secret@host/db` and `postgresql://…`, `?password=…`/`&password=…`
/// query parameters, and the key/value form `password=secret` (quoted or not). Text
/// without a password is returned unchanged.
pub fn mask_password(text: &str) -> String {
    let masked = mask_url_userinfo(text);
    mask_key_values(&masked)
}

fn mask_url_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme_end) = rest.find("://") {
        let (before, after) = rest.split_at(scheme_end + 3);
        out.push_str(before);
        // A password with an unencoded `/`, `?` or `#` ends the authority early
        // (`postgres://u:a/b@h/db`): then the last `@` of the word closes the user info,
        // and masking too much is the safe side.
        let word_end = after.find(char::is_whitespace).unwrap_or(after.len());
        let authority_end = match after[..word_end].rfind('@') {
            Some(at) => after[at..word_end]
                .find(['/', '?', '#'])
                .map_or(word_end, |end| at + end),
            None => after.find(['/', '?', '#', ' ']).unwrap_or(after.len()),
        };
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

fn mask_key_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut position = 0;
    while let Some(found) = lower[position..].find("password") {
        let key_start = position + found;
        let mut cursor = key_start + "password".len();
        let bytes = text.as_bytes();
        let boundary_before = key_start == 0
            || !(bytes[key_start - 1].is_ascii_alphanumeric() || bytes[key_start - 1] == b'_');
        while cursor < bytes.len() && bytes[cursor] == b' ' {
            cursor += 1;
        }
        if !boundary_before || cursor >= bytes.len() || bytes[cursor] != b'=' {
            out.push_str(&text[position..key_start + "password".len()]);
            position = key_start + "password".len();
            continue;
        }
        cursor += 1;
        while cursor < bytes.len() && bytes[cursor] == b' ' {
            cursor += 1;
        }
        out.push_str(&text[position..cursor]);
        let value_end = if bytes.get(cursor) == Some(&b'\'') {
            let mut end = cursor + 1;
            while end < bytes.len() {
                if bytes[end] == b'\\' {
                    end += 2;
                    continue;
                }
                if bytes[end] == b'\'' {
                    end += 1;
                    break;
                }
                end += 1;
            }
            end.min(bytes.len())
        } else {
            text[cursor..]
                .find([' ', '&', '#'])
                .map_or(text.len(), |end| cursor + end)
        };
        if value_end > cursor {
            out.push_str("***");
        }
        position = value_end;
    }
    out.push_str(&text[position..]);
    out
}

#[cfg(test)]
mod tests {
    use super::mask_password;

    #[test]
    fn masks_every_password_form() {
        assert_eq!(
            mask_password("postgres://app:s3cr%40t@db:5432/ledger"),
            "postgres://app:***@db:5432/ledger"
        );
        assert_eq!(
            mask_password("postgresql://app@db/ledger"),
            "postgresql://app@db/ledger"
        );
        assert_eq!(
            mask_password("postgresql://db/ledger?user=app&password=hunter2&sslmode=require"),
            "postgresql://db/ledger?user=app&password=***&sslmode=require"
        );
        assert_eq!(
            mask_password("host=db user=app password='a b\\'c' dbname=x"),
            "host=db user=app password=*** dbname=x"
        );
        assert_eq!(
            mask_password("host=db password=hunter2"),
            "host=db password=***"
        );
        assert_eq!(
            mask_password(
                "error connecting to postgres://u:pw@h/d: password authentication failed"
            ),
            "error connecting to postgres://u:***@h/d: password authentication failed"
        );
        assert_eq!(mask_password("no secrets here"), "no secrets here");
        assert_eq!(
            mask_password("postgres://u:abc/def@h/db and postgres://u:abc?def@h/db?x=1"),
            "postgres://u:***@h/db and postgres://u:***@h/db?x=1"
        );
        assert_eq!(
            mask_password("postgresql://u:a#b@h:5432/db"),
            "postgresql://u:***@h:5432/db"
        );
    }
}
