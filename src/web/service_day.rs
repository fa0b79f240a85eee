//! `POST /api/v1/service-day/confirm`: an administrator confirms a new service day the clock
//! shows implausibly far ahead of the last one (docs/operations.md, "Jam sistem").

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Staff;

#[derive(Serialize, ToSchema)]
pub struct ServiceDay {
    /// The service day after the confirmation.
    #[schema(format = Date)]
    service_day: String,
    /// Still true only if the clock moved again meanwhile.
    clock_suspect: bool,
}

/// Confirm the clock's day as the new service day
///
/// While `/healthz` says `clock_suspect` (the clock shows a day far beyond the next
/// expected opening), no new day begins by itself and the kiosk refuses tickets. This
/// starts the clock's day now (yesterday's open tickets are closed, numbering restarts);
/// the confirmation is audited. Without a suspect clock it changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/service-day/confirm",
    tag = "operations",
    responses(
        (status = 200, description = "The service day now", body = ServiceDay),
        (status = 503, description = "The store cannot write", body = super::error::ErrorBody),
    )
)]
pub async fn confirm(
    State(app): State<AppState>,
    staff: Staff,
) -> Result<Json<ServiceDay>, super::ApiError> {
    app.store.confirm_service_day(staff.who()).await?;
    let h = app.store.health().await?;
    Ok(Json(ServiceDay {
        service_day: h.service_day.to_string(),
        clock_suspect: h.clock_suspect.is_some(),
    }))
}
