//! What the office's number answers about the queue joined from afar
//! (`FILE A`, `طابور A`, `QUEUE A`, `ANNULER`): in the language of the
//! keyword, with the keyword of that language in every hint.

/// The join keyword of a language, for the hints.
fn keyword(lang: &str) -> &'static str {
    match lang {
        "ar" => "طابور",
        "en" => "QUEUE",
        _ => "FILE",
    }
}

/// Minutes, rounded up, of an estimate in seconds.
fn minutes(seconds: i64) -> i64 {
    (seconds.max(0) + 59) / 60
}

/// A ticket taken: its number and service, how many are ahead, the wait,
/// the tracking link, and that the holder checks in on arrival.
pub fn joined(lang: &str, t: &Joined<'_>) -> String {
    let (number, service, ahead, url) = (t.number, t.service, t.ahead, t.track_url);
    let wait = minutes(t.estimated_wait_s);
    match lang {
        "ar" => format!(
            "تذكرتكم {number} ({service}). أمامكم {ahead}، الانتظار المقدر {wait} دقيقة. التتبع: {url} عند وصولكم، سجلوا حضوركم في الجهاز بالرقم {number}. إلغاء لمغادرة الطابور."
        ),
        "en" => format!(
            "Your ticket {number} ({service}). {ahead} ahead of you, about {wait} min. Follow it: {url} On arrival, check in at the kiosk with {number}. CANCEL to leave the queue."
        ),
        _ => format!(
            "Votre ticket {number} ({service}). {ahead} avant vous, attente estimée {wait} min. Suivi : {url} En arrivant, confirmez votre présence à la borne avec {number}. ANNULER pour quitter la file."
        ),
    }
}

/// What `joined` says of a ticket.
pub struct Joined<'a> {
    pub number: &'a str,
    pub service: &'a str,
    pub ahead: i64,
    pub estimated_wait_s: i64,
    pub track_url: &'a str,
}

pub fn left(lang: &str, number: &str) -> String {
    match lang {
        "ar" => format!("تم إلغاء تذكرتكم {number}. غادرتم الطابور."),
        "en" => format!("Ticket {number} cancelled: you have left the queue."),
        _ => format!("Ticket {number} annulé : vous avez quitté la file."),
    }
}

pub fn nothing_to_leave(lang: &str) -> String {
    match lang {
        "ar" => "لا توجد لديكم تذكرة عن بعد في الانتظار.".to_owned(),
        "en" => "You hold no ticket waiting in a queue.".to_owned(),
        _ => "Vous n'avez aucun ticket en attente dans une file.".to_owned(),
    }
}

pub fn already(lang: &str) -> String {
    match lang {
        "ar" => "لديكم تذكرة في الطابور من قبل. أرسلوا إلغاء لمغادرته قبل أخذ تذكرة أخرى.".to_owned(),
        "en" => "You already hold a ticket in this office's queue. Send CANCEL to leave it first.".to_owned(),
        _ => "Vous avez déjà un ticket dans la file de cette annexe. Envoyez ANNULER pour la quitter d'abord.".to_owned(),
    }
}

pub fn share_full(lang: &str, service: &str) -> String {
    match lang {
        "ar" => format!(
            "الطابور عن بعد لخدمة {service} ممتلئ حاليا. أعيدوا المحاولة لاحقا أو احضروا إلى الملحقة."
        ),
        "en" => format!(
            "The remote queue for {service} is full for now. Try again later or come to the office."
        ),
        _ => format!(
            "La file à distance pour {service} est pleine pour le moment. Réessayez plus tard ou venez à l'annexe."
        ),
    }
}

pub fn closing(lang: &str) -> String {
    match lang {
        "ar" => "لم يعد ممكنا الانضمام إلى الطابور اليوم: الانتظار يتجاوز وقت الإغلاق.".to_owned(),
        "en" => "The queue takes no more remote joins today: the wait runs past closing time.".to_owned(),
        _ => "La file n'accepte plus de tickets à distance aujourd'hui : l'attente dépasse l'heure de fermeture.".to_owned(),
    }
}

pub fn site_closed(lang: &str) -> String {
    match lang {
        "ar" => "الملحقة مغلقة حاليا: لا توجد تذاكر.".to_owned(),
        "en" => "The office is closed now: no tickets.".to_owned(),
        _ => "L'annexe est fermée pour le moment : pas de ticket.".to_owned(),
    }
}

pub fn too_many(lang: &str) -> String {
    match lang {
        "ar" => "محاولات كثيرة. أعيدوا المحاولة لاحقا.".to_owned(),
        "en" => "Too many attempts. Try again later.".to_owned(),
        _ => "Trop de tentatives. Réessayez plus tard.".to_owned(),
    }
}

/// The service was not understood (or takes no remote tickets): the
/// services that do, as `A (name)`, and how to write the command.
pub fn which_service(lang: &str, office: Option<&str>, services: &[(String, String)]) -> String {
    let word = keyword(lang);
    let office = office.map(|o| format!("{o} ")).unwrap_or_default();
    let list: Vec<String> = services.iter().map(|(p, n)| format!("{p} ({n})")).collect();
    let list = list.join(", ");
    match (lang, services.is_empty()) {
        ("ar", true) => "لا توجد خدمة مفتوحة للطابور عن بعد حاليا.".to_owned(),
        ("en", true) => "No service takes remote tickets now.".to_owned(),
        (_, true) => "Aucun service ne prend de ticket à distance pour le moment.".to_owned(),
        ("ar", false) => format!("خدمة غير معروفة. أرسلوا {word} {office}<الحرف>: {list}"),
        ("en", false) => format!("Unknown service. Send {word} {office}<letter>: {list}"),
        _ => format!("Service inconnu. Envoyez {word} {office}<lettre> : {list}"),
    }
}

/// One number serves several offices: which one, by its short name.
pub fn which_office(lang: &str, offices: &[String]) -> String {
    let word = keyword(lang);
    let list = offices.join(", ");
    match lang {
        "ar" => format!("حددوا الملحقة: {word} <الملحقة> <الخدمة>. الملحقات: {list}"),
        "en" => format!("Name the office: {word} <office> <service>. Offices: {list}"),
        _ => format!("Précisez l'annexe : {word} <annexe> <service>. Annexes : {list}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arabic_only(reply: &str, allowed: &str) -> bool {
        !reply
            .chars()
            .any(|c| c.is_ascii_alphabetic() && !allowed.contains(c))
    }

    #[test]
    fn an_arabic_answer_has_no_latin_word_but_the_ticket() {
        let t = Joined {
            number: "A012",
            service: "شهادة السكنى",
            ahead: 3,
            estimated_wait_s: 601,
            track_url: "",
        };
        let reply = joined("ar", &t);
        assert!(
            reply.contains("A012") && reply.contains("11 دقيقة"),
            "{reply}"
        );
        assert!(arabic_only(&reply, "A"), "{reply}");
        for reply in [
            left("ar", "A012"),
            nothing_to_leave("ar"),
            already("ar"),
            closing("ar"),
            site_closed("ar"),
            too_many("ar"),
            which_office("ar", &[]),
        ] {
            assert!(arabic_only(&reply, "A"), "{reply}");
        }
    }

    #[test]
    fn hints_use_the_keyword_of_the_language() {
        let services = [("A".to_owned(), "Passeport".to_owned())];
        assert!(
            which_service("fr", Some("anfa"), &services)
                .contains("FILE anfa <lettre> : A (Passeport)")
        );
        assert!(which_service("en", None, &services).contains("QUEUE <letter>"));
        assert!(which_service("ar", None, &services).contains("طابور"));
        assert!(
            which_office("fr", &["anfa".into(), "agdal".into()]).contains("Annexes : anfa, agdal")
        );
        assert_eq!(minutes(0), 0);
        assert_eq!(minutes(60), 1);
        assert_eq!(minutes(61), 2);
    }
}
