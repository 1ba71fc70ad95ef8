//! "Did you mean": the known name closest to a misspelt one, by Damerau–Levenshtein
//! distance (strsim), for unknown rule, DTO, endpoint, relation and column names.

/// The name among `known` closest to `name`, when it is close enough to be a typo: at
/// most one edit for names up to five characters, else a third of the name's length but
/// never more than three edits (`speculative-indexx` → `speculative-index`, `GET /orderz/{id}` →
/// `GET /orders/{id}`), or the one cut short or run on (`customer` → `customer_id`, both
/// at least four characters); case differences count as none. `None` when nothing is that
/// close or `name` itself is known. Ties go to the first candidate.
pub fn closest<'k>(name: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let wanted = name.to_lowercase();
    let limit = (name.chars().count() / 3).clamp(1, 3);
    let mut best: Option<(usize, &'k str)> = None;
    for candidate in known {
        if candidate == name {
            return None;
        }
        let lower = candidate.to_lowercase();
        let distance = strsim::damerau_levenshtein(&wanted, &lower);
        // A name cut short or run on (`customer` for `customer_id`) is a typo too.
        let extends = wanted.len().min(lower.len()) >= 4
            && (lower.starts_with(&wanted) || wanted.starts_with(&lower));
        if (distance <= limit || extends) && best.is_none_or(|(shortest, _)| distance < shortest) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// ` (did you mean X?)` when [`closest`] finds one, else nothing: for appending to a
/// message that names an unknown `name`.
pub fn did_you_mean<'k>(name: &str, known: impl IntoIterator<Item = &'k str>) -> String {
    closest(name, known).map_or_else(String::new, |near| format!(" (did you mean {near}?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_strangers_find_nothing() {
        let rules = ["speculative-index", "redundant-index", "unused-index"];
        assert_eq!(
            closest("speculative-indexx", rules),
            Some("speculative-index")
        );
        assert_eq!(closest("Redundant-Index", rules), Some("redundant-index"));
        assert_eq!(closest("unsed-index", rules), Some("unused-index"));
        assert_eq!(closest("missing-column", rules), None);
        assert_eq!(
            closest("speculative-index", rules),
            None,
            "known names need no hint"
        );
        assert_eq!(
            closest("GET /orderz/{id}", ["GET /orders/{id}", "GET /orders"]),
            Some("GET /orders/{id}")
        );
        assert_eq!(closest("ab", ["cd"]), None);
        assert_eq!(
            closest("customer", ["id", "customer_id"]),
            Some("customer_id")
        );
        assert_eq!(closest("id", ["identity"]), None);
        assert_eq!(
            closest(
                "GET /api/attribution/revenue/live",
                ["GET /api/attribution/revenue/realtime"]
            ),
            None,
            "a long shared prefix does not make another word a typo"
        );
        assert_eq!(
            did_you_mean("Ordr", ["Order", "Customer"]),
            " (did you mean Order?)"
        );
        assert_eq!(did_you_mean("Invoice", ["Order", "Customer"]), "");
    }
}
