//! File names of the workload as text, their bytes kept: UTF-8 stays as it is; `%`, control
//! characters (a newline above all) and bytes that are not UTF-8 become `%XX`. The one encoding
//! of the bundle's names from a container's filesystem: `history/…` paths, `diff.json`'s rows
//! (`"names": "escaped"`), the walk's error lines. [`unescape`] gives the bytes back.

/// diff.json's `names` when its rows' paths and link targets are [`escape`]d.
pub const ESCAPED: &str = "escaped";

/// `name`'s bytes as text (see the module).
pub fn escape(name: &[u8]) -> String {
    let mut s = String::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '%' || c.is_control() {
                let mut b = [0u8; 4];
                for byte in c.encode_utf8(&mut b).bytes() {
                    s.push_str(&format!("%{byte:02X}"));
                }
            } else {
                s.push(c);
            }
        }
        for b in chunk.invalid() {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// The bytes [`escape`] made `text` from. A `%` not followed by two hex digits stays as it is
/// (text [`escape`] did not make).
pub fn unescape(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_bytes_escaped_and_come_back() {
        let cases: [(&[u8], &str); 5] = [
            (b".bash_history", ".bash_history"),
            (b".b\xffash_history", ".b%FFash_history"),
            (b"a%b\nc", "a%25b%0Ac"),
            ("jos\u{e9}".as_bytes(), "jos\u{e9}"),
            (b"d\x1b[31m/\xc3", "d%1B[31m/%C3"),
        ];
        for (raw, text) in cases {
            assert_eq!(escape(raw), text);
            assert_eq!(unescape(text), raw, "{text}");
        }
        assert_eq!(unescape("100%"), b"100%");
    }
}
