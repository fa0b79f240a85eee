//! The physical kiosk button on a GPIO line, through the Linux GPIO character device. One
//! press, one ticket, through the same issue path as the kiosk page: bounces and a button
//! held down (or stuck) never take a second number.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gpiocdev::line::{Bias, EdgeDetection, EdgeKind};
use tokio::runtime::Handle;
use tracing::{error, info, warn};

use crate::config::{ButtonConfig, Config};
use crate::issue::issue_ticket;
use crate::printer::Printer;
use crate::store::StoreHandle;

/// Turns the line's edges into presses. Pure: timestamps come in with the edges.
#[derive(Debug, Clone)]
pub struct Debouncer {
    holdoff_ns: u64,
    pressed: bool,
    last_press_ns: Option<u64>,
}

impl Debouncer {
    pub fn new(holdoff: Duration) -> Self {
        Self {
            holdoff_ns: u64::try_from(holdoff.as_nanos()).unwrap_or(u64::MAX),
            pressed: false,
            last_press_ns: None,
        }
    }

    /// An edge at `at_ns` (`active` = the button went down). True when it is a new press.
    pub fn edge(&mut self, active: bool, at_ns: u64) -> bool {
        if !active {
            self.pressed = false;
            return false;
        }
        // Still held (a bounce of the same press), or too soon after the last ticket.
        let too_soon = self
            .last_press_ns
            .is_some_and(|last| at_ns.saturating_sub(last) < self.holdoff_ns);
        if self.pressed || too_soon {
            self.pressed = true;
            return false;
        }
        self.pressed = true;
        self.last_press_ns = Some(at_ns);
        true
    }
}

/// Watches the button on its own thread for the daemon's lifetime; reopens the chip if it
/// goes away. Each press issues through `issue_ticket`, run on the async runtime.
pub fn spawn(
    button: ButtonConfig,
    config: Arc<Config>,
    store: StoreHandle,
    printer: Option<Printer>,
    runtime: Handle,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("loket-button".to_string())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Err(e) = watch(&button, &config, &store, printer.as_ref(), &runtime, &stop) {
                    warn!(chip = %button.chip.display(), line = button.line, error = %e,
                        "kiosk button unavailable; retrying in 10 s");
                    for _ in 0..20 {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(500));
                    }
                }
            }
        })
}

fn watch(
    button: &ButtonConfig,
    config: &Config,
    store: &StoreHandle,
    printer: Option<&Printer>,
    runtime: &Handle,
    stop: &AtomicBool,
) -> Result<(), gpiocdev::Error> {
    let mut builder = gpiocdev::Request::builder();
    builder
        .on_chip(&button.chip)
        .with_consumer("loket-button")
        .with_line(button.line)
        .as_input()
        .with_edge_detection(EdgeDetection::BothEdges)
        .with_debounce_period(Duration::from_millis(button.debounce_ms));
    if button.active_low {
        builder.as_active_low().with_bias(Bias::PullUp);
    } else {
        builder.with_bias(Bias::PullDown);
    }
    let request = builder.request()?;
    info!(chip = %button.chip.display(), line = button.line, service = %button.service,
        "kiosk button ready");
    let mut debouncer = Debouncer::new(Duration::from_millis(button.holdoff_ms));
    while !stop.load(Ordering::Relaxed) {
        // Wake up now and then to notice a shutdown.
        if !request.wait_edge_event(Duration::from_millis(500))? {
            continue;
        }
        let event = request.read_edge_event()?;
        if !debouncer.edge(event.kind == EdgeKind::Rising, event.timestamp_ns) {
            continue;
        }
        let issued = runtime.block_on(issue_ticket(
            config,
            store,
            printer,
            button.service.clone(),
            button.priority,
            crate::audit::Who::new("button", format!("gpio line {}", button.line)),
        ));
        match issued {
            Ok(i) => info!(ticket = %i.ticket.label, "ticket issued by the kiosk button"),
            Err(e) => error!(error = %e, "kiosk button: no ticket"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn one_press_one_ticket_despite_bounces() {
        let mut d = Debouncer::new(Duration::from_millis(2000));
        let edges = [
            (true, 0),
            (false, 2 * MS),
            (true, 3 * MS),
            (false, 5 * MS),
            (true, 6 * MS),
            (false, 150 * MS),
        ];
        let presses = edges.iter().filter(|(a, t)| d.edge(*a, *t)).count();
        assert_eq!(presses, 1);
        // A deliberate second press after the hold-off is a second ticket.
        assert!(d.edge(true, 2500 * MS));
    }

    #[test]
    fn a_held_or_stuck_button_takes_one_number() {
        let mut d = Debouncer::new(Duration::from_millis(2000));
        assert!(d.edge(true, 0));
        // Held for a minute, with noise pulses that read as "active" again.
        for t in (1..60).map(|s| s * 1000 * MS) {
            assert!(!d.edge(true, t), "at {t}");
        }
        assert!(!d.edge(false, 60_000 * MS));
        assert!(d.edge(true, 61_000 * MS));
    }

    #[test]
    fn presses_closer_than_the_holdoff_are_one() {
        let mut d = Debouncer::new(Duration::from_millis(2000));
        assert!(d.edge(true, 0));
        assert!(!d.edge(false, 100 * MS));
        assert!(!d.edge(true, 1500 * MS));
        assert!(!d.edge(false, 1600 * MS));
        assert!(d.edge(true, 2100 * MS));
    }
}
