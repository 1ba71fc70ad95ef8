//! What free text in a project says about its contracts: `METHOD /path` mentions, and
//! claims such as `api-contracts/openapi/v1/attribution.yaml:47-49 (total_revenue: number
//! float) → revenue_cents (integer)` that name a contract file, a line range, a field and
//! its JSON type. Mapping `contract_mapping:` strings, relation comments and spec-file
//! comments are read with these, so that what they claim can be checked and used as
//! evidence.

/// HTTP methods that start an endpoint mention.
const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// File extensions of contract documents.
const CONTRACT_EXTENSIONS: [&str; 3] = [".yaml", ".yml", ".json"];

/// A claim about a contract document, read from free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractClaim {
    /// The contract file as written (`api-contracts/openapi/v1/attribution.yaml`).
    pub file: String,
    /// The line range after the file (`:47-49`, `:47`, `#L47-L49`), first and last line.
    pub lines: Option<(u32, u32)>,
    /// The field in the parentheses after the file (`(total_revenue: number float)`).
    pub field: Option<String>,
    /// The JSON type the claim gives the field (`number`).
    pub json_type: Option<String>,
    /// The words after the JSON type (`float`), e.g. a format.
    pub format: Option<String>,
    /// A schema name in the parentheses after the file (`(RealtimeRevenueResponse)`).
    pub dto: Option<String>,
    /// The column after `→` or `->` (`revenue_cents`).
    pub column: Option<String>,
}

/// Every `METHOD /path` in `text`, method upper-case, query string and fragment dropped,
/// trailing punctuation trimmed (`GET /api/revenue?tenant_id=X.` → `GET /api/revenue`),
/// in the order they occur.
pub fn endpoint_mentions(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = Vec::new();
    for pair in words.windows(2) {
        let method = pair[0]
            .trim_start_matches(|c: char| !c.is_ascii_alphabetic())
            .trim_end_matches(':')
            .to_ascii_uppercase();
        let path = pair[1].trim_start_matches('`');
        if !HTTP_METHODS.contains(&method.as_str()) || !path.starts_with('/') {
            continue;
        }
        let path_end = path
            .find(['?', '#', ',', ')', ';', '"', '\'', ']', '`'])
            .unwrap_or(path.len());
        let path = path[..path_end].trim_end_matches(['.', ':']);
        if path.len() > 1 || path == "/" {
            found.push(format!("{method} {path}"));
        }
    }
    found
}

/// The claims `text` makes about contract files, one per file it names (a word ending in
/// `.yaml`, `.yml` or `.json`). Text that names no contract file makes no claim.
pub fn contract_claims(text: &str) -> Vec<ContractClaim> {
    let mut claims = Vec::new();
    let mut rest = text;
    while let Some((start, end)) = next_file(rest) {
        let file = rest[start..end].to_string();
        let mut after = &rest[end..];
        let (lines, consumed) = line_range(after);
        after = &after[consumed..];
        let mut claim = ContractClaim {
            file,
            lines,
            field: None,
            json_type: None,
            format: None,
            dto: None,
            column: None,
        };
        let trimmed = after.trim_start();
        if let Some(inside) = trimmed.strip_prefix('(') {
            if let Some(close) = inside.find(')') {
                read_parenthesized(&inside[..close], &mut claim);
                after = &inside[close + 1..];
            }
        }
        // The column is what follows an arrow before the next file is named.
        let until_next = next_file(after).map_or(after.len(), |(start, _)| start);
        claim.column = arrow_target(&after[..until_next]);
        claims.push(claim);
        rest = after;
    }
    claims
}

/// Byte range of the next contract file name in `text`.
fn next_file(text: &str) -> Option<(usize, usize)> {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-');
    let mut search_from = 0;
    while search_from < text.len() {
        let found = CONTRACT_EXTENSIONS
            .iter()
            .filter_map(|extension| {
                text[search_from..]
                    .to_ascii_lowercase()
                    .find(extension)
                    .map(|at| (search_from + at, extension.len()))
            })
            .min_by_key(|(at, _)| *at)?;
        let (at, length) = found;
        let end = at + length;
        let followed_by_path_char = text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_path_char(*c))
            .last()
            .map_or(at, |(index, _)| index);
        if !followed_by_path_char && start < at {
            return Some((start, end));
        }
        search_from = end;
    }
    None
}

/// `:47-49`, `:47`, `#L47-L49` or `#L47` right after a file name: the range and how many
/// bytes it took.
fn line_range(text: &str) -> (Option<(u32, u32)>, usize) {
    let (prefix_length, allow_l) = if text.starts_with("#L") {
        (2, true)
    } else if text.starts_with(':') {
        (1, false)
    } else {
        return (None, 0);
    };
    let digits = |from: &str| from.chars().take_while(char::is_ascii_digit).count();
    let body = &text[prefix_length..];
    let first_length = digits(body);
    let Ok(first) = body[..first_length].parse::<u32>() else {
        return (None, 0);
    };
    let mut consumed = prefix_length + first_length;
    let mut last = first;
    if let Some(after_dash) = body[first_length..].strip_prefix('-') {
        let after_dash = match after_dash.strip_prefix('L') {
            Some(stripped) if allow_l => stripped,
            _ => after_dash,
        };
        let last_length = digits(after_dash);
        if let Ok(parsed) = after_dash[..last_length].parse::<u32>() {
            consumed = text.len() - after_dash.len() + last_length;
            last = parsed;
        }
    }
    (Some((first, last)), consumed)
}

/// `total_revenue: number float` or `RealtimeRevenueResponse`.
fn read_parenthesized(inside: &str, claim: &mut ContractClaim) {
    let inside = inside.trim().trim_matches('`');
    match inside.split_once(':') {
        Some((field, type_words)) => {
            let field = field.trim().trim_matches('`');
            if is_identifier(field) {
                claim.field = Some(field.to_string());
                let mut words = type_words.split_whitespace();
                claim.json_type = words.next().map(|word| word.to_ascii_lowercase());
                let format: Vec<&str> = words.collect();
                if !format.is_empty() {
                    claim.format = Some(format.join(" "));
                }
            }
        }
        None if is_identifier(inside) => claim.dto = Some(inside.to_string()),
        None => {}
    }
}

/// The identifier after `→` or `->` in `text`, if any.
fn arrow_target(text: &str) -> Option<String> {
    let at = text
        .find('→')
        .map(|at| at + '→'.len_utf8())
        .or_else(|| text.find("->").map(|at| at + 2))?;
    let name: String = text[at..]
        .trim_start()
        .trim_start_matches('`')
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let name = name.trim_end_matches('.');
    (!name.is_empty()).then(|| name.rsplit('.').next().unwrap_or(name).to_string())
}

/// A plain identifier: letters, digits and underscores, not starting with a digit.
pub(crate) fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_found_anywhere_in_free_text() {
        assert_eq!(
            endpoint_mentions(
                "Aggregates revenue for GET /api/attribution/revenue/realtime endpoint; \
                 also `post /v1/x?tenant_id=X`, then GET /a/b."
            ),
            [
                "GET /api/attribution/revenue/realtime",
                "POST /v1/x",
                "GET /a/b"
            ]
        );
        assert!(endpoint_mentions("get the /usr path? no: GETS /x").is_empty());
    }

    #[test]
    fn a_claim_names_a_file_a_range_a_field_its_type_and_a_column() {
        assert_eq!(
            contract_claims(
                "api-contracts/openapi/v1/attribution.yaml:47-49 (total_revenue: number float) → revenue_cents (integer)"
            ),
            [ContractClaim {
                file: "api-contracts/openapi/v1/attribution.yaml".into(),
                lines: Some((47, 49)),
                field: Some("total_revenue".into()),
                json_type: Some("number".into()),
                format: Some("float".into()),
                dto: None,
                column: Some("revenue_cents".into()),
            }]
        );
        let header = contract_claims(
            "Contract Mapping: api-contracts/openapi/v1/attribution.yaml:39-64 (RealtimeRevenueResponse)",
        );
        assert_eq!(header[0].lines, Some((39, 64)));
        assert_eq!(header[0].dto.as_deref(), Some("RealtimeRevenueResponse"));
        let github =
            contract_claims("see `api/orders.json#L10-L12` (id: string uuid) -> t.order_id");
        assert_eq!(github[0].file, "api/orders.json");
        assert_eq!(github[0].lines, Some((10, 12)));
        assert_eq!(github[0].column.as_deref(), Some("order_id"));
        let two = contract_claims("a.yaml:3 (x: integer) → c1; b.yml (y: string) → c2");
        assert_eq!(two.len(), 2);
        assert_eq!(two[0].column.as_deref(), Some("c1"));
        assert_eq!((two[1].lines, two[1].column.as_deref()), (None, Some("c2")));
    }

    #[test]
    fn free_text_makes_no_claim() {
        assert!(contract_claims("RealtimeRevenueResponse.total_revenue = sum / 100.0").is_empty());
        assert!(contract_claims("free text is fine").is_empty());
        assert!(contract_claims("see .yaml files and x.yamlish").is_empty());
    }
}
