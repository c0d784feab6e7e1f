//! What the office's number answers a citizen's text, in the language of
//! their keyword (`fr`, `ar` or `en`): each status in words of that
//! language, never the stored code.

/// One text in the three languages: French, Arabic, English.
type Words = (&'static str, &'static str, &'static str);

fn pick(lang: &str, (fr, ar, en): Words) -> &'static str {
    match lang {
        "ar" => ar,
        "en" => en,
        _ => fr,
    }
}

/// An appointment's status in words.
fn appointment_status(status: &str) -> Option<Words> {
    Some(match status {
        "booked" => ("confirmé", "مؤكد", "confirmed"),
        "checked_in" => ("arrivée enregistrée", "تم تسجيل الحضور", "checked in"),
        "cancelled" => ("annulé", "ملغى", "cancelled"),
        "no_show" => ("manqué", "لم يتم الحضور", "missed"),
        "done" => ("terminé", "تم", "completed"),
        _ => return None,
    })
}

/// A document request's status in words.
fn request_status(status: &str) -> Option<Words> {
    Some(match status {
        "submitted" => ("déposée", "تم إيداعه", "submitted"),
        "processing" => ("en cours de traitement", "قيد المعالجة", "being processed"),
        "ready" => ("prête à retirer", "جاهز للسحب", "ready to collect"),
        "delivered" => ("remise", "تم تسليمه", "handed over"),
        "rejected" => ("refusée", "مرفوض", "rejected"),
        _ => return None,
    })
}

/// A complaint's status in words.
fn complaint_status(status: &str) -> Option<Words> {
    Some(match status {
        "received" => ("reçue", "تم استلامها", "received"),
        "in_progress" => ("en cours d'examen", "قيد الدراسة", "under review"),
        "answered" => ("répondue", "تمت الإجابة عليها", "answered"),
        "closed" => ("classée", "مغلقة", "closed"),
        _ => return None,
    })
}

/// A status the tables do not know (none today) is not shown as a code.
fn word(lang: &str, words: Option<Words>) -> &'static str {
    pick(
        lang,
        words.unwrap_or(("en cours", "قيد المعالجة", "in progress")),
    )
}

pub fn appointment(lang: &str, reference: &str, status: &str, when: &str) -> String {
    let status = word(lang, appointment_status(status));
    match lang {
        "ar" => format!("الموعد {reference} بتاريخ {when}: {status}."),
        "en" => format!("Appointment {reference} on {when}: {status}."),
        _ => format!("Rendez-vous {reference} du {when} : {status}."),
    }
}

pub fn request(lang: &str, reference: &str, status: &str, expected: &str) -> String {
    let status = word(lang, request_status(status));
    match lang {
        "ar" => format!("الطلب {reference}: {status} (التاريخ المتوقع {expected})."),
        "en" => format!("Request {reference}: {status} (expected on {expected})."),
        _ => format!("Demande {reference} : {status} (prévue le {expected})."),
    }
}

pub fn complaint(lang: &str, reference: &str, status: &str, due: &str) -> String {
    let status = word(lang, complaint_status(status));
    match lang {
        "ar" => format!("الشكاية {reference}: {status} (أجل الجواب {due})."),
        "en" => format!("Complaint {reference}: {status} (answer due by {due})."),
        _ => format!("Réclamation {reference} : {status} (réponse due le {due})."),
    }
}

pub fn cancelled(lang: &str, reference: &str) -> String {
    match lang {
        "ar" => format!("تم إلغاء الموعد {reference}."),
        "en" => format!("Appointment {reference} cancelled."),
        _ => format!("Rendez-vous {reference} annulé."),
    }
}

pub fn too_late_to_cancel(lang: &str, reference: &str) -> String {
    match lang {
        "ar" => format!("لم يعد ممكنا إلغاء الموعد {reference}."),
        "en" => format!("Appointment {reference} can no longer be cancelled."),
        _ => format!("Le rendez-vous {reference} ne peut plus être annulé."),
    }
}

pub fn unknown(lang: &str, reference: &str) -> String {
    match lang {
        "ar" => format!("المرجع {reference} غير معروف لهذا الرقم."),
        "en" => format!("Reference {reference} is unknown for this number."),
        _ => format!("Référence {reference} inconnue pour ce numéro."),
    }
}

pub fn help(lang: &str) -> String {
    pick(
        lang,
        (
            "Envoyez FILE <service> pour prendre un ticket à distance (ANNULER pour quitter la file), STATUT <référence> ou ANNULER <référence>.",
            "أرسلوا: طابور <الخدمة> لأخذ تذكرة عن بعد (إلغاء لمغادرة الطابور)، أو حالة <المرجع> أو إلغاء <المرجع>",
            "Send QUEUE <service> to join the queue from afar (CANCEL to leave it), STATUS <reference> or CANCEL <reference>.",
        ),
    )
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status table and the statuses it must know.
    type Table = (fn(&str) -> Option<Words>, &'static [&'static str]);

    #[test]
    fn every_status_has_words_in_each_language() {
        let tables: [Table; 3] = [
            (
                appointment_status,
                &["booked", "checked_in", "cancelled", "no_show", "done"],
            ),
            (
                request_status,
                &["submitted", "processing", "ready", "delivered", "rejected"],
            ),
            (
                complaint_status,
                &["received", "in_progress", "answered", "closed"],
            ),
        ];
        for (table, statuses) in tables {
            for status in statuses {
                let (fr, ar, en) = table(status).expect(status);
                assert!(!fr.contains('_') && !en.contains('_'), "{status}");
                assert!(ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)));
            }
        }
    }

    #[test]
    fn an_arabic_status_reply_has_no_english_word() {
        let reply = appointment("ar", "K7M2-Q9PX", "booked", "2026-11-24 09:00");
        assert!(
            !reply
                .chars()
                .any(|c| c.is_ascii_alphabetic() && !"KMQPX".contains(c))
        );
        assert!(reply.contains("مؤكد"), "{reply}");
    }
}
