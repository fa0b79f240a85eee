//! The JSON body extractor of the API: axum's own, with its rejections answered in the
//! API's error shape and in Indonesian (malformed → 400, too large → 413).

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Request bodies above this are refused with 413 before they are parsed.
pub const BODY_LIMIT: usize = 16 * 1024;

pub struct ApiJson<T>(pub T);

/// A raw body for routes whose JSON is optional; its rejections in the API's shape too.
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "unreadable_body",
                        "Isi permintaan tidak dapat dibaca.",
                    )
                }
            })
    }
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if !is_plain_json(content_type) {
            return Err(not_json());
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(reject(rejection)),
        }
    }
}

/// `application/json`, with no charset or UTF-8 (the only encoding JSON is read in here).
/// axum alone also takes `application/problem+json` and any `charset`, and then reads a
/// UTF-16 body as UTF-8.
fn is_plain_json(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return false;
    };
    let mut parts = ct.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return false;
    }
    parts.all(|param| {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        !name.trim().eq_ignore_ascii_case("charset")
            || value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
    })
}

fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Isi permintaan harus JSON (Content-Type: application/json; charset=utf-8).",
    )
}

pub fn reject(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::MissingJsonContentType(_) => not_json(),
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            too_large()
        }
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("Isi permintaan tidak sesuai: {}", e.body_text()),
        ),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("Isi permintaan bukan JSON yang sah: {}", other.body_text()),
        ),
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!(
            "Isi permintaan terlalu besar (batas {} KiB).",
            BODY_LIMIT / 1024
        ),
    )
}

/// Parses an optional JSON body given as bytes: empty means `T::default()`.
pub fn parse_optional<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("Isi permintaan bukan JSON yang sah: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::is_plain_json;

    #[test]
    fn only_plain_utf8_json_is_read_as_json() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
        ] {
            assert!(is_plain_json(Some(ok)), "{ok}");
        }
        for refused in [
            "application/problem+json",
            "application/json; charset=utf-16",
            "application/jsonx",
            "text/json",
            "",
        ] {
            assert!(!is_plain_json(Some(refused)), "{refused}");
        }
        assert!(!is_plain_json(None));
    }
}
