//! Joining clips: 16-bit PCM mono WAV in, one WAV out. Clips of a pack share one sample
//! rate; a clip in another format is refused when the pack loads, not at call time.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    pub sample_rate: u32,
    /// Little-endian 16-bit samples, as in the file.
    pub pcm: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavError(pub String);

impl fmt::Display for WavError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WavError {}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

impl Clip {
    /// Reads a RIFF/WAVE file of 16-bit PCM mono.
    pub fn parse(bytes: &[u8]) -> Result<Self, WavError> {
        let bad = |why: &str| WavError(why.to_string());
        if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
            return Err(bad("not a RIFF/WAVE file"));
        }
        let mut i = 12;
        let mut format = None;
        while i + 8 <= bytes.len() {
            let id = &bytes[i..i + 4];
            let len = u32_at(bytes, i + 4).ok_or_else(|| bad("truncated chunk"))? as usize;
            let body = bytes
                .get(i + 8..(i + 8 + len).min(bytes.len()))
                .ok_or_else(|| bad("truncated chunk"))?;
            match id {
                b"fmt " => {
                    let tag = u16_at(body, 0).ok_or_else(|| bad("short fmt"))?;
                    let channels = u16_at(body, 2).ok_or_else(|| bad("short fmt"))?;
                    let rate = u32_at(body, 4).ok_or_else(|| bad("short fmt"))?;
                    let bits = u16_at(body, 14).ok_or_else(|| bad("short fmt"))?;
                    if tag != 1 || channels != 1 || bits != 16 {
                        return Err(bad("only 16-bit PCM mono clips are supported"));
                    }
                    format = Some(rate);
                }
                b"data" => {
                    let rate = format.ok_or_else(|| bad("data before fmt"))?;
                    // espeak-ng writes a streaming header with a placeholder length: take
                    // what is there.
                    let pcm = &bytes[i + 8..(i + 8 + len).min(bytes.len())];
                    let even = pcm.len() & !1;
                    return Ok(Clip {
                        sample_rate: rate,
                        pcm: pcm[..even].to_vec(),
                    });
                }
                _ => {}
            }
            i += 8 + len + (len & 1);
        }
        Err(bad("no data chunk"))
    }

    pub fn duration_ms(&self) -> f64 {
        (self.pcm.len() / 2) as f64 * 1000.0 / f64::from(self.sample_rate)
    }
}

/// One WAV file of the clips, back to back.
pub fn join(clips: &[&Clip]) -> Result<Vec<u8>, WavError> {
    let rate = clips.first().map_or(16_000, |c| c.sample_rate);
    if clips.iter().any(|c| c.sample_rate != rate) {
        return Err(WavError("clips differ in sample rate".to_string()));
    }
    let data_len: usize = clips.iter().map(|c| c.pcm.len()).sum();
    let mut out = Vec::with_capacity(44 + data_len);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(
        &u32::try_from(36 + data_len)
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&u32::try_from(data_len).unwrap_or(u32::MAX).to_le_bytes());
    for c in clips {
        out.extend_from_slice(&c.pcm);
    }
    Ok(out)
}
