//! The OpenAPI document, generated from the handlers' own annotations and types, so it
//! describes the routes the server has and cannot drift from them.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "Steward", description = "AI systems' readiness, drift, success metrics and evidence, every day after launch."),
    paths(
        api::healthz, api::readyz,
        api::systems::portfolio, api::systems::put_system, api::systems::get_system,
        api::systems::delete_system, api::systems::streams,
        api::evidence::readiness,
        api::intake::post_batch, api::intake::list_batches,
        api::intake::put_reference, api::intake::get_reference,
        api::drift::stream_drift,
        api::evidence::post_observations, api::evidence::metric_evaluation,
        api::evidence::post_drill, api::evidence::list_drills,
        api::evidence::post_confirmation, api::evidence::list_confirmations,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document (no token needed: it describes, it does not reveal).
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
