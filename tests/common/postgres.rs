//! A real PostgreSQL cluster for a test: Debian's server binaries (`/usr/lib/postgresql/*/bin`,
//! installed by `.ci/run`), `initdb` in a temporary directory, started with `pg_ctl` on a free
//! port of 127.0.0.1 with TLS (a self-signed certificate made here) and on a Unix socket in the
//! same directory. PostgreSQL refuses to run as root: as root the cluster runs as `nobody`.
//! Local socket connections are trusted (the superuser `postgres` sets up); TCP needs a
//! password (SCRAM) and TLS, as a city server would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Cluster {
    /// Kept for its lifetime: the data, socket and certificate live in it.
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    /// The server's certificate, PEM: what an office pins.
    pub cert: PathBuf,
    /// Another certificate, for the test that a wrong one is refused.
    pub other_cert: PathBuf,
    as_nobody: bool,
}

/// The newest installed server's binaries.
fn bin_dir() -> PathBuf {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed: .ci/run installs Debian's `postgresql`")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    dirs.sort();
    dirs.pop()
        .expect("no /usr/lib/postgresql/*/bin/initdb: .ci/run installs Debian's `postgresql`")
        .1
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn checked(what: &str, out: std::io::Result<Output>) -> Output {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("certificate");
    let (c, k) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&c, certified.cert.pem()).expect("write cert");
    std::fs::write(&k, certified.signing_key.serialize_pem()).expect("write key");
    (c, k)
}

impl Cluster {
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::tempdir().expect("tmp");
        // SAFETY: geteuid has no preconditions.
        let as_nobody = unsafe { libc::geteuid() } == 0;
        let (cert, key) = self_signed(dir.path(), "server");
        let (other_cert, _) = self_signed(dir.path(), "other");
        let cluster = Self {
            dir,
            bin,
            port: free_port(),
            cert,
            other_cert,
            as_nobody,
        };
        if as_nobody {
            cluster.give_to_nobody(&key);
        }
        // The key must be the server user's alone.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let data = cluster.data();
        checked(
            "initdb",
            cluster
                .run("initdb")
                .args([
                    "-U",
                    "postgres",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                ])
                .args(["-E", "UTF8", "--no-sync", "-D"])
                .arg(&data)
                .output(),
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={} -c ssl_key_file={} -c fsync=off",
            cluster.port,
            cluster.dir.path().display(),
            cluster.cert.display(),
            key.display()
        );
        checked(
            "pg_ctl start",
            cluster
                .run("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(cluster.dir.path().join("server.log"))
                .args(["-o", &options, "-w", "start"])
                .output(),
        );
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The temporary directory and the key to `nobody`, who runs the server.
    fn give_to_nobody(&self, key: &Path) {
        // SAFETY: a NUL-terminated name; the returned record is read at once.
        let pw = unsafe { libc::getpwnam(c"nobody".as_ptr()) };
        assert!(!pw.is_null(), "no user `nobody` to run PostgreSQL as");
        // SAFETY: checked non-null above.
        let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
        for p in [self.dir.path(), key] {
            std::os::unix::fs::chown(p, Some(uid), Some(gid)).expect("chown");
        }
    }

    fn run(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The superuser over the Unix socket (trusted), to `dbname`.
    pub fn admin_url(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user=postgres dbname={dbname}",
            self.dir.path().display(),
            self.port
        )
    }

    /// A role over TCP and TLS, as an office connects.
    pub fn tcp_url(&self, user: &str, dbname: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user={user} dbname={dbname}",
            self.port
        )
    }

    /// Runs SQL as the superuser with `psql`; its output, unaligned and tuples only.
    pub fn psql(&self, dbname: &str, sql: &str) -> String {
        let out = checked(
            "psql",
            Command::new(self.bin.join("psql"))
                .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
                .arg(self.admin_url(dbname))
                .args(["-c", sql])
                .output(),
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A file in the cluster's directory (password files, configurations).
    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("write");
        p
    }
}

impl Cluster {
    /// Stops the server (fast shutdown: connections are closed), as a city server going
    /// down for maintenance.
    pub fn pause(&self) {
        checked(
            "pg_ctl stop",
            self.run("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-m", "fast", "-w", "stop"])
                .output(),
        );
    }

    /// Starts the server again after `pause`, on the same port and certificate.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={} -c ssl_key_file={} -c fsync=off",
            self.port,
            self.dir.path().display(),
            self.cert.display(),
            self.dir.path().join("server.key").display()
        );
        checked(
            "pg_ctl start",
            self.run("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(self.dir.path().join("server.log"))
                .args(["-o", &options, "-w", "start"])
                .output(),
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .run("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}
