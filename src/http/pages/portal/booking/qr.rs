//! A link as a QR code, drawn as inline SVG (no image to fetch): the
//! manage link of a booking, the tracking page of a remote ticket.

use qrcode::QrCode;
use qrcode::render::svg;

/// An accessible SVG of `link`, or nothing if the link cannot be encoded.
pub fn svg(link: &str, label: &str) -> String {
    let Ok(code) = QrCode::new(link.as_bytes()) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build();
    let start = image.find("<svg").unwrap_or(0);
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    image[start..].replacen(
        "<svg ",
        &format!(r#"<svg class="qr" role="img" aria-label="{label}" "#),
        1,
    )
}
