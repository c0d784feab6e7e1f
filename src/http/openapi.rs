//! The error answers that the shared extractors give, added to every
//! operation of the OpenAPI document that uses them, so that the document
//! lists every status a client can get (schemathesis checks this).
//!
//! Handlers annotate what their use case answers; what comes from reading
//! the request is the same everywhere and is written once here:
//! - a bearer token (`Caller`, `MaybeCaller`): 401 when it is missing or
//!   invalid, 403 when its role or site does not allow the call;
//! - a JSON body (`ApiJson`): 400 when it is not JSON, 422 when it is JSON
//!   of the wrong shape;
//! - a path parameter (`ApiPath`): 404 when it names nothing;
//! - query parameters (`ApiQuery`): 422 when they cannot be read.
//!
//! An answer a handler already documents keeps its own description.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

/// Adds the extractors' answers to every operation that has them.
pub fn add_common_errors(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add_to(operation);
        }
    }
}

fn add_to(operation: &mut Operation) {
    let has = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    let mut answers = Vec::new();
    if operation.security.is_some() {
        answers.push(("401", "no token, or one that is not valid (any more)"));
        answers.push(("403", "this token's role or site may not do this"));
    }
    if operation.request_body.is_some() {
        answers.push(("400", "the body is not JSON"));
        answers.push(("422", "the body or a value in it is not valid"));
    }
    if has(ParameterIn::Path) {
        answers.push(("404", "nothing by that id"));
    }
    if has(ParameterIn::Query) {
        answers.push(("422", "a query parameter is not valid"));
    }
    for (status, description) in answers {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error(description));
    }
}

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{OperationBuilder, ParameterBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::security::SecurityRequirement;

    fn statuses(operation: &Operation) -> Vec<&str> {
        operation
            .responses
            .responses
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn each_extractor_brings_its_answers() {
        let mut secured_body = OperationBuilder::new()
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .request_body(Some(RequestBodyBuilder::new().build()))
            .parameter(
                ParameterBuilder::new()
                    .name("site")
                    .parameter_in(ParameterIn::Path),
            )
            .build();
        add_to(&mut secured_body);
        assert_eq!(statuses(&secured_body), ["400", "401", "403", "404", "422"]);

        let mut public_query = OperationBuilder::new()
            .parameter(
                ParameterBuilder::new()
                    .name("from")
                    .parameter_in(ParameterIn::Query),
            )
            .build();
        add_to(&mut public_query);
        assert_eq!(statuses(&public_query), ["422"]);

        let mut plain = OperationBuilder::new().build();
        add_to(&mut plain);
        assert!(statuses(&plain).is_empty());
    }

    #[test]
    fn a_documented_answer_keeps_its_description() {
        let mine = ResponseBuilder::new().description("the office is closed");
        let mut operation = OperationBuilder::new()
            .request_body(Some(RequestBodyBuilder::new().build()))
            .response("422", mine)
            .build();
        add_to(&mut operation);
        let RefOr::T(kept) = &operation.responses.responses["422"] else {
            panic!("an inline response");
        };
        assert_eq!(kept.description, "the office is closed");
    }
}
