//! The office page's "join the queue remotely" buttons: one per walk-in
//! service that takes remote tickets, with the reason instead of the link
//! when joining is closed now.

use super::refusal;
use crate::app::{App, remote_offer};
use crate::http::pages::frame::Frame;
use std::collections::HashMap;

/// A service's button on the office page.
pub struct Button {
    /// The join form, when joining is open now.
    pub href: Option<String>,
    /// Why joining is closed now, in words.
    pub closed: Option<String>,
}

/// The buttons of a site's services, by service id. The page is still
/// shown without them when the queue cannot be read now.
pub async fn buttons(app: &App, f: &Frame, site: &str) -> HashMap<String, Button> {
    let Ok(offers) = remote_offer::of_site(app, site).await else {
        return HashMap::new();
    };
    offers
        .into_iter()
        .map(|o| {
            let closed = o.joining.code().map(|code| refusal(f.tr, code));
            let href = closed
                .is_none()
                .then(|| format!("/join/{site}/{}", o.service));
            (o.service, Button { href, closed })
        })
        .collect()
}
