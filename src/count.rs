//! How counts are written for people: thousands separators and the right noun.

/// A count and its noun, grouped: `1 response`, `1,234 responses`.
pub fn counted(count: u64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(count), if count == 1 { one } else { many })
}

/// A whole number with thousands separators (`10,000`).
pub fn grouped(count: u64) -> String {
    group_thousands(&count.to_string())
}

/// `digits` (a whole number's digits, no sign) with a comma every three.
pub(crate) fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_with_the_right_noun() {
        assert_eq!(counted(1, "response", "responses"), "1 response");
        assert_eq!(counted(0, "response", "responses"), "0 responses");
        assert_eq!(counted(1234, "image", "images"), "1,234 images");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(10_000_000), "10,000,000");
    }
}
