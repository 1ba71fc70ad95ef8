//! Normalizes SQL expressions so that equal meaning compares equal.
