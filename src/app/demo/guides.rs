//! The demo office's guide of procedures, in French, Arabic and English,
//! written through the same use case as the admin pages.

use super::SITE;
use crate::app::auth::Principal;
use crate::app::{App, AppResult, guides};
use crate::domain::guide::{Channel, Guide, Texts};

fn t(fr: &str, ar: &str, en: &str) -> Texts {
    Texts {
        fr: fr.into(),
        ar: ar.into(),
        en: en.into(),
    }
}

fn free() -> Texts {
    t("Gratuit", "مجانا", "Free")
}

fn come() -> Texts {
    t(
        "Prenez un ticket à la borne ou réservez un rendez-vous.",
        "خذوا تذكرة من الشباك الأوتوماتيكي أو احجزوا موعدا.",
        "Take a ticket at the kiosk or book an appointment.",
    )
}

fn counter() -> Texts {
    t(
        "Présentez vos pièces au guichet quand votre numéro est appelé.",
        "قدموا وثائقكم في الشباك عند المناداة على رقمكم.",
        "Hand in your documents at the counter when your number is called.",
    )
}

fn collect() -> Texts {
    t(
        "Retirez le document quand le SMS ou l'e-mail vous dit qu'il est prêt.",
        "تسلموا الوثيقة عندما تخبركم الرسالة القصيرة أو البريد الإلكتروني بأنها جاهزة.",
        "Collect the document when the SMS or e-mail says it is ready.",
    )
}

fn resident() -> Texts {
    t(
        "Toute personne majeure qui habite dans le ressort de l'annexe, ou son représentant muni d'une procuration.",
        "كل شخص راشد يقطن في دائرة نفوذ الملحقة، أو من ينوب عنه بوكالة.",
        "Any adult living in the office's area, or a representative holding a power of attorney.",
    )
}

fn guides() -> Vec<(&'static str, Guide)> {
    use Channel::{Appointment, Counter, Kiosk, Online};
    let request = vec![come(), counter(), collect()];
    vec![
        (
            "residence",
            Guide {
                summary: t(
                    "Le certificat de résidence atteste de votre adresse dans le ressort de l'annexe.",
                    "تثبت شهادة السكنى عنوانكم داخل نفوذ الملحقة.",
                    "The certificate of residence proves your address within the office's area.",
                ),
                steps: request.clone(),
                fees: free(),
                eligibility: resident(),
                channels: vec![Online, Kiosk, Appointment, Counter],
            },
        ),
        (
            "signature",
            Guide {
                summary: t(
                    "La légalisation certifie que votre signature sur un document est bien la vôtre.",
                    "يشهد تصحيح الإمضاء بأن التوقيع على الوثيقة هو توقيعكم.",
                    "Signature legalisation certifies that the signature on a document is yours.",
                ),
                steps: vec![
                    come(),
                    t(
                        "Signez le document devant l'agent, CIN originale en main.",
                        "وقعوا الوثيقة أمام الموظف مع البطاقة الوطنية الأصلية.",
                        "Sign the document in front of the agent, with your original ID card.",
                    ),
                    t(
                        "Repartez avec le document légalisé, le jour même.",
                        "غادروا بالوثيقة المصححة الإمضاء في نفس اليوم.",
                        "Leave with the legalised document the same day.",
                    ),
                ],
                fees: t(
                    "Timbre fiscal de 2 DH par signature",
                    "تنبر بقيمة 2 درهم عن كل توقيع",
                    "A 2 MAD revenue stamp per signature",
                ),
                eligibility: t(
                    "La personne qui signe, en personne.",
                    "الشخص الموقع، شخصيا.",
                    "The person who signs, in person.",
                ),
                channels: vec![Counter],
            },
        ),
        (
            "copies",
            Guide {
                summary: t(
                    "La copie conforme certifie qu'une copie reproduit fidèlement son original.",
                    "تشهد مطابقة النسخ بأن النسخة مطابقة لأصلها.",
                    "A certified copy attests that a copy faithfully matches its original.",
                ),
                steps: vec![come(), counter()],
                fees: t(
                    "Timbre fiscal de 2 DH par page",
                    "تنبر بقيمة 2 درهم عن كل صفحة",
                    "A 2 MAD revenue stamp per page",
                ),
                eligibility: t("Toute personne.", "كل شخص.", "Anyone."),
                channels: vec![Counter],
            },
        ),
        (
            "life",
            Guide {
                summary: t(
                    "Le certificat de vie atteste qu'une personne est en vie, souvent pour une pension.",
                    "تشهد شهادة الحياة بأن الشخص على قيد الحياة، غالبا من أجل المعاش.",
                    "The life certificate attests that a person is alive, often for a pension.",
                ),
                steps: request.clone(),
                fees: free(),
                eligibility: t(
                    "La personne concernée, présente au guichet.",
                    "المعني بالأمر، حاضرا في الشباك.",
                    "The person concerned, present at the counter.",
                ),
                channels: vec![Kiosk, Appointment, Counter],
            },
        ),
        (
            "single",
            Guide {
                summary: t(
                    "Le certificat de célibat atteste que vous n'êtes pas marié(e).",
                    "تشهد شهادة العزوبة بأنكم غير متزوجين.",
                    "The certificate of celibacy attests that you are not married.",
                ),
                steps: vec![
                    come(),
                    t(
                        "Venez avec deux témoins munis de leur CIN.",
                        "احضروا مع شاهدين يحملان بطاقتيهما الوطنيتين.",
                        "Come with two witnesses holding their ID cards.",
                    ),
                    counter(),
                    collect(),
                ],
                fees: free(),
                eligibility: resident(),
                channels: vec![Online, Kiosk, Appointment, Counter],
            },
        ),
        (
            "income",
            Guide {
                summary: t(
                    "Le certificat de revenu ou d'indigence atteste de vos ressources, pour une bourse ou une aide.",
                    "تثبت شهادة الدخل أو الاحتياج مواردكم، من أجل منحة أو مساعدة.",
                    "The income or indigence certificate attests your means, for a grant or an allowance.",
                ),
                steps: request.clone(),
                fees: free(),
                eligibility: resident(),
                channels: vec![Online, Kiosk, Appointment, Counter],
            },
        ),
        (
            "passport",
            Guide {
                summary: t(
                    "L'annexe reçoit et vérifie le dossier de passeport avant son envoi.",
                    "تتسلم الملحقة ملف جواز السفر وتتحقق منه قبل إرساله.",
                    "The office receives and checks the passport file before sending it on.",
                ),
                steps: vec![
                    t(
                        "Remplissez le formulaire et payez le timbre en ligne.",
                        "املؤوا الاستمارة وأدوا التنبر عبر الإنترنت.",
                        "Fill in the form and pay the stamp online.",
                    ),
                    t(
                        "Réservez un rendez-vous, sur place ou en vidéo.",
                        "احجزوا موعدا حضوريا أو عبر الفيديو.",
                        "Book an appointment, in person or by video.",
                    ),
                    counter(),
                    collect(),
                ],
                fees: t(
                    "Timbre fiscal de 500 DH",
                    "تنبر بقيمة 500 درهم",
                    "A 500 MAD revenue stamp",
                ),
                eligibility: t(
                    "Tout citoyen marocain ; pour un mineur, son tuteur légal.",
                    "كل مواطن مغربي؛ وبالنسبة للقاصر، وليه الشرعي.",
                    "Any Moroccan citizen; for a minor, their legal guardian.",
                ),
                channels: vec![Appointment, Counter],
            },
        ),
    ]
}

/// Writes the guide of each demo service.
pub async fn seed(app: &App, operator: &Principal) -> AppResult<()> {
    for (service, guide) in guides() {
        guides::set(app, operator, SITE, service, &guide).await?;
    }
    Ok(())
}
