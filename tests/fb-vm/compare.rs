//! Run inside the framebuffer test VM (tests/fb-vm/run.sh): reads what is in a framebuffer
//! device's memory, decodes it with the layout the kernel reports (FBIOGET_VSCREENINFO's
//! channel offsets and lengths, FBIOGET_FSCREENINFO's line length, the panning offset), and
//! compares it pixel by pixel with a PNG. Deliberately independent of loket's own encoder,
//! so a wrong byte order in loket shows here.
//!
//! Usage:
//!   fb_compare info DEVICE
//!   fb_compare match DEVICE PNG SAVE.rgb   exit 0 when identical; saves the frame as raw RGB
//!   fb_compare diff WIDTH A.rgb B.rgb [x,y,w,h ...]
//!       exit 0 when A and B differ inside every rectangle given and nowhere outside them

use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::process::ExitCode;

#[repr(C)]
#[derive(Default, Debug, Clone, Copy)]
struct Bitfield {
    offset: u32,
    length: u32,
    msb_right: u32,
}

/// `struct fb_var_screeninfo` (linux/fb.h).
#[repr(C)]
#[derive(Default, Debug)]
struct VarInfo {
    xres: u32,
    yres: u32,
    xres_virtual: u32,
    yres_virtual: u32,
    xoffset: u32,
    yoffset: u32,
    bits_per_pixel: u32,
    grayscale: u32,
    red: Bitfield,
    green: Bitfield,
    blue: Bitfield,
    transp: Bitfield,
    rest: [u32; 20],
}

/// `struct fb_fix_screeninfo` (linux/fb.h).
#[repr(C)]
#[derive(Default, Debug)]
struct FixInfo {
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

struct Frame {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

fn screeninfo(f: &File) -> Result<(VarInfo, FixInfo), String> {
    let mut var = VarInfo::default();
    let mut fix = FixInfo::default();
    // SAFETY: both structs are the kernel's layout, owned here and large enough.
    let (a, b) = unsafe {
        (
            libc::ioctl(f.as_raw_fd(), FBIOGET_VSCREENINFO, &mut var),
            libc::ioctl(f.as_raw_fd(), FBIOGET_FSCREENINFO, &mut fix),
        )
    };
    if a != 0 || b != 0 {
        return Err(format!("ioctl: {}", std::io::Error::last_os_error()));
    }
    Ok((var, fix))
}

fn describe(var: &VarInfo, fix: &FixInfo) -> String {
    let ch = |b: Bitfield| format!("{}/{}", b.offset, b.length);
    format!(
        "{}x{} {} bpp, line {} bytes, offset {},{}; red {} green {} blue {} transp {}",
        var.xres,
        var.yres,
        var.bits_per_pixel,
        fix.line_length,
        var.xoffset,
        var.yoffset,
        ch(var.red),
        ch(var.green),
        ch(var.blue),
        ch(var.transp)
    )
}

/// The visible screen as RGB888, each channel widened to 8 bits the usual way.
fn read_fb(device: &str) -> Result<Frame, String> {
    let mut f = File::open(device).map_err(|e| format!("{device}: {e}"))?;
    let (var, fix) = screeninfo(&f)?;
    let mut mem = Vec::new();
    f.read_to_end(&mut mem)
        .map_err(|e| format!("read {device}: {e}"))?;
    let bytes = (var.bits_per_pixel / 8) as usize;
    if !(2..=4).contains(&bytes) {
        return Err(format!("{} bits per pixel", var.bits_per_pixel));
    }
    let channel = |v: u32, b: Bitfield| -> u8 {
        let max = (1u32 << b.length) - 1;
        let raw = (v >> b.offset) & max;
        ((raw * 255 + max / 2) / max) as u8
    };
    let mut rgb = Vec::with_capacity((var.xres * var.yres * 3) as usize);
    for y in 0..var.yres {
        let row = ((y + var.yoffset) * fix.line_length) as usize + var.xoffset as usize * bytes;
        for x in 0..var.xres as usize {
            let i = row + x * bytes;
            let px = mem
                .get(i..i + bytes)
                .ok_or_else(|| format!("framebuffer memory ends at {} bytes", mem.len()))?;
            let mut le = [0u8; 4];
            le[..bytes].copy_from_slice(px);
            let v = u32::from_le_bytes(le);
            rgb.extend([
                channel(v, var.red),
                channel(v, var.green),
                channel(v, var.blue),
            ]);
        }
    }
    Ok(Frame {
        width: var.xres,
        height: var.yres,
        rgb,
    })
}

fn read_png(path: &str) -> Result<Frame, String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .map_err(|e| format!("{path}: {e}"))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| format!("{path}: too large"))?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("{path}: {e}"))?;
    if info.color_type != png::ColorType::Rgb || info.bit_depth != png::BitDepth::Eight {
        return Err(format!(
            "{path}: {:?} {:?}, not 8-bit RGB",
            info.color_type, info.bit_depth
        ));
    }
    buf.truncate(info.buffer_size());
    Ok(Frame {
        width: info.width,
        height: info.height,
        rgb: buf,
    })
}

/// Differing pixels of two equally sized RGB images: count and bounding box.
fn differences(
    width: u32,
    a: &[u8],
    b: &[u8],
    inside: impl Fn(u32, u32) -> bool,
) -> (usize, Option<(u32, u32, u32, u32)>) {
    let mut n = 0;
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    for (i, (pa, pb)) in a.chunks_exact(3).zip(b.chunks_exact(3)).enumerate() {
        let (x, y) = (i as u32 % width, i as u32 / width);
        if pa != pb && inside(x, y) {
            n += 1;
            bbox = Some(match bbox {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    (n, bbox)
}

fn show(d: (usize, Option<(u32, u32, u32, u32)>)) -> String {
    match d.1 {
        Some((x0, y0, x1, y1)) => format!("{} pixels in x {x0}..={x1}, y {y0}..={y1}", d.0),
        None => "0 pixels".to_string(),
    }
}

fn run(args: &[String]) -> Result<bool, String> {
    match args {
        [cmd, device] if cmd == "info" => {
            let f = File::open(device).map_err(|e| format!("{device}: {e}"))?;
            let (var, fix) = screeninfo(&f)?;
            println!("{}", describe(&var, &fix));
            Ok(true)
        }
        [cmd, device, png, save] if cmd == "match" => {
            let fb = read_fb(device)?;
            let want = read_png(png)?;
            std::fs::write(save, &fb.rgb).map_err(|e| format!("{save}: {e}"))?;
            if (fb.width, fb.height) != (want.width, want.height) {
                println!(
                    "size differs: framebuffer {}x{}, png {}x{}",
                    fb.width, fb.height, want.width, want.height
                );
                return Ok(false);
            }
            let d = differences(fb.width, &fb.rgb, &want.rgb, |_, _| true);
            println!("differing: {}", show(d));
            Ok(d.0 == 0)
        }
        [cmd, width, a, b, rects @ ..] if cmd == "diff" => {
            let width: u32 = width.parse().map_err(|_| "width".to_string())?;
            let a = std::fs::read(a).map_err(|e| format!("{a}: {e}"))?;
            let b = std::fs::read(b).map_err(|e| format!("{b}: {e}"))?;
            if a.len() != b.len() {
                return Err("frames of different sizes".into());
            }
            // `x,y,w,h`: must change; `~x,y,w,h`: may change (the clock).
            let parsed = rects
                .iter()
                .map(|r| {
                    let (optional, r) = match r.strip_prefix('~') {
                        Some(rest) => (true, rest),
                        None => (false, r.as_str()),
                    };
                    let v: Vec<u32> = r.split(',').filter_map(|n| n.parse().ok()).collect();
                    match v[..] {
                        [x, y, w, h] => Ok((optional, (x, y, w, h))),
                        _ => Err(format!("not x,y,w,h: {r}")),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            let rects: Vec<_> = parsed.iter().map(|(_, r)| *r).collect();
            let within = |(rx, ry, rw, rh): (u32, u32, u32, u32)| {
                move |x: u32, y: u32| x >= rx && x < rx + rw && y >= ry && y < ry + rh
            };
            let mut ok = true;
            for &(optional, r) in &parsed {
                let d = differences(width, &a, &b, within(r));
                println!("changed inside {r:?}: {}", show(d));
                ok &= optional || d.0 > 0;
            }
            let outside = differences(width, &a, &b, |x, y| {
                !rects.iter().any(|&r| within(r)(x, y))
            });
            println!("changed elsewhere: {}", show(outside));
            Ok(ok && outside.0 == 0)
        }
        _ => Err(
            "usage: fb_compare info DEVICE | match DEVICE PNG SAVE | diff WIDTH A B [[~]x,y,w,h ...]"
                .into(),
        ),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("fb_compare: {e}");
            ExitCode::from(2)
        }
    }
}
