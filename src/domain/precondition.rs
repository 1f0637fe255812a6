//! Conditional writes: what `If-Match` asks of the resource a `PATCH` or `DELETE` changes.

/// The state a write expects to find. The core compares it with the resource's entity tag
/// inside the write's transaction, on the locked row, so it holds under races.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: the write goes ahead whatever the resource looks like.
    #[default]
    None,
    /// `If-Match: *`: any current version will do.
    Any,
    /// `If-Match: "a", "b"`: one of these tags must be the current one.
    OneOf(Vec<String>),
}

impl Precondition {
    /// Reads an `If-Match` header value. Weak tags (`W/"..."`) are kept, and never match: a
    /// conditional write compares tags strongly.
    pub fn from_if_match(value: &str) -> Self {
        if value.trim() == "*" {
            return Precondition::Any;
        }
        Precondition::OneOf(
            value
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Whether a resource whose entity tag is `current` meets the condition.
    pub fn allows(&self, current: &str) -> bool {
        match self {
            Precondition::None | Precondition::Any => true,
            Precondition::OneOf(tags) => tags.iter().any(|tag| tag == current),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_compares_strongly() {
        let current = "\"abc\"";
        assert!(Precondition::None.allows(current));
        assert!(Precondition::from_if_match(" * ").allows(current));
        assert!(Precondition::from_if_match("\"abc\"").allows(current));
        assert!(Precondition::from_if_match("\"x\", \"abc\"").allows(current));
        assert!(!Precondition::from_if_match("W/\"abc\"").allows(current));
        assert!(!Precondition::from_if_match("abc").allows(current));
        assert!(!Precondition::from_if_match("").allows(current));
        assert!(!Precondition::from_if_match("\"abd\"").allows(current));
    }
}
