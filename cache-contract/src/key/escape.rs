//! The byte-level escapes of the key format: key components, the cache's configured
//! prefix, and Redis glob patterns. No knowledge of the layout lives here.

/// Whether `b` may appear unescaped in a key component.
pub(crate) fn is_plain(b: u8) -> bool {
    PLAIN[b as usize]
}

/// [`is_plain`] as a table, so escaping costs one load per byte.
static PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
        b += 1;
    }
    table
};

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_percent(out: &mut String, b: u8) {
    out.push('%');
    out.push(UPPER_HEX[(b >> 4) as usize] as char);
    out.push(UPPER_HEX[(b & 15) as usize] as char);
}

/// Appends `text` to `out`, escaping as `%XX` every byte for which `escaped` holds.
fn escape_with(out: &mut String, text: &str, escaped: impl Fn(u8) -> bool) {
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if escaped(b) {
            // `escaped` holds either for every non-ASCII byte (components) or for none
            // (prefixes), so a run of unescaped bytes starts and ends on char boundaries.
            if plain_from < i {
                out.push_str(&text[plain_from..i]);
            }
            push_percent(out, b);
            plain_from = i + 1;
        }
    }
    if plain_from < bytes.len() {
        out.push_str(&text[plain_from..]);
    }
}

/// Appends `component` to `out`, escaping every byte outside `[A-Za-z0-9_.-]` as `%XX`.
pub(crate) fn escape_into(out: &mut String, component: &str) {
    escape_with(out, component, |b| !is_plain(b));
}

/// Escapes one key component: every byte outside `[A-Za-z0-9_.-]` becomes `%XX`
/// (upper-case hex).
///
/// ```
/// assert_eq!(cache_contract::key::escape("a:b*{"), "a%3Ab%2A%7B");
/// ```
pub fn escape(component: &str) -> String {
    let mut s = String::with_capacity(component.len());
    escape_into(&mut s, component);
    s
}

/// Appends a cache's configured key prefix to `out` with `%`, `{` and `}` escaped as
/// `%XX`, so that the only braces of a Redis key are its hash tag's.
pub(crate) fn escape_prefix_into(out: &mut String, prefix: &str) {
    escape_with(out, prefix, |b| matches!(b, b'%' | b'{' | b'}'));
}

/// Appends `literal` to `out` so that a Redis glob pattern matches exactly it: the glob
/// characters `* ? [ ] \` get a backslash.
pub(crate) fn glob_literal_into(out: &mut String, literal: &str) {
    for c in literal.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The component `s` escaped, decoded, and whether `s` is the escape of what it decodes to
/// as [`escape_into`] writes it (no `%XX` of a byte that may appear unescaped); `None`
/// unless `s` is made of plain bytes and well-formed upper-case `%XX` escapes of UTF-8 text.
pub(crate) fn unescape_checked(s: &str) -> Option<(String, bool)> {
    let bytes = s.as_bytes();
    if bytes.iter().all(|&b| is_plain(b)) {
        return Some((s.to_string(), true));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut canonical = true;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = hex_val(*bytes.get(i + 1)?)?;
                let lo = hex_val(*bytes.get(i + 2)?)?;
                let b = hi << 4 | lo;
                canonical &= !is_plain(b);
                out.push(b);
                i += 3;
            }
            b if is_plain(b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok().map(|text| (text, canonical))
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_keep_everything_but_percent_and_braces() {
        let mut s = String::new();
        escape_prefix_into(&mut s, "app{1}:é%*");
        assert_eq!(s, "app%7B1%7D:é%25*");
    }

    #[test]
    fn glob_literals_escape_glob_characters_only() {
        let mut s = String::new();
        glob_literal_into(&mut s, "a*b?[c]\\d:{e}%");
        assert_eq!(s, "a\\*b\\?\\[c\\]\\\\d:{e}%");
    }

    #[test]
    fn unescape_inverts_escape() {
        for s in ["", "abc", "a:b*?[]{}% é😀\n", "%3A"] {
            assert_eq!(unescape_checked(&escape(s)), Some((s.to_string(), true)));
        }
        assert_eq!(
            unescape_checked("%3a"),
            None,
            "lower-case hex is not canonical"
        );
        assert_eq!(unescape_checked("a:b"), None);
        assert_eq!(unescape_checked("%FF"), None, "not UTF-8");
        // An escaped plain byte decodes, but is not how `escape` writes it.
        assert_eq!(unescape_checked("%41b"), Some(("Ab".to_string(), false)));
        assert_eq!(unescape_checked("%2E%3A"), Some((".:".to_string(), false)));
        assert_eq!(unescape_checked("a%3a"), None);
    }
}
