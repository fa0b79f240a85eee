//! Path and query extractors whose refusals speak the caller's language: the API's JSON error
//! shape for `/api/…`, the console's short Indonesian page for pages. axum's own answer plain
//! English text (`Invalid URL: Invalid UTF-8 in `id``), which neither a client parsing errors
//! nor a citizen can use.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// `Path<T>` for the API.
pub struct ApiPath<T>(pub T);

/// `Query<T>` for the API.
pub struct ApiQuery<T>(pub T);

/// `Path<T>` for pages.
pub struct PagePath<T>(pub T);

/// `Query<T>` for pages.
pub struct PageQuery<T>(pub T);

fn path_error(r: &PathRejection) -> ApiError {
    tracing::debug!(rejection = %r, "path refused");
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_path",
        "Alamat permintaan tidak valid.",
    )
}

fn query_error(r: &QueryRejection) -> ApiError {
    tracing::debug!(rejection = %r, "query refused");
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        "Parameter permintaan tidak valid.",
    )
}

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|r| path_error(&r))
    }
}

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|r| query_error(&r))
    }
}

impl<S, T> FromRequestParts<S> for PagePath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| PagePath(v))
            .map_err(|r| {
                let e = path_error(&r);
                super::page::refusal_response(e.status, "Alamat halaman tidak valid.")
            })
    }
}

impl<S, T> FromRequestParts<S> for PageQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| PageQuery(v))
            .map_err(|r| {
                let e = query_error(&r);
                super::page::refusal_response(e.status, "Isian pencarian tidak valid.")
            })
    }
}

/// A record's number in a path: digits only. `u64`'s parser also takes `+1`, which is not how
/// a ticket or a complaint is named.
pub fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::digits;

    #[test]
    fn only_digits_name_a_record() {
        assert_eq!(digits("42"), Some(42));
        assert_eq!(digits("007"), Some(7));
        for bad in ["+1", "-1", " 1", "1 ", "", "1.0", "99999999999999999999"] {
            assert_eq!(digits(bad), None, "{bad:?}");
        }
    }
}
