//! The Linux framebuffer (`/dev/fb0`): its visible size, line length and pixel layout as the
//! driver reports them (FBIOGET_VSCREENINFO / FBIOGET_FSCREENINFO), and the board written in
//! that layout row by row. The channel offsets matter: 32 bits per pixel is XRGB8888 on most
//! drivers but red-first (RGBA) on others, e.g. the kernel's `vfb`.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::Canvas;

/// Where one colour channel sits in a pixel's value (`struct fb_bitfield`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Channel {
    pub offset: u32,
    pub length: u32,
    msb_right: u32,
}

impl Channel {
    pub const fn new(offset: u32, length: u32) -> Self {
        Self {
            offset,
            length,
            msb_right: 0,
        }
    }
}

/// A true-colour pixel layout: bytes per pixel (little-endian value) and the channels in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelFormat {
    pub bytes: u32,
    pub red: Channel,
    pub green: Channel,
    pub blue: Channel,
}

impl PixelFormat {
    pub const RGB565: Self = Self {
        bytes: 2,
        red: Channel::new(11, 5),
        green: Channel::new(5, 6),
        blue: Channel::new(0, 5),
    };
    pub const XRGB8888: Self = Self {
        bytes: 4,
        red: Channel::new(16, 8),
        green: Channel::new(8, 8),
        blue: Channel::new(0, 8),
    };

    /// The layout a driver reports, if the board can be drawn in it: 16, 24 or 32 bits per
    /// pixel, each channel 1 to 8 bits inside the pixel (no palette modes).
    pub fn new(
        bits_per_pixel: u32,
        red: Channel,
        green: Channel,
        blue: Channel,
    ) -> io::Result<Self> {
        let fits = |c: Channel| {
            (1..=8).contains(&c.length) && c.offset + c.length <= bits_per_pixel && c.msb_right == 0
        };
        if !matches!(bits_per_pixel, 16 | 24 | 32) || ![red, green, blue].into_iter().all(fits) {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{bits_per_pixel} bits per pixel with red {}/{} green {}/{} blue {}/{}: \
                     only true colour at 16, 24 or 32 bits per pixel",
                    red.offset, red.length, green.offset, green.length, blue.offset, blue.length
                ),
            ));
        }
        Ok(Self {
            bytes: bits_per_pixel / 8,
            red,
            green,
            blue,
        })
    }

    /// One pixel's bytes (the first `self.bytes` of the result), channels cut to their length.
    fn encode(&self, r: u8, g: u8, b: u8) -> [u8; 4] {
        let put = |v: u8, c: Channel| (u32::from(v) >> (8 - c.length)) << c.offset;
        (put(r, self.red) | put(g, self.green) | put(b, self.blue)).to_le_bytes()
    }
}

/// For the log: `32 bpp, red 0/8 green 8/8 blue 16/8` (bit offset / length).
impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ch = |c: Channel| format!("{}/{}", c.offset, c.length);
        write!(
            f,
            "{} bpp, red {} green {} blue {}",
            self.bytes * 8,
            ch(self.red),
            ch(self.green),
            ch(self.blue)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framebuffer {
    pub device: PathBuf,
    /// The visible size (not the virtual one, which may hold several screens).
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    /// Bytes per row, as the driver lays them out.
    pub stride: u32,
}

/// `struct fb_var_screeninfo` (linux/fb.h), the fields read here and the rest as padding.
#[repr(C)]
#[derive(Default)]
struct VarScreenInfo {
    xres: u32,
    yres: u32,
    xres_virtual: u32,
    yres_virtual: u32,
    xoffset: u32,
    yoffset: u32,
    bits_per_pixel: u32,
    grayscale: u32,
    red: Channel,
    green: Channel,
    blue: Channel,
    transp: Channel,
    rest: [u32; 20],
}

/// `struct fb_fix_screeninfo` (linux/fb.h).
#[repr(C)]
#[derive(Default)]
struct FixScreenInfo {
    id: [u8; 16],
    smem_start: libc::c_ulong,
    smem_len: u32,
    kind: u32,
    type_aux: u32,
    visual: u32,
    xpanstep: u16,
    ypanstep: u16,
    ywrapstep: u16,
    line_length: u32,
    mmio_start: libc::c_ulong,
    mmio_len: u32,
    accel: u32,
    capabilities: u16,
    reserved: [u16; 2],
}

const FBIOGET_VSCREENINFO: libc::c_ulong = 0x4600;
const FBIOGET_FSCREENINFO: libc::c_ulong = 0x4602;

fn ioctl<T>(f: &File, request: libc::c_ulong, out: &mut T) -> io::Result<()> {
    // SAFETY: `out` is the kernel's struct for `request`, owned by the caller, writable.
    if unsafe { libc::ioctl(f.as_raw_fd(), request as _, out as *mut T) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl Framebuffer {
    /// `/dev/fbN` as its driver describes it.
    pub fn open(device: &Path) -> io::Result<Self> {
        let f = File::open(device)?;
        let mut var = VarScreenInfo::default();
        let mut fix = FixScreenInfo::default();
        ioctl(&f, FBIOGET_VSCREENINFO, &mut var)?;
        ioctl(&f, FBIOGET_FSCREENINFO, &mut fix)?;
        let format = PixelFormat::new(var.bits_per_pixel, var.red, var.green, var.blue)?;
        let stride = if fix.line_length > 0 {
            fix.line_length
        } else {
            var.xres_virtual * format.bytes
        };
        Ok(Self {
            device: device.to_path_buf(),
            width: var.xres,
            height: var.yres,
            format,
            stride,
        })
    }

    /// The canvas (same size as the framebuffer) in the framebuffer's own byte layout.
    pub fn encode(&self, c: &Canvas) -> Vec<u8> {
        let mut out = vec![0u8; (self.stride * self.height) as usize];
        let bytes = self.format.bytes as usize;
        for y in 0..self.height.min(c.height) {
            let row = (y * self.stride) as usize;
            for x in 0..self.width.min(c.width) {
                let (r, g, b) = c.pixel(x, y);
                let i = row + x as usize * bytes;
                out[i..i + bytes].copy_from_slice(&self.format.encode(r, g, b)[..bytes]);
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

    fn fb(format: PixelFormat, stride: u32) -> Framebuffer {
        Framebuffer {
            device: PathBuf::from("/dev/null"),
            width: 2,
            height: 1,
            format,
            stride,
        }
    }

    fn two_pixels() -> Canvas {
        let mut c = Canvas::new(2, 1);
        c.rgb = vec![0xff, 0x80, 0x00, 0x12, 0x34, 0x56];
        c
    }

    #[test]
    fn pixels_in_both_formats() {
        let c = two_pixels();
        assert_eq!(
            fb(PixelFormat::RGB565, 4).encode(&c),
            [0x00, 0xfc, 0xaa, 0x11]
        );
        assert_eq!(
            fb(PixelFormat::XRGB8888, 12).encode(&c),
            [0x00, 0x80, 0xff, 0, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0],
            "stride padding left zero"
        );
    }

    #[test]
    fn red_first_layouts_as_reported() {
        let c = two_pixels();
        // vfb's 32 bpp: red at bit 0, so the bytes in memory are R, G, B, A.
        let rgba = PixelFormat::new(
            32,
            Channel::new(0, 8),
            Channel::new(8, 8),
            Channel::new(16, 8),
        )
        .expect("rgba");
        assert_eq!(
            fb(rgba, 8).encode(&c),
            [0xff, 0x80, 0x00, 0, 0x12, 0x34, 0x56, 0]
        );
        let bgr24 = PixelFormat::new(
            24,
            Channel::new(16, 8),
            Channel::new(8, 8),
            Channel::new(0, 8),
        )
        .expect("bgr24");
        assert_eq!(
            fb(bgr24, 6).encode(&c),
            [0x00, 0x80, 0xff, 0x56, 0x34, 0x12]
        );
    }

    #[test]
    fn palette_and_impossible_layouts_refused() {
        let c8 = Channel::new(0, 8);
        assert!(
            PixelFormat::new(8, c8, c8, c8).is_err(),
            "8 bpp is a palette mode"
        );
        let past_the_pixel = Channel::new(12, 8);
        assert!(PixelFormat::new(16, past_the_pixel, c8, c8).is_err());
        assert!(PixelFormat::new(32, Channel::new(0, 0), c8, c8).is_err());
        assert_eq!(
            PixelFormat::new(
                16,
                Channel::new(11, 5),
                Channel::new(5, 6),
                Channel::new(0, 5)
            )
            .expect("rgb565"),
            PixelFormat::RGB565
        );
    }
}
