//! The real database file under a storage backend that fails its writes on the test's
//! signal: with EIO (a failing card or stick) or with a panic (what redb does on some
//! damaged pages). The edges a test cannot reach with a real disk at a chosen moment.

use std::fs::OpenOptions;
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use redb::StorageBackend;
use redb::backends::FileBackend;

/// How writes fail while the switch is on.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    Eio,
    Panic,
}

/// The switch a test flips, and the opener to start the daemon with. `Fault::Panic` fires
/// once and turns the switch off.
pub struct FaultyDisk {
    pub on: Arc<AtomicBool>,
    pub opener: loket::store::Opener,
}

impl FaultyDisk {
    /// Writes to `data_dir`'s database fail with `fault` while `on` is set.
    pub fn new(data_dir: &Path, fault: Fault) -> Self {
        let on = Arc::new(AtomicBool::new(false));
        let path = data_dir.join(loket::app::DB_FILE);
        let opener: loket::store::Opener = {
            let on = on.clone();
            Box::new(move |builder| {
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)?;
                builder.create_with_backend(Backend {
                    inner: FileBackend::new(file)?,
                    on: on.clone(),
                    fault,
                })
            })
        };
        Self { on, opener }
    }

    pub fn set(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }
}

#[derive(Debug)]
struct Backend {
    inner: FileBackend,
    on: Arc<AtomicBool>,
    fault: Fault,
}

impl Backend {
    fn check(&self) -> std::io::Result<()> {
        match self.fault {
            Fault::Eio if self.on.load(Ordering::SeqCst) => {
                Err(std::io::Error::from_raw_os_error(5))
            }
            // One panic per flip of the switch: the store opens the file again right after
            // the failed request, while the test is still reading the reply; a second panic
            // there would depend on which thread runs first.
            Fault::Panic if self.on.swap(false, Ordering::SeqCst) => {
                panic!("invalid page: injected")
            }
            _ => Ok(()),
        }
    }
}

impl StorageBackend for Backend {
    fn len(&self) -> std::io::Result<u64> {
        self.inner.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        self.inner.read(offset, out)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.check()?;
        self.inner.set_len(len)
    }
    fn sync_data(&self) -> std::io::Result<()> {
        self.check()?;
        self.inner.sync_data()
    }
    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.check()?;
        self.inner.write(offset, data)
    }
    fn close(&self) -> std::io::Result<()> {
        self.inner.close()
    }
    fn try_lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<bool, redb::BackendError> {
        self.inner.try_lock_range(s, e)
    }
    fn try_lock_shared_range(
        &self,
        s: Bound<u64>,
        e: Bound<u64>,
    ) -> Result<bool, redb::BackendError> {
        self.inner.try_lock_shared_range(s, e)
    }
    fn lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.lock_range(s, e)
    }
    fn lock_shared_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.lock_shared_range(s, e)
    }
    fn unlock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.unlock_range(s, e)
    }
    fn query_lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<bool, redb::BackendError> {
        self.inner.query_lock_range(s, e)
    }
}
