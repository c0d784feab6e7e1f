//! The domain's enums as text columns: read into the enum when a row is
//! decoded (by sqlx on either backend, or by rusqlite in `direct`) and
//! written as the text they serialize to, so rows leave the store typed.
//! A value the program does not know is a decoding error, never a default.

use crate::domain::request::RequestStatus;
use crate::domain::role::{DeviceKind, Role};
use crate::domain::ticket::{Priority, Status};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

/// Implements the column traits of both drivers for an enum with
/// `as_str(self) -> &'static str`, read back with `$parse(&str) -> Option<Self>`.
macro_rules! text_column {
    ($enum:ty, $what:literal, $parse:expr) => {
        impl<DB: Database> Type<DB> for $enum
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $enum
        where
            &'q str: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <&'q str as Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $enum
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&'r str as Decode<'r, DB>>::decode(value)?;
                let parse: fn(&str) -> Option<$enum> = $parse;
                parse(text).ok_or_else(|| format!("unknown {} {text:?}", $what).into())
            }
        }

        impl ToSql for $enum {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $enum {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                let parse: fn(&str) -> Option<$enum> = $parse;
                parse(text).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} {text:?}", $what).into())
                })
            }
        }
    };
}

text_column!(Status, "ticket status", Status::parse);
text_column!(Priority, "ticket priority", |s| Priority::parse(s).ok());
text_column!(RequestStatus, "request status", RequestStatus::parse);
text_column!(Role, "role", |s| Role::parse(s).ok());
text_column!(DeviceKind, "device kind", |s| DeviceKind::parse(s).ok());
