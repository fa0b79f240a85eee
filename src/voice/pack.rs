//! The voice pack: one WAV clip per word or phrase. The default Indonesian pack (espeak-ng,
//! `config/voice/generate.sh`) is compiled in; an office can point `display.voice_pack` at a
//! directory of its own recordings with the same file names.

use std::collections::HashMap;
use std::path::Path;

use super::wav::{Clip, WavError, join};
use super::words::{letter_clip, number_words};

const EMBEDDED: [(&str, &[u8]); 47] = [
    ("nol", include_bytes!("../../config/voice/id/nol.wav")),
    ("satu", include_bytes!("../../config/voice/id/satu.wav")),
    ("dua", include_bytes!("../../config/voice/id/dua.wav")),
    ("tiga", include_bytes!("../../config/voice/id/tiga.wav")),
    ("empat", include_bytes!("../../config/voice/id/empat.wav")),
    ("lima", include_bytes!("../../config/voice/id/lima.wav")),
    ("enam", include_bytes!("../../config/voice/id/enam.wav")),
    ("tujuh", include_bytes!("../../config/voice/id/tujuh.wav")),
    (
        "delapan",
        include_bytes!("../../config/voice/id/delapan.wav"),
    ),
    (
        "sembilan",
        include_bytes!("../../config/voice/id/sembilan.wav"),
    ),
    (
        "sepuluh",
        include_bytes!("../../config/voice/id/sepuluh.wav"),
    ),
    (
        "sebelas",
        include_bytes!("../../config/voice/id/sebelas.wav"),
    ),
    ("belas", include_bytes!("../../config/voice/id/belas.wav")),
    ("puluh", include_bytes!("../../config/voice/id/puluh.wav")),
    (
        "seratus",
        include_bytes!("../../config/voice/id/seratus.wav"),
    ),
    ("ratus", include_bytes!("../../config/voice/id/ratus.wav")),
    ("seribu", include_bytes!("../../config/voice/id/seribu.wav")),
    ("ribu", include_bytes!("../../config/voice/id/ribu.wav")),
    (
        "huruf_a",
        include_bytes!("../../config/voice/id/huruf_a.wav"),
    ),
    (
        "huruf_b",
        include_bytes!("../../config/voice/id/huruf_b.wav"),
    ),
    (
        "huruf_c",
        include_bytes!("../../config/voice/id/huruf_c.wav"),
    ),
    (
        "huruf_d",
        include_bytes!("../../config/voice/id/huruf_d.wav"),
    ),
    (
        "huruf_e",
        include_bytes!("../../config/voice/id/huruf_e.wav"),
    ),
    (
        "huruf_f",
        include_bytes!("../../config/voice/id/huruf_f.wav"),
    ),
    (
        "huruf_g",
        include_bytes!("../../config/voice/id/huruf_g.wav"),
    ),
    (
        "huruf_h",
        include_bytes!("../../config/voice/id/huruf_h.wav"),
    ),
    (
        "huruf_i",
        include_bytes!("../../config/voice/id/huruf_i.wav"),
    ),
    (
        "huruf_j",
        include_bytes!("../../config/voice/id/huruf_j.wav"),
    ),
    (
        "huruf_k",
        include_bytes!("../../config/voice/id/huruf_k.wav"),
    ),
    (
        "huruf_l",
        include_bytes!("../../config/voice/id/huruf_l.wav"),
    ),
    (
        "huruf_m",
        include_bytes!("../../config/voice/id/huruf_m.wav"),
    ),
    (
        "huruf_n",
        include_bytes!("../../config/voice/id/huruf_n.wav"),
    ),
    (
        "huruf_o",
        include_bytes!("../../config/voice/id/huruf_o.wav"),
    ),
    (
        "huruf_p",
        include_bytes!("../../config/voice/id/huruf_p.wav"),
    ),
    (
        "huruf_q",
        include_bytes!("../../config/voice/id/huruf_q.wav"),
    ),
    (
        "huruf_r",
        include_bytes!("../../config/voice/id/huruf_r.wav"),
    ),
    (
        "huruf_s",
        include_bytes!("../../config/voice/id/huruf_s.wav"),
    ),
    (
        "huruf_t",
        include_bytes!("../../config/voice/id/huruf_t.wav"),
    ),
    (
        "huruf_u",
        include_bytes!("../../config/voice/id/huruf_u.wav"),
    ),
    (
        "huruf_v",
        include_bytes!("../../config/voice/id/huruf_v.wav"),
    ),
    (
        "huruf_w",
        include_bytes!("../../config/voice/id/huruf_w.wav"),
    ),
    (
        "huruf_x",
        include_bytes!("../../config/voice/id/huruf_x.wav"),
    ),
    (
        "huruf_y",
        include_bytes!("../../config/voice/id/huruf_y.wav"),
    ),
    (
        "huruf_z",
        include_bytes!("../../config/voice/id/huruf_z.wav"),
    ),
    (
        "nomor_antrian",
        include_bytes!("../../config/voice/id/nomor_antrian.wav"),
    ),
    (
        "silakan_menuju",
        include_bytes!("../../config/voice/id/silakan_menuju.wav"),
    ),
    ("loket", include_bytes!("../../config/voice/id/loket.wav")),
];

/// Pause between the parts of an announcement.
const PAUSE_MS: u32 = 250;

#[derive(Debug, Clone)]
pub struct Pack {
    clips: HashMap<String, Clip>,
    pause: Clip,
}

impl Pack {
    pub fn embedded() -> Result<Self, WavError> {
        Self::from_clips(EMBEDDED.iter().map(|(n, b)| (n.to_string(), b.to_vec())))
    }

    /// Every `NAME.wav` in `dir`; all the names of the default pack must be there.
    pub fn from_dir(dir: &Path) -> Result<Self, WavError> {
        let mut files = Vec::new();
        for (name, _) in EMBEDDED {
            let path = dir.join(format!("{name}.wav"));
            let bytes =
                std::fs::read(&path).map_err(|e| WavError(format!("{}: {e}", path.display())))?;
            files.push((name.to_string(), bytes));
        }
        Self::from_clips(files.into_iter())
    }

    fn from_clips(files: impl Iterator<Item = (String, Vec<u8>)>) -> Result<Self, WavError> {
        let mut clips = HashMap::new();
        let mut rate = None;
        for (name, bytes) in files {
            let clip = Clip::parse(&bytes).map_err(|e| WavError(format!("{name}.wav: {e}")))?;
            if *rate.get_or_insert(clip.sample_rate) != clip.sample_rate {
                return Err(WavError(format!(
                    "{name}.wav: another sample rate than the rest"
                )));
            }
            clips.insert(name, trim_silence(clip));
        }
        let rate = rate.unwrap_or(16_000);
        let pause = Clip {
            sample_rate: rate,
            pcm: vec![0; (rate * PAUSE_MS / 1000 * 2) as usize],
        };
        Ok(Self { clips, pause })
    }

    /// The clips of a call: "Nomor antrian, A, dua belas, silakan menuju, loket, tiga".
    pub fn call_clips(&self, number: &str, counter: u32) -> Result<Vec<&Clip>, WavError> {
        let get = |name: &str| {
            self.clips
                .get(name)
                .ok_or_else(|| WavError(format!("voice pack lacks {name}.wav")))
        };
        let mut out = vec![get("nomor_antrian")?, &self.pause];
        for c in number.chars().filter(char::is_ascii_alphabetic) {
            if let Some(l) = letter_clip(c) {
                out.push(get(l)?);
            }
        }
        out.push(&self.pause);
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let n: u32 = digits.parse().unwrap_or(0);
        for w in number_words(n) {
            out.push(get(w)?);
        }
        out.extend([
            &self.pause,
            get("silakan_menuju")?,
            &self.pause,
            get("loket")?,
        ]);
        for w in number_words(counter) {
            out.push(get(w)?);
        }
        Ok(out)
    }

    /// The whole call as one WAV.
    pub fn announcement(&self, number: &str, counter: u32) -> Result<Vec<u8>, WavError> {
        join(&self.call_clips(number, counter)?)
    }
}

/// espeak-ng pads each word with silence; trimmed, the words of a call flow together.
fn trim_silence(mut clip: Clip) -> Clip {
    const QUIET: i16 = 300;
    let samples: Vec<i16> = clip
        .pcm
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let loud = |s: &i16| s.unsigned_abs() > QUIET.unsigned_abs();
    let (Some(first), Some(last)) = (
        samples.iter().position(loud),
        samples.iter().rposition(loud),
    ) else {
        return clip;
    };
    let margin = (clip.sample_rate / 50) as usize; // 20 ms
    let start = first.saturating_sub(margin);
    let end = (last + margin).min(samples.len() - 1);
    clip.pcm = clip.pcm[start * 2..(end + 1) * 2].to_vec();
    clip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_pack_speaks_a_call() {
        let pack = Pack::embedded().expect("pack");
        let clips = pack.call_clips("A-012", 3).expect("clips");
        // nomor antrian, pause, A, pause, dua, belas, pause, silakan menuju, pause, loket, tiga
        assert_eq!(clips.len(), 11);
        let wav = pack.announcement("A-012", 3).expect("wav");
        let parsed = Clip::parse(&wav).expect("valid wav");
        let sum: f64 = clips.iter().map(|c| c.duration_ms()).sum();
        assert!((parsed.duration_ms() - sum).abs() < 5.0);
    }
}
