//! An e-mail's HTML part: small, in the citizen's language (`lang`, and
//! `dir="rtl"` in Arabic), with the office's name and address and the
//! reference above the message's text. Everything is escaped; no remote
//! image, script, style sheet or link other than what the text holds
//! (written as text, not as a link).

/// What the HTML part says of its office and the matter.
#[derive(Debug, Clone, Copy)]
pub struct EmailCard<'a> {
    /// `fr`, `ar` or `en`.
    pub lang: &'a str,
    /// The office's name in that language.
    pub office: &'a str,
    /// Its address in that language, if the office gave one.
    pub address: Option<&'a str>,
    pub reference: &'a str,
}

/// The HTML document of a message whose subject is `subject` and whose
/// text is `text`.
pub fn render(card: &EmailCard<'_>, subject: &str, text: &str) -> String {
    let (lang, dir, label) = match card.lang {
        "ar" => ("ar", "rtl", "المرجع"),
        "en" => ("en", "ltr", "Reference"),
        _ => ("fr", "ltr", "Référence"),
    };
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n\
         <meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n\
         <body style=\"font-family:sans-serif;line-height:1.5\">\n\
         <p><strong>{}</strong>",
        escape(subject),
        escape(card.office)
    );
    if let Some(address) = card.address {
        html.push_str(&format!("<br>{}", escape(address)));
    }
    html.push_str(&format!(
        "</p>\n<p>{label} : <strong dir=\"ltr\">{}</strong></p>\n",
        escape(card.reference)
    ));
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let lines: Vec<String> = paragraph.lines().map(escape).collect();
        html.push_str(&format!("<p>{}</p>\n", lines.join("<br>")));
    }
    html.push_str("</body>\n</html>\n");
    if lang == "ar" {
        // No space before the colon in Arabic.
        html = html.replacen(&format!("{label} :"), &format!("{label}:"), 1);
    }
    html
}

/// Text made safe inside HTML elements and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_part_is_escaped_and_right_to_left_in_arabic() {
        let card = EmailCard {
            lang: "ar",
            office: "ملحقة <بركان>",
            address: Some("شارع \"محمد الخامس\" & ساحة"),
            reference: "DR-ABC123",
        };
        let html = render(&card, "DR-ABC123 — ملحقة", "طلبكم <b>جاهز</b>.\nشكرا");
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(html.contains("ملحقة &lt;بركان&gt;"), "{html}");
        assert!(
            html.contains("شارع &quot;محمد الخامس&quot; &amp; ساحة"),
            "{html}"
        );
        assert!(html.contains("المرجع: <strong dir=\"ltr\">DR-ABC123</strong>"));
        assert!(html.contains("<p>طلبكم &lt;b&gt;جاهز&lt;/b&gt;.<br>شكرا</p>"));
        assert!(!html.contains("<img") && !html.contains("src="));
        let french = render(&EmailCard { lang: "fr", ..card }, "s", "t");
        assert!(french.contains("<html lang=\"fr\" dir=\"ltr\">"));
        assert!(french.contains("Référence : "));
    }
}
