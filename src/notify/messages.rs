//! The texts of messages, in the citizen's language (`fr`, `ar`, `en`).
//! Kept short: one SMS where the content allows.

/// What a message about an appointment says.
#[derive(Debug, Clone)]
pub struct AboutAppointment<'a> {
    pub reference: &'a str,
    pub service: &'a str,
    pub office: &'a str,
    /// Local date and time, `30/11/2026 09:30`.
    pub when: &'a str,
    pub link: &'a str,
    pub video_url: Option<&'a str>,
}

pub fn otp(lang: &str, code: &str) -> String {
    match lang {
        "ar" => format!("رمز التحقق الخاص بك: {code}. صالح لمدة 10 دقائق. لا تشاركه مع أحد."),
        "en" => format!("Your verification code: {code}. Valid for 10 minutes. Do not share it."),
        _ => {
            format!("Votre code de vérification : {code}. Valable 10 minutes. Ne le partagez pas.")
        }
    }
}

pub fn booked(lang: &str, a: &AboutAppointment<'_>) -> String {
    let video = a.video_url.map(|url| match lang {
        "ar" => format!(" رابط الفيديو: {url}"),
        "en" => format!(" Video link: {url}"),
        _ => format!(" Lien vidéo : {url}"),
    });
    let video = video.unwrap_or_default();
    match lang {
        "ar" => format!(
            "تم تأكيد موعدك {} ({}) في {} يوم {}.{video} للإلغاء أو التغيير: {}",
            a.reference, a.service, a.office, a.when, a.link
        ),
        "en" => format!(
            "Appointment {} confirmed: {}, {}, {}.{video} Cancel or change: {}",
            a.reference, a.service, a.office, a.when, a.link
        ),
        _ => format!(
            "RDV {} confirmé : {}, {}, le {}.{video} Annuler ou modifier : {}",
            a.reference, a.service, a.office, a.when, a.link
        ),
    }
}

pub fn rescheduled(lang: &str, a: &AboutAppointment<'_>) -> String {
    match lang {
        "ar" => format!(
            "تم تغيير موعدك {} إلى {} في {}. {}",
            a.reference, a.when, a.office, a.link
        ),
        "en" => format!(
            "Appointment {} moved to {} at {}. {}",
            a.reference, a.when, a.office, a.link
        ),
        _ => format!(
            "RDV {} déplacé au {} à {}. {}",
            a.reference, a.when, a.office, a.link
        ),
    }
}

pub fn cancelled(lang: &str, a: &AboutAppointment<'_>) -> String {
    match lang {
        "ar" => format!("تم إلغاء موعدك {} يوم {}.", a.reference, a.when),
        "en" => format!("Appointment {} on {} is cancelled.", a.reference, a.when),
        _ => format!("RDV {} du {} annulé.", a.reference, a.when),
    }
}

pub fn reminder(lang: &str, a: &AboutAppointment<'_>) -> String {
    match lang {
        "ar" => format!(
            "تذكير: موعدك {} ({}) في {} يوم {}. {}",
            a.reference, a.service, a.office, a.when, a.link
        ),
        "en" => format!(
            "Reminder: appointment {} ({}) at {}, {}. {}",
            a.reference, a.service, a.office, a.when, a.link
        ),
        _ => format!(
            "Rappel : RDV {} ({}) à {}, le {}. {}",
            a.reference, a.service, a.office, a.when, a.link
        ),
    }
}

/// What to bring and where to go, in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bring {
    /// The documents, in the citizen's language where the list has it.
    pub documents: Vec<String>,
    pub address: Option<String>,
    /// The office's opening that day, `08:00–12:00, 14:00–16:00`.
    pub opening: Option<String>,
    /// In person: check in at the kiosk with the reference.
    pub kiosk: bool,
}

/// A text kept in one direction inside an Arabic sentence (a reference,
/// a phone, a range of hours): between Unicode's isolates.
pub fn ltr(lang: &str, text: &str) -> String {
    if lang == "ar" {
        format!("\u{2066}{text}\u{2069}")
    } else {
        text.to_owned()
    }
}

/// What a booking's SMS adds: the documents to bring, and the kiosk.
pub fn bring_sms(lang: &str, bring: &Bring, reference: &str) -> String {
    let mut out = String::new();
    if !bring.documents.is_empty() {
        let list = bring.documents.join(if lang == "ar" { "، " } else { ", " });
        out.push_str(&match lang {
            "ar" => format!(" أحضروا: {list}."),
            "en" => format!(" Bring: {list}."),
            _ => format!(" Apportez : {list}."),
        });
    }
    if bring.kiosk {
        let reference = ltr(lang, reference);
        out.push_str(&match lang {
            "ar" => format!(" عند وصولكم، سجلوا حضوركم في الشباك الأوتوماتيكي بالمرجع {reference}."),
            "en" => format!(" On arrival, check in at the kiosk with reference {reference}."),
            _ => format!(
                " À votre arrivée, enregistrez-vous à la borne avec la référence {reference}."
            ),
        });
    }
    out
}

/// What a booking's e-mail adds, as paragraphs: the documents one a line,
/// the address and that day's opening, the kiosk.
pub fn bring_text(lang: &str, bring: &Bring, reference: &str) -> String {
    let mut out = String::new();
    if !bring.documents.is_empty() {
        out.push_str(match lang {
            "ar" => "\n\nالوثائق الواجب إحضارها:",
            "en" => "\n\nDocuments to bring:",
            _ => "\n\nDocuments à apporter :",
        });
        for document in &bring.documents {
            out.push_str(&format!("\n- {document}"));
        }
    }
    let mut place = Vec::new();
    if let Some(address) = &bring.address {
        place.push(match lang {
            "ar" => format!("العنوان: {address}"),
            "en" => format!("Address: {address}"),
            _ => format!("Adresse : {address}"),
        });
    }
    if let Some(opening) = &bring.opening {
        let opening = ltr(lang, opening);
        place.push(match lang {
            "ar" => format!("مفتوح في ذلك اليوم: {opening}"),
            "en" => format!("Open that day: {opening}"),
            _ => format!("Ouvert ce jour-là : {opening}"),
        });
    }
    if !place.is_empty() {
        out.push_str("\n\n");
        out.push_str(&place.join("\n"));
    }
    if bring.kiosk {
        let reference = ltr(lang, reference);
        out.push_str(&match lang {
            "ar" => format!("\n\nعند وصولكم، سجلوا حضوركم في الشباك الأوتوماتيكي بهذا المرجع: {reference}"),
            "en" => format!("\n\nOn arrival, check in at the kiosk with this reference: {reference}"),
            _ => format!("\n\nÀ votre arrivée, enregistrez-vous à la borne avec cette référence : {reference}"),
        });
    }
    out
}

/// A place freed earlier than the citizen's wish or booking.
pub fn place_freed(lang: &str, service: &str, office: &str, when: &str, link: &str) -> String {
    match lang {
        "ar" => format!("أصبح موعد متاحا: {service} في {office} يوم {when}. احجز بسرعة: {link}"),
        "en" => format!("A place is free: {service} at {office}, {when}. Book it: {link}"),
        _ => format!("Une place s'est libérée : {service}, {office}, le {when}. Réservez : {link}"),
    }
}

/// A document request was received: what, its reference, when it should
/// be ready.
pub fn request_received(
    lang: &str,
    reference: &str,
    service: &str,
    office: &str,
    ready_on: &str,
) -> String {
    match lang {
        "ar" => format!(
            "توصلت {office} بطلبكم {reference} ({service}). التاريخ المتوقع للجاهزية: {ready_on}."
        ),
        "en" => format!(
            "{office} received your request {reference} ({service}). Expected ready on {ready_on}."
        ),
        _ => format!(
            "{office} a bien reçu votre demande {reference} ({service}). Prête prévue le {ready_on}."
        ),
    }
}

/// A document request is ready to be collected.
pub fn request_ready(lang: &str, reference: &str, service: &str, office: &str) -> String {
    match lang {
        "ar" => format!("طلبكم {reference} ({service}) جاهز. يمكنكم سحبه من {office}."),
        "en" => format!("Your request {reference} ({service}) is ready to collect at {office}."),
        _ => format!("Votre demande {reference} ({service}) est prête. À retirer à {office}."),
    }
}

pub fn request_rejected(lang: &str, reference: &str, service: &str, reason: &str) -> String {
    match lang {
        "ar" => format!("تم رفض طلبكم {reference} ({service}). السبب: {reason}"),
        "en" => format!("Your request {reference} ({service}) was rejected. Reason: {reason}"),
        _ => format!("Votre demande {reference} ({service}) a été refusée. Motif : {reason}"),
    }
}

pub fn complaint_answered(lang: &str, reference: &str, link: &str) -> String {
    match lang {
        "ar" => format!("تمت الإجابة على شكايتكم {reference}. الاطلاع على الجواب: {link}"),
        "en" => format!("Your complaint {reference} has been answered: {link}"),
        _ => format!("Votre réclamation {reference} a reçu une réponse : {link}"),
    }
}

pub fn complaint_closed(lang: &str, reference: &str, link: &str) -> String {
    match lang {
        "ar" => format!("تم إغلاق شكايتكم {reference}. السبب: {link}"),
        "en" => format!("Your complaint {reference} was closed. Why: {link}"),
        _ => format!("Votre réclamation {reference} a été classée. Motif : {link}"),
    }
}

/// The citizen's turn comes soon: `ahead` people are before them.
pub fn turn_near(lang: &str, number: &str, ahead: i64) -> String {
    match lang {
        "ar" => format!("التذكرة {number}: أمامكم {ahead} أشخاص. المرجو الاقتراب من الشبابيك."),
        "en" => format!(
            "Ticket {number}: {ahead} people ahead of you. Please come back to the counters."
        ),
        _ => format!(
            "Ticket {number} : {ahead} personnes avant vous. Merci de vous rapprocher des guichets."
        ),
    }
}

pub fn called(lang: &str, number: &str, counter: &str) -> String {
    match lang {
        "ar" => format!("التذكرة {number}: المرجو التوجه إلى {counter}."),
        "en" => format!("Ticket {number}: please go to {counter}."),
        _ => format!("Ticket {number} : présentez-vous au {counter}."),
    }
}

pub fn feedback(lang: &str, office: &str, link: &str) -> String {
    match lang {
        "ar" => format!("شكرا لزيارتكم {office}. قيموا الخدمة: {link}"),
        "en" => format!("Thank you for visiting {office}. Rate the service: {link}"),
        _ => format!("Merci de votre visite à {office}. Notez le service : {link}"),
    }
}

/// A local date and time as messages show it.
pub fn local_when(at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    at.to_zoned(zone.clone())
        .strftime("%d/%m/%Y %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_and_when_in_each_language() {
        let about = AboutAppointment {
            reference: "K7M2-Q9PX",
            service: "Passeport",
            office: "Casa Anfa",
            when: "30/11/2026 09:30",
            link: "https://guichet.example/appointments/K7M2-Q9PX?token=t",
            video_url: None,
        };
        for lang in ["fr", "ar", "en"] {
            let text = booked(lang, &about);
            assert!(text.contains("K7M2-Q9PX") && text.contains("30/11/2026 09:30"));
            assert!(text.contains(about.link), "{lang}: {text}");
        }
        assert!(otp("fr", "123456").contains("123456"));
        let zone = jiff::tz::TimeZone::get("Africa/Casablanca").unwrap();
        let at: jiff::Timestamp = "2026-11-30T09:30:00Z".parse().unwrap();
        assert_eq!(local_when(at, &zone), "30/11/2026 09:30");
    }
}
