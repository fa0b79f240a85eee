//! Voice calls in Indonesian without internet: number words, a pack of recorded (or
//! espeak-ng generated) clips, and one joined WAV per call.

mod pack;
mod wav;
mod words;

pub use pack::Pack;
pub use wav::{Clip, WavError, join};
pub use words::{letter_clip, number_words};
