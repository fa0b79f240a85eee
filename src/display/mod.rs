//! The "now serving" board without a browser: the same content as `/display`, drawn with
//! embedded-graphics into an RGB image, served as `/display.png` and written to the Linux
//! framebuffer for a Pi that drives the lobby TV over HDMI with no browser at all.

mod board;
pub mod framebuffer;
mod render;

pub use board::Board;
pub use render::{Canvas, render, to_png};
