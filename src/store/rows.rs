//! Shapes the table modules share: one row or all rows selected by one key
//! (from the pool, or locked inside a change), and a statement run with its
//! values bound in order. Each table module keeps its own SQL.

use super::{Db, StoreError, Tx};
use sqlx::FromRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

/// A row type both backends decode.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// The row `sql` selects by its `$1`, read from the pool.
pub(crate) async fn one<T: Row>(db: &Db, sql: &str, key: &str) -> Result<Option<T>, StoreError> {
    Ok(crate::read!(db, |c| sqlx::query_as(sql)
        .bind(key)
        .fetch_optional(c)
        .await)?)
}

/// The rows `sql` selects by its `$1`, read from the pool.
pub(crate) async fn all<T: Row>(db: &Db, sql: &str, key: &str) -> Result<Vec<T>, StoreError> {
    Ok(crate::read!(db, |c| sqlx::query_as(sql)
        .bind(key)
        .fetch_all(c)
        .await)?)
}

/// The rows `sql` selects by its `$1` and an optional `$2` (`NULL` when
/// absent, for a filter the query may leave open), read from the pool.
pub(crate) async fn all_with<T: Row>(
    db: &Db,
    sql: &str,
    key: &str,
    filter: Option<&str>,
) -> Result<Vec<T>, StoreError> {
    Ok(crate::read!(db, |c| sqlx::query_as(sql)
        .bind(key)
        .bind(filter)
        .fetch_all(c)
        .await)?)
}

/// The row `sql` selects by its `$1`, read inside a change and locked where
/// the backend has row locks, so that the change applies to its latest
/// version.
pub(crate) async fn locked<T: Row>(
    tx: &mut Tx,
    sql: &str,
    key: &str,
) -> Result<Option<T>, StoreError> {
    let sql = format!("{sql}{}", tx.lock_rows());
    Ok(crate::write!(tx, |c| sqlx::query_as(&sql)
        .bind(key)
        .fetch_optional(c)
        .await)?)
}

/// Runs one statement in a transaction with its values bound as `$1`,
/// `$2`, … in order: the number of rows it changed, or a `StoreError`.
macro_rules! execute {
    ($tx:expr, $sql:expr $(, $value:expr)* $(,)?) => {
        $crate::write!($tx, |c| sqlx::query($sql)
            $(.bind($value))*
            .execute(c)
            .await
            .map(|done| done.rows_affected()))
        .map_err($crate::store::StoreError::from)
    };
}
pub(crate) use execute;

/// Gives a row type `write_values(tx, sql)`, which runs `sql` with the named
/// fields bound as `$1`, `$2`, … in order, for an `UPDATE` that names the
/// columns so, and `insert_into(tx, table)`: `values! { SiteRow { id, name, … } }`.
macro_rules! values {
    ($row:ty { $($field:ident),+ $(,)? }) => {
        impl $row {
            async fn write_values(
                &self,
                tx: &mut $crate::store::Tx,
                sql: &str,
            ) -> Result<(), $crate::store::StoreError> {
                $crate::store::rows::execute!(tx, sql $(, self.$field.to_owned())+)?;
                Ok(())
            }

            /// Inserts the row into `table`, whose columns are named as the
            /// fields.
            async fn insert_into(
                &self,
                tx: &mut $crate::store::Tx,
                table: &str,
            ) -> Result<(), $crate::store::StoreError> {
                let columns = [$(stringify!($field)),+];
                let places: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
                let sql = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    columns.join(", "),
                    places.join(", ")
                );
                self.write_values(tx, &sql).await
            }
        }
    };
}
pub(crate) use values;
