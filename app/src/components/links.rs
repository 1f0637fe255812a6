//! Links that carry a list's view in their query string.

/// Percent-encodes a query-string value: everything but RFC 3986's unreserved characters.
pub fn encode_query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_are_encoded() {
        assert_eq!(encode_query_value("a b&c=d:é"), "a%20b%26c%3Dd%3A%C3%A9");
        assert_eq!(encode_query_value("user:update"), "user%3Aupdate");
    }
}
