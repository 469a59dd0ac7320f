//! AUTOSAR numerical value formats (AUTOSAR_TPS_GenericStructureTemplate, primitive `Integer`):
//! decimal `[+-]?[1-9][0-9]*`, hexadecimal `0[xX][0-9a-fA-F]+`, binary `0[bB][01]+`, and octal
//! `0[0-7]*` (so a leading zero means octal, and `0` alone is zero). Booleans are `true`,
//! `false`, `1`, `0`.

use std::fmt;

/// Why a text is not an AUTOSAR integer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// No digits at all.
    Empty,
    /// A character that does not belong to the detected format.
    InvalidDigit {
        /// The format that was detected from the prefix.
        format: &'static str,
    },
    /// Does not fit the requested type.
    OutOfRange,
    /// A sign on a format that does not allow one, or `-` for an unsigned value.
    BadSign,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Empty => f.write_str("empty number"),
            NumberError::InvalidDigit { format } => {
                write!(f, "invalid digit for a {format} number")
            }
            NumberError::OutOfRange => f.write_str("number out of range"),
            NumberError::BadSign => f.write_str("sign not allowed here"),
        }
    }
}

impl std::error::Error for NumberError {}

/// Hint shown with number errors.
pub const INTEGER_HINT: &str =
    "AUTOSAR integers are decimal (42), hexadecimal (0x2A), binary (0b101010) or octal (052)";

/// Parses the magnitude and sign; hex, binary and octal take no sign (AUTOSAR's patterns).
fn parse(s: &str) -> Result<(bool, u64), NumberError> {
    let s = s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let signed = body.len() != s.len();
    let (radix, digits, format) =
        if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
            (16, d, "hexadecimal")
        } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
            (2, d, "binary")
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..], "octal")
        } else {
            (10, body, "decimal")
        };
    if digits.is_empty() {
        return Err(NumberError::Empty);
    }
    if signed && radix != 10 {
        return Err(NumberError::BadSign);
    }
    let mut v: u64 = 0;
    for c in digits.chars() {
        let d = c
            .to_digit(radix)
            .ok_or(NumberError::InvalidDigit { format })?;
        v = v
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or(NumberError::OutOfRange)?;
    }
    Ok((negative, v))
}

/// Parses an AUTOSAR integer as `u64`; `-0` is accepted as zero.
pub fn parse_u64(s: &str) -> Result<u64, NumberError> {
    match parse(s)? {
        (true, v) if v != 0 => Err(NumberError::BadSign),
        (_, v) => Ok(v),
    }
}

/// Parses an AUTOSAR integer as `i64`.
pub fn parse_i64(s: &str) -> Result<i64, NumberError> {
    let (negative, v) = parse(s)?;
    if negative {
        0i64.checked_sub_unsigned(v).ok_or(NumberError::OutOfRange)
    } else {
        i64::try_from(v).map_err(|_| NumberError::OutOfRange)
    }
}

/// Parses an AUTOSAR boolean: `true`/`false`, or `1`/`0`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(parse_u64("42"), Ok(42));
        assert_eq!(parse_u64("+42"), Ok(42));
        assert_eq!(parse_u64(" 0x2A\n"), Ok(42));
        assert_eq!(parse_u64("0X2a"), Ok(42));
        assert_eq!(parse_u64("0b101010"), Ok(42));
        assert_eq!(parse_u64("052"), Ok(42));
        assert_eq!(parse_u64("0"), Ok(0));
        assert_eq!(parse_u64("-0"), Ok(0));
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_i64("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_i64("-17"), Ok(-17));
    }

    #[test]
    fn rejects() {
        assert_eq!(parse_u64(""), Err(NumberError::Empty));
        assert_eq!(parse_u64("0x"), Err(NumberError::Empty));
        assert_eq!(parse_u64("-1"), Err(NumberError::BadSign));
        assert_eq!(parse_u64("-0x1"), Err(NumberError::BadSign));
        assert_eq!(
            parse_u64("08"),
            Err(NumberError::InvalidDigit { format: "octal" })
        );
        assert_eq!(
            parse_u64("12a"),
            Err(NumberError::InvalidDigit { format: "decimal" })
        );
        assert_eq!(
            parse_u64("0b102"),
            Err(NumberError::InvalidDigit { format: "binary" })
        );
        assert_eq!(
            parse_u64("18446744073709551616"),
            Err(NumberError::OutOfRange)
        );
        assert_eq!(
            parse_i64("9223372036854775808"),
            Err(NumberError::OutOfRange)
        );
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }
}
