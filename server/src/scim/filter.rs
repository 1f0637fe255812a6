//! SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths, parsed into a plain tree of attribute paths;
//! [`super::users`] and [`super::groups`] turn the tree into the core's typed filters.
//!
//! `or` binds looser than `and`, which binds looser than `not` and parentheses; operators and
//! attribute names are case-insensitive; strings are JSON strings. Two forms providers send
//! beyond the grammar are taken too: a bare word as a string (`externalId eq jyoung`), and a
//! value path followed by a sub-attribute in a comparison (`emails[type eq "work"].value eq "x"`).

use roster::domain::provisioning::{Comparison, FilterValue};

/// An attribute path: `name`, `name.sub`, or a value path `name[filter].sub`. Names are lower
/// case, without a core schema's URN.
#[derive(Clone, Debug, PartialEq)]
pub struct AttrPath {
    /// The schema URN the path named, lower case (extension attributes keep theirs).
    pub urn: Option<String>,
    pub name: String,
    pub sub: Option<String>,
    pub filter: Option<Box<Expr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Compare(AttrPath, Comparison, FilterValue),
    Present(AttrPath),
    /// A value path used as a condition: `emails[type eq "work"]`.
    Has(AttrPath),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Text(String),
    Word(String),
}

const CORE_URNS: [&str; 2] = [
    "urn:ietf:params:scim:schemas:core:2.0:user",
    "urn:ietf:params:scim:schemas:core:2.0:group",
];

fn tokens(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            '[' => tokens.push(Token::OpenBracket),
            ']' => tokens.push(Token::CloseBracket),
            '"' => {
                let mut end = None;
                let mut escaped = false;
                for (i, c) in chars.by_ref() {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or("a string is not closed")?;
                let text: String = serde_json::from_str(&input[start..=end])
                    .map_err(|_| format!("`{}` is not a valid string", &input[start..=end]))?;
                tokens.push(Token::Text(text));
            }
            _ => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"') {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                tokens.push(Token::Word(input[start..end].to_owned()));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

fn comparison(word: &str) -> Option<Comparison> {
    Some(match word.to_ascii_lowercase().as_str() {
        "eq" => Comparison::Eq,
        "ne" => Comparison::Ne,
        "co" => Comparison::Contains,
        "sw" => Comparison::StartsWith,
        "ew" => Comparison::EndsWith,
        "gt" => Comparison::Greater,
        "ge" => Comparison::GreaterOrEqual,
        "lt" => Comparison::Less,
        "le" => Comparison::LessOrEqual,
        _ => return None,
    })
}

/// Splits `urn:...:User:name.sub` into its URN, name and sub-attribute, lower case; a core
/// schema's URN is dropped.
pub fn split_path(path: &str) -> Result<(Option<String>, String, Option<String>), String> {
    let lower = path.to_ascii_lowercase();
    let (urn, rest) = match lower.rfind(':') {
        Some(i) => (Some(lower[..i].to_owned()), lower[i + 1..].to_owned()),
        None => (None, lower),
    };
    let urn = urn.filter(|urn| !CORE_URNS.contains(&urn.as_str()));
    let (name, sub) = match rest.split_once('.') {
        Some((name, sub)) => (name.to_owned(), Some(sub.to_owned())),
        None => (rest, None),
    };
    let valid = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'))
    };
    if !valid(&name) || sub.as_deref().is_some_and(|sub| !valid(sub)) {
        return Err(format!("`{path}` is not an attribute path"));
    }
    Ok((urn, name, sub))
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") && self.tokens.get(self.at + 1) == Some(&Token::Open) {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.group()?)));
        }
        if self.peek() == Some(&Token::Open) {
            return self.group();
        }
        self.attribute_expression()
    }

    fn group(&mut self) -> Result<Expr, String> {
        self.expect(Token::Open, "(")?;
        let inner = self.or()?;
        self.expect(Token::Close, ")")?;
        Ok(inner)
    }

    fn expect(&mut self, token: Token, shown: &str) -> Result<(), String> {
        match self.next() {
            Some(t) if t == token => Ok(()),
            _ => Err(format!("`{shown}` expected")),
        }
    }

    fn path(&mut self) -> Result<AttrPath, String> {
        let Some(Token::Word(word)) = self.next() else {
            return Err("an attribute name expected".to_owned());
        };
        let (urn, name, sub) = split_path(&word)?;
        if self.peek() != Some(&Token::OpenBracket) {
            return Ok(AttrPath {
                urn,
                name,
                sub,
                filter: None,
            });
        }
        if sub.is_some() {
            return Err(format!("`{word}[` is not an attribute path"));
        }
        self.at += 1;
        let inner = self.or()?;
        self.expect(Token::CloseBracket, "]")?;
        let sub = match self.peek() {
            Some(Token::Word(w)) if w.starts_with('.') => {
                let w = w[1..].to_ascii_lowercase();
                self.at += 1;
                Some(w)
            }
            _ => None,
        };
        Ok(AttrPath {
            urn,
            name,
            sub,
            filter: Some(Box::new(inner)),
        })
    }

    fn attribute_expression(&mut self) -> Result<Expr, String> {
        let path = self.path()?;
        let operator = match self.peek() {
            Some(Token::Word(w)) => w.clone(),
            _ if path.filter.is_some() && path.sub.is_none() => return Ok(Expr::Has(path)),
            _ => return Err("an operator expected".to_owned()),
        };
        if operator.eq_ignore_ascii_case("pr") {
            self.at += 1;
            return Ok(Expr::Present(path));
        }
        let Some(comparison) = comparison(&operator) else {
            if path.filter.is_some() && path.sub.is_none() {
                return Ok(Expr::Has(path));
            }
            return Err(format!("`{operator}` is not an operator"));
        };
        self.at += 1;
        let value = match self.next() {
            Some(Token::Text(text)) => FilterValue::Text(text),
            Some(Token::Word(word)) => match word.as_str() {
                "true" => FilterValue::Bool(true),
                "false" => FilterValue::Bool(false),
                "null" => FilterValue::Null,
                other => match other.parse::<f64>() {
                    Ok(number) => FilterValue::Number(number),
                    Err(_) => FilterValue::Text(other.to_owned()),
                },
            },
            _ => return Err(format!("a value expected after `{operator}`")),
        };
        Ok(Expr::Compare(path, comparison, value))
    }
}

/// Parses a filter; the error says what is wrong, for `invalidFilter`.
pub fn parse(input: &str) -> Result<Expr, String> {
    let mut parser = Parser {
        tokens: tokens(input)?,
        at: 0,
    };
    if parser.tokens.is_empty() {
        return Err("the filter is empty".to_owned());
    }
    let expr = parser.or()?;
    if parser.at < parser.tokens.len() {
        return Err("the filter goes on after its end".to_owned());
    }
    Ok(expr)
}

/// Parses a PATCH path: an attribute path, possibly a value path (`members[value eq "x"]`,
/// `emails[type eq "work"].value`).
pub fn parse_path(input: &str) -> Result<AttrPath, String> {
    let mut parser = Parser {
        tokens: tokens(input)?,
        at: 0,
    };
    let path = parser.path()?;
    if parser.at < parser.tokens.len() {
        return Err(format!("`{input}` is not an attribute path"));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str) -> AttrPath {
        AttrPath {
            urn: None,
            name: name.to_owned(),
            sub: None,
            filter: None,
        }
    }

    fn text(value: &str) -> FilterValue {
        FilterValue::Text(value.to_owned())
    }

    #[test]
    fn and_binds_tighter_than_or_and_names_ignore_case() {
        let parsed = parse(r#"userName EQ "a" or externalId eq "b" And active eq true"#).unwrap();
        assert_eq!(
            parsed,
            Expr::Or(
                Box::new(Expr::Compare(attr("username"), Comparison::Eq, text("a"))),
                Box::new(Expr::And(
                    Box::new(Expr::Compare(attr("externalid"), Comparison::Eq, text("b"))),
                    Box::new(Expr::Compare(
                        attr("active"),
                        Comparison::Eq,
                        FilterValue::Bool(true)
                    )),
                )),
            )
        );
    }

    #[test]
    fn strings_are_json_strings_and_bare_words_are_strings() {
        let parsed = parse(r#"userName eq "say \"hi\" \u00e9""#).unwrap();
        assert_eq!(
            parsed,
            Expr::Compare(attr("username"), Comparison::Eq, text("say \"hi\" é"))
        );
        let parsed = parse("externalId eq jyoung").unwrap();
        assert_eq!(
            parsed,
            Expr::Compare(attr("externalid"), Comparison::Eq, text("jyoung"))
        );
    }

    #[test]
    fn value_paths_urns_and_not() {
        let parsed = parse(
            r#"not (urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value co "@x")"#,
        )
        .unwrap();
        let Expr::Not(inner) = parsed else {
            panic!("not expected")
        };
        let Expr::Compare(path, Comparison::Contains, value) = *inner else {
            panic!("a comparison expected")
        };
        assert_eq!(path.name, "emails");
        assert_eq!(path.sub.as_deref(), Some("value"));
        assert_eq!(path.urn, None);
        assert_eq!(value, text("@x"));
        assert!(matches!(
            parse(r#"emails[type eq "work" and value sw "j"]"#).unwrap(),
            Expr::Has(_)
        ));
    }

    #[test]
    fn broken_filters_say_what_is_wrong() {
        for broken in [
            "",
            "userName",
            "userName eq",
            r#"userName zz "a""#,
            r#"userName eq "a"#,
            r#"(userName eq "a""#,
            r#"userName eq "a" extra"#,
            r#"emails[type eq "work""#,
            r#"1abc eq "a""#,
        ] {
            assert!(parse(broken).is_err(), "{broken:?} should be refused");
        }
    }

    #[test]
    fn patch_paths() {
        let path = parse_path(r#"members[value eq "2819c223"]"#).unwrap();
        assert_eq!(path.name, "members");
        assert!(path.filter.is_some());
        let path = parse_path("name.familyName").unwrap();
        assert_eq!(
            (path.name.as_str(), path.sub.as_deref()),
            ("name", Some("familyname"))
        );
        let path =
            parse_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber")
                .unwrap();
        assert_eq!(
            path.urn.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user")
        );
        assert!(parse_path("a b").is_err());
    }
}
