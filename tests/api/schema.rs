//! The SQLite and PostgreSQL migrations kept in step: both sets, run on
//! fresh databases, make the same tables with the same columns, of the
//! same type family (an instant is `INTEGER` on one and `BIGINT` on the
//! other, both integers).

use guichet_test_support::TestApp;
use std::collections::BTreeMap;

/// Table → column → type family.
type Schema = BTreeMap<String, BTreeMap<String, &'static str>>;

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn sqlite_and_postgres_migrations_make_the_same_tables_and_columns() {
    // Each server migrates its fresh database as it starts.
    let sqlite = TestApp::builder().spawn().await;
    let postgres = TestApp::builder().postgres().spawn().await;
    let on_sqlite = sqlite_schema(&sqlite.database_url).await;
    let on_postgres = postgres_schema(&postgres.database_url).await;
    assert!(!on_sqlite.is_empty(), "no table read from SQLite");
    let differences = differences(&on_sqlite, &on_postgres);
    assert!(
        differences.is_empty(),
        "the SQLite and PostgreSQL schemas differ:\n{}",
        differences.join("\n")
    );
}

/// A column type, by family: what both backends can agree on.
fn family(declared: &str) -> &'static str {
    let declared = declared.to_ascii_lowercase();
    match declared.as_str() {
        "integer" | "int" | "bigint" | "smallint" | "int2" | "int4" | "int8" | "bigserial"
        | "serial" => "integer",
        "text" | "character varying" | "varchar" | "character" | "char" => "text",
        "real" | "double precision" | "double" | "float" | "numeric" => "real",
        "boolean" | "bool" => "boolean",
        "json" | "jsonb" => "json",
        "blob" | "bytea" => "bytes",
        _ => "other",
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let pool = sqlx::SqlitePool::connect(url).await.expect("SQLite opens");
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&pool)
    .await
    .expect("SQLite tables read");
    pool.close().await;
    schema(rows)
}

async fn postgres_schema(url: &str) -> Schema {
    let pool = sqlx::PgPool::connect(url)
        .await
        .expect("PostgreSQL reachable");
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
           AND c.table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&pool)
    .await
    .expect("PostgreSQL tables read");
    pool.close().await;
    schema(rows)
}

fn schema(rows: Vec<(String, String, String)>) -> Schema {
    let mut schema = Schema::new();
    for (table, column, declared) in rows {
        schema
            .entry(table)
            .or_default()
            .insert(column, family(&declared));
    }
    schema
}

/// One readable line per table or column that is not the same on both.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut lines = Vec::new();
    let tables: std::collections::BTreeSet<&String> =
        sqlite.keys().chain(postgres.keys()).collect();
    for table in tables {
        let (Some(on_sqlite), Some(on_postgres)) = (sqlite.get(table), postgres.get(table)) else {
            let only = if sqlite.contains_key(table) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            lines.push(format!("table {table}: only on {only}"));
            continue;
        };
        let columns: std::collections::BTreeSet<&String> =
            on_sqlite.keys().chain(on_postgres.keys()).collect();
        for column in columns {
            match (on_sqlite.get(column), on_postgres.get(column)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), Some(b)) => lines.push(format!(
                    "{table}.{column}: {a} on SQLite, {b} on PostgreSQL"
                )),
                (Some(_), None) => lines.push(format!("{table}.{column}: only on SQLite")),
                (None, _) => lines.push(format!("{table}.{column}: only on PostgreSQL")),
            }
        }
    }
    lines
}
