//! The Linux framebuffer (`/dev/fb0`): its geometry and pixel format from sysfs, and the
//! board written in that format (RGB565 or XRGB8888), row by row at the reported stride.

use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::Canvas;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    Rgb565,
    Xrgb8888,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framebuffer {
    pub device: PathBuf,
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    /// Bytes per row, as the driver lays them out.
    pub stride: u32,
}

fn read_sys(dir: &Path, name: &str) -> io::Result<String> {
    Ok(std::fs::read_to_string(dir.join(name))?.trim().to_string())
}

impl Framebuffer {
    /// `/dev/fbN` described by `/sys/class/graphics/fbN`.
    pub fn open(device: &Path) -> io::Result<Self> {
        let name = device
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a device path"))?;
        let sys = Path::new("/sys/class/graphics").join(name);
        let size = read_sys(&sys, "virtual_size")?;
        let (w, h) = size
            .split_once(',')
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "virtual_size"))?;
        let bad = |_| io::Error::new(io::ErrorKind::InvalidData, "framebuffer geometry");
        let width: u32 = w.parse().map_err(bad)?;
        let height: u32 = h.parse().map_err(bad)?;
        let bpp: u32 = read_sys(&sys, "bits_per_pixel")?.parse().map_err(bad)?;
        let stride: u32 = read_sys(&sys, "stride")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(width * bpp / 8);
        let format = match bpp {
            16 => PixelFormat::Rgb565,
            32 => PixelFormat::Xrgb8888,
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!("{other} bits per pixel: only 16 (RGB565) and 32 (XRGB8888)"),
                ));
            }
        };
        Ok(Self {
            device: device.to_path_buf(),
            width,
            height,
            format,
            stride,
        })
    }

    /// The canvas (same size as the framebuffer) in the framebuffer's own byte layout.
    pub fn encode(&self, c: &Canvas) -> Vec<u8> {
        let mut out = vec![0u8; (self.stride * self.height) as usize];
        for y in 0..self.height.min(c.height) {
            let row = (y * self.stride) as usize;
            for x in 0..self.width.min(c.width) {
                let (r, g, b) = c.pixel(x, y);
                match self.format {
                    PixelFormat::Rgb565 => {
                        let v = (u16::from(r >> 3) << 11)
                            | (u16::from(g >> 2) << 5)
                            | u16::from(b >> 3);
                        let i = row + x as usize * 2;
                        out[i..i + 2].copy_from_slice(&v.to_le_bytes());
                    }
                    PixelFormat::Xrgb8888 => {
                        let i = row + x as usize * 4;
                        out[i..i + 4].copy_from_slice(&[b, g, r, 0]);
                    }
                }
            }
        }
        out
    }

    pub fn write(&self, c: &Canvas) -> io::Result<()> {
        let f = OpenOptions::new().write(true).open(&self.device)?;
        f.write_all_at(&self.encode(c), 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_in_both_formats() {
        let mut c = Canvas::new(2, 1);
        c.rgb = vec![0xff, 0x80, 0x00, 0x12, 0x34, 0x56];
        let fb = |format, stride| Framebuffer {
            device: PathBuf::from("/dev/null"),
            width: 2,
            height: 1,
            format,
            stride,
        };
        assert_eq!(
            fb(PixelFormat::Rgb565, 4).encode(&c),
            [0x00, 0xfc, 0xaa, 0x11]
        );
        assert_eq!(
            fb(PixelFormat::Xrgb8888, 12).encode(&c),
            [0x00, 0x80, 0xff, 0, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0],
            "stride padding left zero"
        );
    }
}
