//! Media files as the service takes and serves them: what a file is, read
//! from its first bytes (never from the name or the declared type), and
//! the byte range a `Range` header asks for.

/// Bytes enough to recognise every accepted format.
pub const SNIFF_BYTES: usize = 64;

/// Whether a file moves or stands still.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Video,
    Image,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Image => "image",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "video" => Some(Self::Video),
            "image" => Some(Self::Image),
            _ => None,
        }
    }
}

/// A recognised format: its kind and the `Content-Type` it is served with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub kind: Kind,
    pub content_type: &'static str,
}

/// Every type the service accepts, as a client may declare it.
pub const ACCEPTED: [&str; 5] = [
    "video/mp4",
    "video/webm",
    "image/png",
    "image/jpeg",
    "image/webp",
];

/// The format of a file from its first bytes (at least `SNIFF_BYTES` of
/// them, or the whole file if shorter), or `None` for anything else.
pub fn sniff(head: &[u8]) -> Option<Format> {
    let format = |kind, content_type| Some(Format { kind, content_type });
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return format(Kind::Image, "image/png");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return format(Kind::Image, "image/jpeg");
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return format(Kind::Image, "image/webp");
    }
    // EBML header whose DocType is "webm" (Matroska proper is refused).
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) && contains(head, b"webm") {
        return format(Kind::Video, "video/webm");
    }
    // ISO base media: an `ftyp` box first, with an MP4 brand.
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        const BRANDS: [&[u8; 4]; 10] = [
            b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
            b"M4V ",
        ];
        if BRANDS.iter().any(|b| &head[8..12] == *b) {
            return format(Kind::Video, "video/mp4");
        }
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What to send of a file of `size` bytes for a `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// No range, or one the server may ignore (several ranges): all of it.
    Whole,
    /// Bytes `start..=end` (206).
    Part { start: u64, end: u64 },
    /// A range outside the file (416).
    Unsatisfiable,
}

/// Reads a `Range` header (RFC 9110 §14.1.2) for a file of `size` bytes.
/// A header that is not a byte range is ignored (the whole file), as is a
/// list of several ranges; one range past the end is unsatisfiable.
pub fn range(header: Option<&str>, size: u64) -> RangeAnswer {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Unsatisfiable;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (start, end) = match (first.trim().is_empty(), number(first), number(last)) {
        // "-N": the last N bytes.
        (true, _, Some(n)) if n > 0 && size > 0 => (size.saturating_sub(n), size - 1),
        (false, Some(start), None) if last.trim().is_empty() => (start, size.saturating_sub(1)),
        (false, Some(start), Some(end)) if start <= end => (start, end.min(size.saturating_sub(1))),
        _ => return RangeAnswer::Unsatisfiable,
    };
    if start >= size {
        return RangeAnswer::Unsatisfiable;
    }
    RangeAnswer::Part { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_read_from_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png).unwrap().content_type, "image/png");
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().kind, Kind::Image);
        assert_eq!(
            sniff(b"RIFF\x10\0\0\0WEBPVP8 ").unwrap().content_type,
            "image/webp"
        );
        let mut webm = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x82, 0x84];
        webm.extend_from_slice(b"webm");
        assert_eq!(sniff(&webm).unwrap().content_type, "video/webm");
        let mp4 = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2";
        assert_eq!(sniff(mp4).unwrap().kind, Kind::Video);
        // Text named .mp4, Matroska, HEIC, an empty file: refused.
        assert_eq!(sniff(b"this is not a video"), None);
        assert_eq!(sniff(&[0x1A, 0x45, 0xDF, 0xA3, b'm', b'k', b'v']), None);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"<svg xmlns="), None);
    }

    #[test]
    fn ranges() {
        use RangeAnswer::*;
        assert_eq!(range(None, 100), Whole);
        assert_eq!(range(Some("items=0-1"), 100), Whole);
        assert_eq!(range(Some("bytes=0-0,5-6"), 100), Whole);
        assert_eq!(range(Some("bytes=0-9"), 100), Part { start: 0, end: 9 });
        assert_eq!(range(Some("bytes=90-"), 100), Part { start: 90, end: 99 });
        assert_eq!(range(Some("bytes=-10"), 100), Part { start: 90, end: 99 });
        assert_eq!(range(Some("bytes=-500"), 100), Part { start: 0, end: 99 });
        assert_eq!(
            range(Some("bytes=50-500"), 100),
            Part { start: 50, end: 99 }
        );
        assert_eq!(range(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(range(Some("bytes=9-3"), 100), Unsatisfiable);
        assert_eq!(range(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(range(Some("bytes=a-b"), 100), Unsatisfiable);
        assert_eq!(range(Some("bytes=+1-2"), 100), Unsatisfiable);
        assert_eq!(range(Some("bytes=0-"), 0), Unsatisfiable);
    }
}
