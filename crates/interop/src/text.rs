//! Legacy files: old systems wrote Windows-1252 as often as UTF-8.

use encoding_rs::WINDOWS_1252;
use std::borrow::Cow;
use std::io::Read;

/// `bytes` as text: UTF-8 (a byte-order mark is dropped) when they are valid UTF-8, otherwise
/// Windows-1252, which every byte sequence is.
pub fn decoded(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// A CSV reader for files from old systems: the header row is the caller's, rows may be of any
/// length, and lines end at LF (a CR before it is trimmed off with the cell's spaces), so that
/// the reader's line numbers keep up with CRLF files, as its own CRLF handling does not.
pub(crate) fn csv_reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(input)
}

/// A record's cells as text, trimmed.
pub(crate) fn cells(record: &csv::ByteRecord) -> Vec<String> {
    record.iter().map(|c| decoded(c).trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_is_read_where_utf8_fails() {
        assert_eq!(decoded("Zoë".as_bytes()), "Zoë");
        assert_eq!(decoded(b"\xEF\xBB\xBFabc"), "abc");
        assert_eq!(decoded(b"Zo\xEB \x80"), "Zoë €");
    }
}
