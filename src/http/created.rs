//! A 201 answer that names what it created, for the audit log: the
//! handler returns `Created(view)`, the body is the view as JSON, and the
//! response carries a [`CreatedTarget`] (`ticket:…`, `request:ABC123`) that
//! `http::audit` records as the entry's target.

use super::error::ApiJson;
use crate::app::{
    appointments::AppointmentView, capsules::Capsule, complaints::ComplaintView,
    counters::CounterView, devices::IssuedDevice, partners::PartnerView,
    remote_queue::RemoteTicket, requests::RequestView, services::ServiceView, sites::SiteView,
    tickets::TicketView, waitlist::WaitlistEntry, webhooks::WebhookView,
};
use axum::Extension;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A created thing's body, answered with 201.
pub struct Created<T>(pub T);

/// What a response created, as the audit log names it.
#[derive(Debug, Clone)]
pub struct CreatedTarget(pub String);

/// How the audit log names a newly created thing: its kind and the id or
/// reference a reader looks it up by (never a token or personal data).
pub trait Named {
    fn audit_name(&self) -> String;
}

impl<T: Serialize + Named> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let target = CreatedTarget(self.0.audit_name());
        (StatusCode::CREATED, Extension(target), ApiJson(self.0)).into_response()
    }
}

macro_rules! named {
    ($($view:ty => $kind:literal . $field:ident),* $(,)?) => {
        $(impl Named for $view {
            fn audit_name(&self) -> String {
                format!(concat!($kind, ":{}"), self.$field)
            }
        })*
    };
}

named! {
    SiteView => "site".id,
    ServiceView => "service".id,
    CounterView => "counter".id,
    IssuedDevice => "device".id,
    WebhookView => "webhook".id,
    PartnerView => "partner".id,
    TicketView => "ticket".id,
    RemoteTicket => "ticket".id,
    AppointmentView => "appointment".reference,
    RequestView => "request".reference,
    ComplaintView => "complaint".reference,
    WaitlistEntry => "waitlist".id,
    Capsule => "capsule".id,
}
