//! The one path every ticket takes, from the kiosk page, the JSON API and the GPIO button
//! alike: the printer is asked first (under the refuse policy, a printer that is not ready
//! means no ticket and no number consumed), then the store issues, commits and prints.

use crate::audit::Who;
use crate::config::{Config, FailurePolicy};
use crate::printer::Printer;
use crate::queue::{Issued, QueueError};
use crate::store::{OpError, StoreHandle};

pub async fn issue_ticket(
    config: &Config,
    store: &StoreHandle,
    printer: Option<&Printer>,
    service: String,
    priority: bool,
    who: Who,
) -> Result<Issued, OpError> {
    if config.service(&service).is_none() {
        return Err(QueueError::UnknownService(service).into());
    }
    if let Some(p) = printer
        && p.policy() == FailurePolicy::Refuse
        && p.reports_status()
    {
        let status = p.status_now().await;
        if !status.ready() {
            return Err(QueueError::PrinterNotReady(status.label_id().to_string()).into());
        }
    }
    store.issue(service, priority, who).await
}
