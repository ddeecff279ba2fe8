//! Documents attached to records: only types on an allow-list, recognised by their content
//! (magic bytes), not by the name or type the browser claims; and names made safe to send back.

/// A document type Canopy accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Png,
    Jpeg,
    WordDocument,
}

impl DocumentKind {
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Png => "png",
            DocumentKind::Jpeg => "jpeg",
            DocumentKind::WordDocument => "docx",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [DocumentKind::Pdf, DocumentKind::Png, DocumentKind::Jpeg, DocumentKind::WordDocument]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// The media type it is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Png => "image/png",
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::WordDocument => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    pub fn extension(self) -> &'static str {
        self.code()
    }
}

/// The largest document accepted: 10 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Recognises an uploaded file by its first bytes. A Word document is a ZIP container, so it is
/// accepted only when its name also says .docx.
pub fn recognise(bytes: &[u8], file_name: &str) -> Result<DocumentKind, String> {
    if bytes.is_empty() {
        return Err("The file is empty".into());
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err("The file must be smaller than 10 MB".into());
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(DocumentKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(DocumentKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(DocumentKind::Jpeg);
    }
    if bytes.starts_with(b"PK\x03\x04") && file_name.to_ascii_lowercase().ends_with(".docx") {
        return Ok(DocumentKind::WordDocument);
    }
    Err("The file must be a PDF, a PNG or JPEG image, or a Word document (.docx)".into())
}

/// A file name safe to put in a Content-Disposition header: letters, digits, spaces, dots,
/// hyphens and underscores only, at most 100 characters, with the kind's extension.
pub fn safe_file_name(title: &str, kind: DocumentKind) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || " .-_".contains(c) { c } else { '_' })
        .take(100)
        .collect();
    let trimmed = cleaned.trim().trim_matches('.');
    let base = if trimmed.is_empty() { "document" } else { trimmed };
    format!("{base}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_content_not_their_name() {
        assert_eq!(recognise(b"%PDF-1.7 ...", "report.exe"), Ok(DocumentKind::Pdf));
        assert_eq!(recognise(b"\x89PNG\r\n\x1a\n....", "x"), Ok(DocumentKind::Png));
        assert_eq!(recognise(&[0xFF, 0xD8, 0xFF, 0xE0], "x.jpg"), Ok(DocumentKind::Jpeg));
        assert_eq!(recognise(b"PK\x03\x04....", "plan.docx"), Ok(DocumentKind::WordDocument));
        assert!(recognise(b"PK\x03\x04....", "archive.zip").is_err(), "a bare zip is refused");
        assert!(recognise(b"<html><script>", "report.pdf").is_err(), "the name does not make it a PDF");
        assert!(recognise(b"MZ\x90\x00", "report.pdf").is_err());
        assert!(recognise(b"", "empty.pdf").is_err());
    }

    #[test]
    fn names_are_made_safe_for_headers() {
        assert_eq!(safe_file_name("Core group minutes 12/02", DocumentKind::Pdf), "Core group minutes 12_02.pdf");
        assert_eq!(safe_file_name("\"; rm -rf /\r\n", DocumentKind::Png), "__ rm -rf ___.png");
        assert_eq!(safe_file_name("..", DocumentKind::Jpeg), "document.jpeg");
    }
}
