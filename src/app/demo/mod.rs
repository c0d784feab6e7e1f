//! The demo office: a Casablanca annexe with its usual services, counters,
//! staff and devices, seeded through the same use cases as the API, and
//! its guide of procedures (`guides`), four weeks of its past (`history`) for the statistics to show, and
//! the messages the demo did not send (`messages`).

mod guides;
mod history;
pub mod messages;

use super::announcements::{Announcement, Announcements};
use super::auth::{self, Principal};
use super::counters::{self, NewCounter};
use super::devices::{self, NewDevice};
use super::province::admin::{self as provinces, ProvinceInput};
use super::services::{self, NewService, RequiredDocument};
use super::sites::{self, NewSite};
use super::{App, AppResult};
use crate::domain::role::{DeviceKind, Role};
use crate::secrets::new_password;
use std::fmt;

pub const SITE: &str = "casa-anfa";
/// The province the demo office belongs to, for the province's view.
pub const PROVINCE: &str = "casablanca-anfa";

/// What was created, with the secrets that are shown this once.
#[derive(Debug)]
pub struct Seeded {
    pub accounts: Vec<(String, Role, String)>,
    pub devices: Vec<(DeviceKind, String)>,
    /// Where the service is reached, for the screens' addresses.
    pub public_url: String,
}

impl fmt::Display for Seeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Demo office `{SITE}` (Annexe administrative Anfa, Africa/Casablanca) is ready."
        )?;
        writeln!(f, "Accounts (passwords are shown only now):")?;
        for (name, role, password) in &self.accounts {
            writeln!(f, "  {name:<12} {:<11} {password}", role.as_str())?;
        }
        writeln!(f, "Device tokens (shown only now):")?;
        for (kind, token) in &self.devices {
            writeln!(f, "  {:<8} {token}", kind.as_str())?;
        }
        let base = &self.public_url;
        let device = |kind: DeviceKind| {
            self.devices
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or(String::new(), |(_, token)| format!("?device={token}"))
        };
        writeln!(f, "Screens (open them in a browser):")?;
        writeln!(f, "  citizen portal   {base}/")?;
        writeln!(f, "  lobby TV         {base}/display/{SITE}")?;
        writeln!(
            f,
            "  kiosk            {base}/kiosk/{SITE}{}",
            device(DeviceKind::Kiosk)
        )?;
        writeln!(
            f,
            "  counter display  {base}/counter-display/guichet-1{}",
            device(DeviceKind::Display)
        )?;
        writeln!(f, "  agent console    {base}/agent  (agent1 at guichet-1)")?;
        writeln!(
            f,
            "  admin pages      {base}/admin  (admin, or superviseur for {SITE})"
        )?;
        writeln!(f, "  public figures   {base}/stats/{SITE}")?;
        writeln!(
            f,
            "  province view    {base}/province/{PROVINCE}  (province)"
        )?;
        Ok(())
    }
}

/// Seeds the demo office unless it already exists.
pub async fn seed(app: &App) -> AppResult<Option<Seeded>> {
    if crate::store::sites::get(&app.db, SITE).await?.is_some() {
        return Ok(None);
    }
    let operator = Principal::User {
        username: "demo-seed".into(),
        role: Role::Admin,
        site: None,
    };
    // Open around the clock, every day, so that the demo can be clicked
    // through at any hour; a real office sets its own hours. Its past
    // (`history`) follows a real annex's: Monday to Friday, 08:30–16:30,
    // so the statistics look like one (README: "The demo office").
    let weekday = vec![["00:00".to_owned(), "24:00".to_owned()]];
    let hours = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .into_iter()
        .map(|d| (d.to_owned(), weekday.clone()))
        .collect();
    sites::create(
        app,
        &operator,
        NewSite {
            id: SITE.into(),
            name: "Annexe administrative Anfa".into(),
            name_ar: Some("الملحقة الإدارية أنفا".into()),
            timezone: "Africa/Casablanca".into(),
            opening_hours: hours,
            closures: vec![
                "2026-11-18".into(),
                "2027-01-01".into(),
                "2027-01-11".into(),
            ],
            verify_phone: Some(true),
            tamazight: None,
            address: Some("Boulevard d'Anfa, Casablanca".into()),
            address_ar: Some("شارع أنفا، الدار البيضاء".into()),
            city: Some("Casablanca".into()),
            latitude: Some(33.5883),
            longitude: Some(-7.6414),
        },
    )
    .await?;
    for service in demo_services() {
        services::create(app, &operator, SITE, service).await?;
    }
    guides::seed(app, &operator).await?;
    let counters = [
        (
            "guichet-1",
            "Guichet 1",
            &["residence", "life", "single"][..],
        ),
        ("guichet-2", "Guichet 2", &["signature", "copies"][..]),
        (
            "guichet-3",
            "Guichet 3",
            &["signature", "copies", "residence"][..],
        ),
        (
            "guichet-4",
            "Guichet 4",
            &["passport", "income", "residence"][..],
        ),
    ];
    for (id, label, list) in counters {
        let input = NewCounter {
            id: id.into(),
            label: label.into(),
            services: list.iter().map(|s| (*s).to_owned()).collect(),
        };
        counters::create(app, &operator, SITE, input).await?;
    }
    super::announcements::replace(app, &operator, SITE, demo_announcements()).await?;
    let mut accounts = Vec::new();
    for (name, role, site) in [
        ("admin", Role::Admin, None),
        ("superviseur", Role::Supervisor, Some(SITE)),
        ("agent1", Role::Agent, Some(SITE)),
        ("agent2", Role::Agent, Some(SITE)),
        ("agent3", Role::Agent, Some(SITE)),
    ] {
        let password = new_password();
        auth::add_user(app, name, role, site, &password).await?;
        accounts.push((name.to_owned(), role, password));
    }
    let province = ProvinceInput {
        name: "Préfecture d'arrondissements de Casablanca-Anfa".into(),
        name_ar: Some("عمالة مقاطعات الدار البيضاء أنفا".into()),
    };
    provinces::save(app, &operator, PROVINCE, &province).await?;
    provinces::add_site(app, &operator, PROVINCE, SITE).await?;
    let password = new_password();
    auth::add_province_user(app, "province", PROVINCE, &password).await?;
    accounts.push(("province".to_owned(), Role::Province, password));
    let mut issued = Vec::new();
    for (kind, label) in [
        (DeviceKind::Kiosk, "Borne de l'entrée"),
        (DeviceKind::Display, "Écran de la salle d'attente"),
    ] {
        let device = devices::create(
            app,
            &operator,
            SITE,
            NewDevice {
                kind,
                label: label.into(),
            },
        )
        .await?;
        issued.push((kind, device.token));
    }
    let past = history::seed(app, SITE).await?;
    tracing::info!(
        tickets = past,
        "demo office: four weeks of past visits written"
    );
    Ok(Some(Seeded {
        accounts,
        devices: issued,
        public_url: app.links.public_url.clone(),
    }))
}

fn doc(name: &str, name_ar: &str) -> RequiredDocument {
    RequiredDocument {
        name: name.into(),
        name_ar: Some(name_ar.into()),
    }
}

fn service(
    id: &str,
    prefix: &str,
    name: &str,
    name_ar: &str,
    minutes: i64,
    days: i64,
    documents: Vec<RequiredDocument>,
) -> NewService {
    NewService {
        id: id.into(),
        prefix: prefix.into(),
        name: name.into(),
        name_ar: Some(name_ar.into()),
        name_en: None,
        name_zgh: None,
        walk_in: true,
        appointment_modes: vec!["in_person".into()],
        slot_minutes: 15,
        slot_capacity: 2,
        service_minutes: minutes,
        required_documents: documents,
        processing_days: days,
        min_notice_minutes: None,
        horizon_days: None,
        target_wait_minutes: None,
        kind: Some(kind_of(id).into()),
        remote_share_percent: None,
    }
}

/// The kind each demo service is, as other offices would name it too.
fn kind_of(id: &str) -> &'static str {
    match id {
        "residence" => "certificat-residence",
        "signature" => "legalisation-signature",
        "copies" => "copie-conforme",
        "life" => "certificat-vie",
        "single" => "certificat-celibat",
        "income" => "certificat-revenu",
        _ => "passeport",
    }
}

/// What the lobby TV shows between calls.
fn demo_announcements() -> Announcements {
    let item = |fr: &str, ar: &str| Announcement {
        text_fr: fr.into(),
        text_ar: ar.into(),
    };
    Announcements {
        announcements: vec![
            item(
                "Certificat de résidence : apportez votre CIN et une facture d'eau ou d'électricité récente.",
                "شهادة السكنى: المرجو إحضار البطاقة الوطنية للتعريف وفاتورة ماء أو كهرباء حديثة.",
            ),
            item(
                "Légalisation de signature : le document est signé devant l'agent, CIN originale obligatoire.",
                "تصحيح الإمضاء: يتم التوقيع أمام الموظف، والبطاقة الوطنية الأصلية إلزامية.",
            ),
            item(
                "Prenez rendez-vous en ligne et évitez l'attente.",
                "احجزوا موعدكم عبر الإنترنت وتفادوا الانتظار.",
            ),
        ],
    }
}

fn demo_services() -> Vec<NewService> {
    let cin = || {
        doc(
            "CIN (carte nationale d'identité)",
            "البطاقة الوطنية للتعريف",
        )
    };
    let mut passport = service(
        "passport",
        "P",
        "Demande de passeport",
        "طلب جواز السفر",
        15,
        10,
        vec![
            doc("Formulaire de demande rempli", "استمارة الطلب معبأة"),
            cin(),
            doc("Deux photos d'identité récentes", "صورتان شمسيتان حديثتان"),
            doc("Quittance du timbre fiscal", "وصل أداء التنبر"),
        ],
    );
    passport.appointment_modes = vec!["in_person".into(), "video".into()];
    passport.slot_minutes = 20;
    vec![
        service(
            "residence",
            "A",
            "Certificat de résidence",
            "شهادة السكنى",
            6,
            2,
            vec![
                cin(),
                doc(
                    "Justificatif d'adresse (facture d'eau ou d'électricité, ou bail)",
                    "ما يثبت العنوان (فاتورة الماء أو الكهرباء أو عقد الكراء)",
                ),
            ],
        ),
        service(
            "signature",
            "B",
            "Légalisation de signature",
            "تصحيح الإمضاء",
            4,
            0,
            vec![
                doc("CIN (original)", "البطاقة الوطنية للتعريف (الأصل)"),
                doc(
                    "Le document, signé devant l'agent",
                    "الوثيقة، توقع أمام الموظف",
                ),
            ],
        ),
        service(
            "copies",
            "C",
            "Copie conforme",
            "مطابقة النسخ لأصولها",
            3,
            0,
            vec![doc(
                "Le document original et ses copies",
                "الوثيقة الأصلية ونسخها",
            )],
        ),
        service(
            "life",
            "D",
            "Certificat de vie",
            "شهادة الحياة",
            5,
            1,
            vec![
                cin(),
                doc("La personne concernée, présente", "حضور المعني بالأمر"),
            ],
        ),
        service(
            "single",
            "E",
            "Certificat de célibat",
            "شهادة العزوبة",
            8,
            3,
            vec![
                cin(),
                doc(
                    "Deux témoins munis de leur CIN",
                    "شاهدان مع بطاقتيهما الوطنيتين",
                ),
            ],
        ),
        service(
            "income",
            "F",
            "Certificat de revenu / d'indigence",
            "شهادة الدخل / شهادة الاحتياج",
            10,
            5,
            vec![
                cin(),
                doc(
                    "Déclarations et justificatifs de revenu",
                    "التصريحات والوثائق المثبتة للدخل",
                ),
            ],
        ),
        passport,
    ]
}
