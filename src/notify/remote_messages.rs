//! What the remote queue tells a citizen by SMS, in the ticket's language
//! (`fr`, `ar`, `en`): the ticket just taken, and when to leave.

/// A remote ticket taken: its number, the people ahead, the estimate in
/// minutes, and the tracking link.
pub fn joined(
    lang: &str,
    number: &str,
    office: &str,
    ahead: i64,
    minutes: i64,
    link: &str,
) -> String {
    match lang {
        "ar" => format!(
            "{office}: تذكرتكم {number}. أمامكم {ahead} أشخاص، حوالي {minutes} دقيقة. تابعوا دوركم: {link} سنخبركم متى تنطلقون. عند الوصول سجلوا حضوركم في الجهاز."
        ),
        "en" => format!(
            "{office}: your ticket is {number}. {ahead} people ahead, about {minutes} min. Follow your turn: {link} We will tell you when to leave. On arrival, check in at the kiosk."
        ),
        _ => format!(
            "{office} : votre ticket est le {number}. {ahead} personnes avant vous, environ {minutes} min. Suivez votre tour : {link} Nous vous dirons quand partir. À l'arrivée, signalez-vous à la borne."
        ),
    }
}

/// Time to leave: the estimate is within the office's travel margin.
pub fn leave_now(lang: &str, number: &str, minutes: i64, link: &str) -> String {
    match lang {
        "ar" => format!(
            "التذكرة {number}: دوركم بعد حوالي {minutes} دقيقة. انطلقوا الآن وسجلوا حضوركم في الجهاز عند الوصول. {link}"
        ),
        "en" => format!(
            "Ticket {number}: your turn is in about {minutes} min. Leave now and check in at the kiosk when you arrive. {link}"
        ),
        _ => format!(
            "Ticket {number} : votre tour est dans environ {minutes} min. Partez maintenant et signalez-vous à la borne en arrivant. {link}"
        ),
    }
}
