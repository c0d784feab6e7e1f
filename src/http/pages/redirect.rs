//! Where a login may send its user afterwards: only to a path of this
//! service. A `next` parameter comes from a link anyone can write, so every
//! value a browser could read as another site is refused: a second leading
//! `/` (`//host`), a backslash (`/\host`, which browsers read as `//`), a
//! scheme, whitespace and control characters (browsers drop tabs and line
//! breaks, so `/<TAB>/host` is `//host`), and the same once percent-decoded
//! (`/%2F%2Fhost`, `/%5Chost`, `/%09/host`, also encoded twice).

/// Longer than any address of ours: refused rather than echoed.
const MAX_LEN: usize = 500;

/// Decoded at most this many times: more layers of encoding than this are
/// refused rather than peeled further.
const MAX_DECODINGS: usize = 3;

/// `next` when it is a path of this service, to redirect to as it is;
/// `None` for anything else, and the caller uses its own default.
pub fn local_target(next: &str) -> Option<&str> {
    let clean = next.chars().all(|c| !c.is_whitespace() && !c.is_control());
    if next.len() > MAX_LEN || !clean || !is_local_path(next) {
        return None;
    }
    let mut decoded = next.to_owned();
    for _ in 0..MAX_DECODINGS {
        let again = percent_decoded(&decoded);
        if again == decoded {
            return Some(next);
        }
        if !is_local_path(&again) {
            return None;
        }
        decoded = again;
    }
    None
}

/// One `/` then a path: no host, no scheme, no backslash, no control
/// character.
fn is_local_path(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// `%XX` sequences turned into their bytes; anything else kept as it is.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = (bytes[at] == b'%')
            .then(|| bytes.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_this_service_are_kept() {
        for path in [
            "/",
            "/admin/users",
            "/admin/sites/fes-medina/stats?from=2026-01-01&to=2026-01-31",
            "/admin/outbox?q=a%20b",
            "/admin/audit?actor=admin#top",
            "/agent/requests?site=fes%2Dmedina",
        ] {
            assert_eq!(local_target(path), Some(path), "{path}");
        }
    }

    #[test]
    fn anything_a_browser_could_read_as_another_site_is_refused() {
        for next in [
            "",
            "admin",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil",
            "/a\\b",
            "/\t/evil.example/x",
            "/\n/evil.example",
            "/\r\n/evil.example",
            " /admin",
            "/ /evil",
            "/\u{a0}/evil",
            "/\u{7f}/evil",
            "/%09/evil.example/x",
            "/%0d%0aSet-Cookie:%20a=b",
            "/%2F/evil.example",
            "/%2fevil.example",
            "%2F%2Fevil",
            "/%5Cevil",
            "/%5cevil",
            "/%252F/evil.example",
            "/%25252F/evil.example",
            "/%2525252F/evil.example",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "data:text/html,hi",
            "mailto:a@evil.example",
        ] {
            assert_eq!(local_target(next), None, "{next:?}");
        }
        assert_eq!(local_target(&format!("/{}", "a".repeat(MAX_LEN))), None);
    }

    #[test]
    fn decoding_is_byte_for_byte() {
        assert_eq!(percent_decoded("/%41%2f%5C"), "/A/\\");
        assert_eq!(percent_decoded("/100%"), "/100%");
        assert_eq!(percent_decoded("/%zz%4"), "/%zz%4");
        assert_eq!(percent_decoded("/caf%C3%A9"), "/café");
    }
}
